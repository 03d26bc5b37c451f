package nn

import "golang.org/x/sys/cpu"

// axpyAVX computes y += a·x with 8-wide AVX; len(y) ≥ len(x).
//
//go:noescape
func axpyAVX(a float32, x, y []float32)

// hasAVX says whether axpy may use axpyAVX.
var hasAVX = cpu.X86.HasAVX

// axpy computes y += a·x: 8 lanes at a time where the CPU has AVX (the
// convolutions spend most of their time here), else gonum's 4-wide SSE.
// Both round each product and each sum, so the results are the same.
func axpy(a float32, x, y []float32) {
	if hasAVX {
		if len(y) < len(x) {
			panic("nn: axpy: y shorter than x")
		}
		axpyAVX(a, x, y)
		return
	}
	blasImpl.Saxpy(len(x), a, x, 1, y, 1)
}
