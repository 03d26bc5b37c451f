// Package nn is just enough of a deep-learning library for the subset
// scanning experiments, with Keras semantics: Conv2D (stride 1, "same" or
// "valid" padding), MaxPooling2D ("same" pads the bottom and right edges,
// as TensorFlow does, or "valid"), UpSampling2D (nearest), Flatten and
// Dense layers with ReLU, sigmoid, softmax or linear activations.
//
// A Model is a named sequence of layers described by an Arch, data rather
// than code; its forward pass returns the output of every named layer, the
// activations that subset scanning compares with a background. Weights load
// from and save to .npz files with the keys "<layer>/kernel" and
// "<layer>/bias" in Keras layouts (Conv2D kernels [kh, kw, in, out], Dense
// kernels [in, out]), so weights exported from Keras work unchanged. Images
// and activations are NHWC float32; a sample's activations flatten
// row-major over (h, w, c).
//
// Backward passes give the gradient w.r.t. the input of any vector-Jacobian
// product of the outputs or logits (InputGradient, Jacobian; for attacks)
// and w.r.t. the weights (for training). Train fits a model by mini-batch
// gradient descent with Keras semantics: Glorot-uniform initialisation from
// a seed (InitGlorot), Keras' binary and categorical cross-entropies (with
// their clipping to [1e-7, 1−1e-7]), and Keras 2.2.4's Adadelta and Adam.
// Batches run in parallel; their gradients are reduced in a fixed order, so
// the same seed gives the same weights bit for bit whatever the number of
// workers.
//
// Convolutions run as products of long vectors: in inference, axpys over a
// zero-padded input plane; in training, a transposed im2col. The axpy runs
// eight lanes at a time with AVX where the CPU has it (amd64 assembly) and
// as gonum's four-lane SSE kernel otherwise; both multiply then add, so
// results do not depend on which ran. Each sample is computed serially and
// samples run in parallel.
package nn
