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
package nn
