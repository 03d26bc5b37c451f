package fsdd

import (
	"errors"
	"fmt"
	"math"
)

// resampleZeros is the half-width of Resample's interpolation kernel in
// zero crossings of its sinc (at the lower of the two rates): 16 keep the
// pass band within about 0.1 % and put the stop band below −70 dB with the
// Blackman window, at 33 taps per output sample.
const resampleZeros = 16

// Resample converts the waveform x from the rate from to the rate to (in
// Hz, both ≥ 1) by band-limited interpolation: each output sample t/to
// seconds is Σ x[n]·h(t·from/to − n) over the input samples within
// resampleZeros zero crossings, with h a sinc low-pass at the lower
// Nyquist frequency, min(from, to)/2, shaped by a Blackman window and
// scaled so that a constant signal keeps its level. Down-sampling thus
// removes what the lower rate cannot hold (no aliasing beyond the
// window's leakage), and up-sampling adds nothing above the original
// Nyquist frequency. Samples before the start and after the end count as
// zero. The result has ⌈len(x)·to/from⌉ samples; from == to returns a
// copy of x.
//
// This is the windowed-sinc resampler of Smith's "Digital audio
// resampling" (the kernel evaluated directly at each output position,
// not tabulated), which the down/up-sampling defence of the audio study
// uses (8 kHz → 4 kHz → 8 kHz).
func Resample(x []float32, from, to int) ([]float32, error) {
	switch {
	case from < 1 || to < 1:
		return nil, fmt.Errorf("fsdd: Resample from %d Hz to %d Hz: rates must be ≥ 1", from, to)
	case len(x) == 0:
		return nil, errors.New("fsdd: Resample of an empty waveform")
	}
	if from == to {
		return append([]float32(nil), x...), nil
	}
	n := (len(x)*to + from - 1) / from
	out := make([]float32, n)
	// The cut-off, as a fraction of the input rate, and the kernel's
	// half-width in input samples.
	cut := 0.5 * math.Min(1, float64(to)/float64(from))
	half := float64(resampleZeros) / (2 * cut)
	// Output sample t sits at input position t·from/to, whose fraction
	// (t·from mod to)/to takes to/g values: the kernel's weights are
	// computed once per value.
	g := gcd(from, to)
	var phases [][]float64 // by ph/g, when there are few
	if to/g <= 4096 {
		phases = make([][]float64, to/g)
	}
	for t := range out {
		num := t * from
		base, ph := num/to, num%to
		var w []float64
		if phases != nil {
			w = phases[ph/g]
		}
		if w == nil {
			w = phaseWeights(float64(ph)/float64(to), cut, half)
			if phases != nil {
				phases[ph/g] = w
			}
		}
		k0 := base - int(math.Floor(half)) - 1
		var s float64
		for j, wj := range w {
			if k := k0 + j; k >= 0 && k < len(x) {
				s += float64(x[k]) * wj
			}
		}
		out[t] = float32(s)
	}
	return out, nil
}

// phaseWeights returns the kernel's weights at input samples base+j−⌊half⌋−1
// for an output at base+frac, j = 0 … 2⌊half⌋+2.
func phaseWeights(frac, cut, half float64) []float64 {
	h := int(math.Floor(half)) + 1
	w := make([]float64, 2*h+1)
	for j := range w {
		w[j] = kernel(frac-float64(j-h), cut, half)
	}
	return w
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// kernel is the windowed sinc at offset d input samples: 2·cut·sinc(2·cut·d)
// times a Blackman window of half-width half.
func kernel(d, cut, half float64) float64 {
	if math.Abs(d) >= half {
		return 0
	}
	v := 2 * cut
	if a := 2 * math.Pi * cut * d; a != 0 {
		v = math.Sin(a) / (math.Pi * d)
	}
	w := 0.42 + 0.5*math.Cos(math.Pi*d/half) + 0.08*math.Cos(2*math.Pi*d/half)
	return v * w
}
