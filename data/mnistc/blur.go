package mnistc

import (
	"math"
	"math/rand/v2"
)

// Parameters of glass_blur at severity 1 (corruptions.py, glass_blur): the
// Gaussian's sigma, the largest displacement of the local shuffle and its
// number of passes.
const (
	glassSigma  = 0.7
	glassDelta  = 1
	glassPasses = 2
)

// Parameters of motion_blur at severity 1 (corruptions.py, motion_blur):
// ImageMagick's MotionBlurImage with radius 10 and sigma 3, at an angle
// drawn uniformly in [−45°, 45°).
const (
	motionRadius   = 10
	motionSigma    = 3
	motionMaxAngle = 45
	motionTaps     = 2*motionRadius + 1 // GetOptimalKernelWidth1D for radius > 0
)

var (
	glassKernel  = gaussKernel(glassSigma)
	motionKernel = motionWeights(motionSigma)
)

// glassBlur smooths the image, rounds it down to 8 bits, swaps pixels with
// random neighbours and smooths again (glass_blur). Each pass visits the
// rows h and, within a row, the columns c from Side−glassDelta down to
// glassDelta+1 (Python's range(28 − δ, δ, −1)); with probability 1/2 the
// pixel is swapped with the pixel at (h+dy, c+dx), dx then dy drawn uniform
// in [−glassDelta, glassDelta) (numpy's randint excludes the upper bound,
// so with glassDelta 1 the offsets are −1 or 0, and the swaps never leave
// the image).
//
// The reference calls scikit-image's gaussian with multichannel=True on a
// 2-D image, which treats the columns as channels and so smooths down the
// columns only (sigma 0 along the rows); this is reproduced. The smoothing
// reads outside the image as the nearest edge pixel (gaussian's default).
func glassBlur(w *work, dst, src []float64, rng *rand.Rand) {
	x := w.c
	correlate(x, src, glassKernel, 0, nearest)
	for i, v := range x {
		x[i] = math.Floor(v*255) / 255 // np.uint8(x*255)
	}
	for range glassPasses {
		for h := Side - glassDelta; h > glassDelta; h-- {
			for c := Side - glassDelta; c > glassDelta; c-- {
				if rng.IntN(2) == 0 {
					continue
				}
				dx := rng.IntN(2*glassDelta) - glassDelta
				dy := rng.IntN(2*glassDelta) - glassDelta
				p, q := h*Side+c, (h+dy)*Side+c+dx
				x[p], x[q] = x[q], x[p]
			}
		}
	}
	correlate(dst, x, glassKernel, 0, nearest)
}

// motionWeights returns the one-sided Gaussian of ImageMagick's
// MotionBlurImage (MagickCore/effect.c): motionTaps weights exp(−i²/2σ²),
// i = 0, 1, …, normalised to sum 1.
func motionWeights(sigma float64) []float64 {
	k := make([]float64, motionTaps)
	var sum float64
	for i := range k {
		k[i] = math.Exp(-float64(i*i) / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	return k
}

// motionBlur averages each pixel with the pixels behind it along a
// direction at an angle drawn uniformly in [−motionMaxAngle,
// motionMaxAngle) degrees from the horizontal, weighted by motionKernel
// (motion_blur). As in ImageMagick, tap i reads the pixel at offset
// (round(i·sin θ), round(i·cos θ)) (row, column), rounding halves down, and
// reads outside the image as the nearest edge pixel (ImageMagick's default
// virtual-pixel method). The result is rounded to 8 bits, as the reference's
// PNG round trip does.
func motionBlur(_ *work, dst, src []float64, rng *rand.Rand) {
	motionBlurAt(dst, src, (2*rng.Float64()-1)*motionMaxAngle*math.Pi/180)
}

// motionBlurAt is motionBlur at the angle theta, in radians.
func motionBlurAt(dst, src []float64, theta float64) {
	var dr, dc [motionTaps]int
	for i := range motionKernel {
		dr[i] = int(math.Ceil(float64(i)*math.Sin(theta) - 0.5))
		dc[i] = int(math.Ceil(float64(i)*math.Cos(theta) - 0.5))
	}
	for r := range Side {
		for c := range Side {
			var s float64
			for i, k := range motionKernel {
				s += k * src[clampIndex(r+dr[i])*Side+clampIndex(c+dc[i])]
			}
			dst[r*Side+c] = math.Round(s*255) / 255
		}
	}
}
