package fake

import (
	"fmt"
	"math"

	"subsetscan/data"
	"subsetscan/internal/par"
)

// SpectrumEps is added to the DFT's magnitudes before the logarithm, so
// that a zero magnitude gives ln(SpectrumEps) rather than −∞.
const SpectrumEps = 1e-4

// dft holds the twiddle factors e^{−2πi·jk/n} of an n-point DFT.
type dft struct {
	n        int
	cos, sin []float64 // [j*n+k]
}

func newDFT(n int) dft {
	d := dft{n: n, cos: make([]float64, n*n), sin: make([]float64, n*n)}
	for j := range n {
		for k := range n {
			a := 2 * math.Pi * float64((j*k)%n) / float64(n)
			d.cos[j*n+k], d.sin[j*n+k] = math.Cos(a), -math.Sin(a)
		}
	}
	return d
}

// Spectrum returns the log-magnitude 2-D DFT of each single-channel image
// of x ([n h w] or [n h w 1]), shaped like x:
//
//	S[u, v] = ln(|Σ_y Σ_x img[y, x]·e^{−2πi(uy/h + vx/w)}| + SpectrumEps)
//
// with the zero frequency at [0, 0] (no shift), computed separably (rows,
// then columns) in float64. Images run on workers goroutines (0 means all
// cores); the result does not depend on it. It is an error if x is not a
// set of single-channel images or holds a NaN or an infinity.
func Spectrum(x *data.Array, workers int) (*data.Array, error) {
	s := x.Shape
	if len(s) < 3 || len(s) > 4 || (len(s) == 4 && s[3] != 1) {
		return nil, fmt.Errorf("fake: spectrum of images of shape %v, want [n h w] or [n h w 1]", s)
	}
	if err := x.CheckFinite(); err != nil {
		return nil, fmt.Errorf("fake: spectrum: %w", err)
	}
	h, w := s[1], s[2]
	rows, cols := newDFT(w), newDFT(h)
	out := data.NewArray(s...)
	type scratch struct{ re, im []float64 }
	par.For(x.Len(), workers, func() scratch {
		return scratch{make([]float64, h*w), make([]float64, h*w)}
	}, func(sc scratch, i int) {
		spectrum2D(out.Row(i), x.Row(i), h, w, rows, cols, sc.re, sc.im)
	})
	return out, nil
}

// spectrum2D writes the log-magnitude DFT of the h×w image img into dst,
// with re and im (h·w each) as scratch.
func spectrum2D(dst, img []float32, h, w int, rows, cols dft, re, im []float64) {
	// Row transforms: R[y, v] = Σ_x img[y, x]·e^{−2πi·vx/w}.
	for y := range h {
		for v := range w {
			var sr, si float64
			for x := range w {
				p := float64(img[y*w+x])
				sr += p * rows.cos[v*w+x]
				si += p * rows.sin[v*w+x]
			}
			re[y*w+v], im[y*w+v] = sr, si
		}
	}
	// Column transforms: F[u, v] = Σ_y R[y, v]·e^{−2πi·uy/h}.
	for u := range h {
		for v := range w {
			var sr, si float64
			for y := range h {
				c, s := cols.cos[u*h+y], cols.sin[u*h+y]
				r, i := re[y*w+v], im[y*w+v]
				sr += r*c - i*s
				si += r*s + i*c
			}
			dst[u*w+v] = float32(math.Log(math.Hypot(sr, si) + SpectrumEps))
		}
	}
}
