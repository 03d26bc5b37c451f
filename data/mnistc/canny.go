package mnistc

import (
	"math"
	"math/rand/v2"
)

// Parameters of canny_edges (corruptions.py, canny_edges), which calls
// scikit-image's feature.canny with its defaults.
const (
	cannySigma = 1.0
	cannyLow   = 0.1 // low hysteresis threshold on the Sobel magnitude
	cannyHigh  = 0.2 // high hysteresis threshold
)

var (
	cannyKernel = gaussKernel(cannySigma)
	// cannyNorm is the smoothing of an all-ones image with zeros outside:
	// dividing by it undoes the darkening at the border, as canny's
	// smooth_with_function_and_mask does with a full mask.
	cannyNorm = func() []float64 {
		ones, tmp, out := make([]float64, Pixels), make([]float64, Pixels), make([]float64, Pixels)
		for i := range ones {
			ones[i] = 1
		}
		gaussian(out, ones, tmp, cannyKernel, constant)
		return out
	}()
	sobelDiff   = []float64{-1, 0, 1}
	sobelSmooth = []float64{1, 2, 1}
)

// cannyEdges replaces the image by its Canny edge map, 1 on an edge and 0
// elsewhere (canny_edges), as scikit-image's canny with sigma 1 and
// thresholds 0.1 and 0.2: Gaussian smoothing (zeros outside, divided by
// the smoothing of ones), Sobel gradients (mirrored edges, the unnormalised
// scipy.ndimage.sobel), non-maximum suppression along the gradient with
// linear interpolation between the two neighbours it passes between, on
// the pixels off the image border only, and hysteresis: the local maxima of
// magnitude ≥ cannyLow that are 8-connected, through such maxima, to one of
// magnitude ≥ cannyHigh. It draws nothing.
func cannyEdges(w *work, dst, src []float64, _ *rand.Rand) {
	smooth := w.c
	gaussian(smooth, src, w.d, cannyKernel, constant)
	for i := range smooth {
		smooth[i] /= cannyNorm[i]
	}
	gr, gc := w.d, dst // row and column derivatives; dst is free until the end
	sobel(gr, smooth, w.a, 0)
	sobel(gc, smooth, w.a, 1)
	mag := w.a // src is no longer needed
	for i := range mag {
		mag[i] = math.Hypot(gr[i], gc[i])
	}
	maxima := w.c
	suppress(maxima, mag, gr, gc)
	hysteresis(w, dst, maxima)
}

// sobel writes into dst the unnormalised Sobel derivative of src along axis
// (0: rows, 1: columns), as scipy.ndimage.sobel: the difference [−1, 0, 1]
// along axis and the smoothing [1, 2, 1] across it, edges mirrored.
func sobel(dst, src, tmp []float64, axis int) {
	correlate(tmp, src, sobelDiff, axis, reflect)
	correlate(dst, tmp, sobelSmooth, 1-axis, reflect)
}

// suppress writes into dst the magnitude of each pixel off the image border
// that is at least the magnitude interpolated at its two neighbours along
// the gradient (gr, gc), and 0 elsewhere. A pixel of zero gradient is
// never a maximum.
func suppress(dst, mag, gr, gc []float64) {
	clear(dst)
	for r := 1; r < Side-1; r++ {
		for c := 1; c < Side-1; c++ {
			i := r*Side + c
			if gr[i] == 0 && gc[i] == 0 {
				continue
			}
			ahead := along(mag, r, c, gr[i], gc[i])
			behind := along(mag, r, c, -gr[i], -gc[i])
			if mag[i] >= ahead && mag[i] >= behind {
				dst[i] = mag[i]
			}
		}
	}
}

// along returns the magnitude one step from (r, c) in the direction
// (dr, dc), interpolated linearly between the side neighbour and the
// diagonal neighbour that the direction passes between.
func along(mag []float64, r, c int, dr, dc float64) float64 {
	sr, sc := 1, 1
	if dr < 0 {
		sr = -1
	}
	if dc < 0 {
		sc = -1
	}
	ar, ac := math.Abs(dr), math.Abs(dc)
	diag := mag[(r+sr)*Side+c+sc]
	if ar >= ac {
		t := ac / ar
		return (1-t)*mag[(r+sr)*Side+c] + t*diag
	}
	t := ar / ac
	return (1-t)*mag[r*Side+c+sc] + t*diag
}

// hysteresis writes into dst 1 for each local maximum (maxima > 0) of
// value ≥ cannyLow connected (8-neighbourhood) through such maxima to one of
// value ≥ cannyHigh, and 0 elsewhere.
func hysteresis(w *work, dst, maxima []float64) {
	clear(dst)
	stack := w.stack[:0]
	for i, v := range maxima {
		if v >= cannyHigh {
			dst[i] = 1
			stack = append(stack, i)
		}
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		r, c := i/Side, i%Side
		for nr := max(r-1, 0); nr <= min(r+1, Side-1); nr++ {
			for nc := max(c-1, 0); nc <= min(c+1, Side-1); nc++ {
				j := nr*Side + nc
				if dst[j] == 0 && maxima[j] >= cannyLow {
					dst[j] = 1
					stack = append(stack, j)
				}
			}
		}
	}
	w.stack = stack
}
