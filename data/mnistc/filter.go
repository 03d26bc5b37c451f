package mnistc

import "math"

// boundary says how a filter reads outside the image, with the names of
// scipy.ndimage.
type boundary int

const (
	nearest  boundary = iota // repeat the edge pixel: a a a | a b c
	constant                 // zeros: 0 0 0 | a b c
	reflect                  // mirror about the edge: c b a | a b c
)

// index maps i, which may lie outside [0, Side), to the index read under b;
// ok is false when b is constant and i is outside.
func (b boundary) index(i int) (j int, ok bool) {
	if i >= 0 && i < Side {
		return i, true
	}
	switch b {
	case nearest:
		return clampIndex(i), true
	case reflect:
		if i < 0 {
			return clampIndex(-i - 1), true
		}
		return clampIndex(2*Side - i - 1), true
	}
	return 0, false
}

// gaussKernel returns the weights of scipy.ndimage.gaussian_filter1d for
// sigma with the default truncate of 4: radius int(4σ + 0.5), weights
// exp(−j²/2σ²) for j in [−radius, radius], summing to 1.
func gaussKernel(sigma float64) []float64 {
	r := int(4*sigma + 0.5)
	k := make([]float64, 2*r+1)
	var sum float64
	for j := -r; j <= r; j++ {
		k[j+r] = math.Exp(-0.5 * float64(j*j) / (sigma * sigma))
		sum += k[j+r]
	}
	for j := range k {
		k[j] /= sum
	}
	return k
}

// correlate writes into dst the correlation of src with the odd-length
// kernel k, centred, along axis (0: down the columns, 1: along the rows):
// dst[i] = Σ_j k[j]·src[i + j − len(k)/2], reading outside the image under
// b. dst and src must not alias; k has at most maxTaps weights.
func correlate(dst, src, k []float64, axis int, b boundary) {
	// from[p*len(k)+j] is the position read by tap j at position p along
	// axis, or −1 for a zero outside the image.
	var table [Side * maxTaps]int
	from := table[:Side*len(k)]
	r := len(k) / 2
	for p := range Side {
		for j := range k {
			q, ok := b.index(p + j - r)
			if !ok {
				q = -1
			}
			from[p*len(k)+j] = q
		}
	}
	along, across := 1, Side // the strides of axis and of the other axis
	if axis == 0 {
		along, across = Side, 1
	}
	for o := range Side {
		for p := range Side {
			var s float64
			for j, q := range from[p*len(k) : (p+1)*len(k)] {
				if q >= 0 {
					s += k[j] * src[o*across+q*along]
				}
			}
			dst[o*across+p*along] = s
		}
	}
}

// maxTaps bounds the kernels correlate takes: gaussKernel(1.5) has 13.
const maxTaps = 15

// gaussian writes into dst the separable Gaussian smoothing of src with the
// kernel k along both axes, as scipy.ndimage.gaussian_filter (rows first,
// then columns), using tmp as scratch. dst, src and tmp must not alias.
func gaussian(dst, src, tmp, k []float64, b boundary) {
	correlate(tmp, src, k, 0, b)
	correlate(dst, tmp, k, 1, b)
}
