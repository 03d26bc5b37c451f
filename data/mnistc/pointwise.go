package mnistc

import (
	"math"
	"math/rand/v2"
)

// Parameters of the pixel-wise corruptions, from corruptions.py of
// google-research/mnist-c at the severity the benchmark uses (the default
// severity argument of each function there).
const (
	// shotRate is c of shot_noise at severity 5: a pixel of value v
	// becomes Poisson(c·v)/c.
	shotRate = 3
	// impulseAmount is the amount of impulse_noise at severity 4: the
	// fraction of pixels replaced by salt (1) or pepper (0), half each
	// (scikit-image random_noise, mode "s&p", salt_vs_pepper 0.5).
	impulseAmount = 0.17
	// brightnessShift is c of brightness at severity 5, added to the HSV
	// value channel.
	brightnessShift = 0.5
	// stripeWidth is the width of the two inverted bands of stripe:
	// columns [0, 7) and [21, 28).
	stripeWidth = 7
)

// shotNoise replaces each pixel v by Poisson(shotRate·v)/shotRate
// (shot_noise).
func shotNoise(_ *work, dst, src []float64, rng *rand.Rand) {
	for i, v := range src {
		dst[i] = float64(poisson(shotRate*v, rng)) / shotRate
	}
}

// poisson draws from the Poisson distribution of mean lambda by Knuth's
// product of uniforms, which is exact and fast for the small means used
// here (at most shotRate). lambda ≤ 0 gives 0.
func poisson(lambda float64, rng *rand.Rand) int {
	if !(lambda > 0) {
		return 0
	}
	limit := math.Exp(-lambda)
	k := 0
	for p := rng.Float64(); p > limit; p *= rng.Float64() {
		k++
	}
	return k
}

// impulseNoise replaces each pixel, with probability impulseAmount, by 1 or
// 0 with equal odds (impulse_noise). As in scikit-image's random_noise,
// whether a pixel is replaced and whether it turns to salt are independent
// draws per pixel, so the number of replaced pixels is binomial.
func impulseNoise(_ *work, dst, src []float64, rng *rand.Rand) {
	for i, v := range src {
		flip := rng.Float64() < impulseAmount
		salt := rng.Float64() < 0.5
		switch {
		case flip && salt:
			dst[i] = 1
		case flip:
			dst[i] = 0
		default:
			dst[i] = v
		}
	}
}

// brightness adds brightnessShift to each pixel, clipped to 1
// (brightness). The reference converts gray to RGB, RGB to HSV, adds to V,
// and converts back; for a gray pixel the saturation is 0 and V is the
// pixel, and rgb2gray's weights (0.2125, 0.7154, 0.0721) sum to 1, so the
// round trip is min(v + c, 1) up to rounding.
func brightness(_ *work, dst, src []float64, _ *rand.Rand) {
	for i, v := range src {
		dst[i] = min(v+brightnessShift, 1)
	}
}

// stripe inverts (1 − v) the stripeWidth leftmost and rightmost columns
// (stripe).
func stripe(_ *work, dst, src []float64, _ *rand.Rand) {
	for i, v := range src {
		if c := i % Side; c < stripeWidth || c >= Side-stripeWidth {
			v = 1 - v
		}
		dst[i] = v
	}
}
