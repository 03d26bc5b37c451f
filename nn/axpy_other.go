//go:build !amd64

package nn

// axpy computes y += a·x.
func axpy(a float32, x, y []float32) { blasImpl.Saxpy(len(x), a, x, 1, y, 1) }
