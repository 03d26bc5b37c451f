// Package attack generates adversarial images against classifiers, with the
// semantics of the Adversarial Robustness Toolbox (ART) version 0.9 that the
// published experiments used.
//
// The loss gradient ART 0.9 takes of a Keras classifier with the TensorFlow
// backend is not that of the model's compiled loss: it takes the input of
// the final softmax (the logits) and differentiates
// softmax_cross_entropy_with_logits, whose gradient w.r.t. the logits is
// softmax(z) − y in float32. For an image the model is very sure of, the
// other classes' probabilities underflow to zero and the top one rounds to
// exactly 1, so the gradient vanishes and FGSM leaves the image unchanged:
// that is why so few of the authors' FGSM images with ε = 0.01 succeed.
//
// DeepFool follows ART 0.9's steps on the logits, r = |f_l − f_k| /
// (‖w_l‖² + tol) · w_l towards the nearest linearised boundary, until the
// prediction changes, then the 1 + ε overshoot. Its perturbations have the
// same size distribution as the authors' DeepFool images, but it succeeds on
// 1492 of their 1500 source images where their file keeps 1126: which images
// their run failed on is not explained yet.
package attack
