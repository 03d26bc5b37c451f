package mnistc

import "math/rand/v2"

// Parameters of spatter at severity 4 (corruptions.py, spatter; c[5], the
// mud/water switch of ImageNet-C, is unused there).
const (
	spatterMean      = 0.65 // c[0]: mean of the liquid layer's Gaussian noise
	spatterStd       = 0.3  // c[1]: its standard deviation
	spatterSigma     = 1.0  // c[2]: the smoothing of the liquid layer
	spatterThreshold = 0.65 // c[3]: the liquid is where the layer exceeds this
	spatterMaskSigma = 1.5  // c[4]: the smoothing of the liquid mask
	spatterMaskMin   = 0.8  // mask values below this are dropped
	spatterColour    = 63.0 / 255
)

var (
	spatterKernel     = gaussKernel(spatterSigma)
	spatterMaskKernel = gaussKernel(spatterMaskSigma)
)

// spatter paints blobs of mud of value spatterColour over the image
// (spatter). A layer of Gaussian noise N(spatterMean, spatterStd²) per pixel
// is smoothed (σ = spatterSigma); the pixels above spatterThreshold form a
// 0/1 mask, which is smoothed (σ = spatterMaskSigma) and zeroed below
// spatterMaskMin to give m; the pixel becomes v·(1 − m) + spatterColour·m.
// Both smoothings read outside the image as the nearest edge pixel
// (scikit-image gaussian's default).
func spatter(w *work, dst, src []float64, rng *rand.Rand) {
	layer, mask := dst, w.c
	for i := range layer {
		layer[i] = spatterMean + spatterStd*rng.NormFloat64()
	}
	gaussian(mask, layer, w.d, spatterKernel, nearest)
	for i, v := range mask {
		layer[i] = 0
		if v > spatterThreshold {
			layer[i] = 1
		}
	}
	gaussian(mask, layer, w.d, spatterMaskKernel, nearest)
	for i, m := range mask {
		if m < spatterMaskMin {
			m = 0
		}
		dst[i] = src[i]*(1-m) + spatterColour*m
	}
}
