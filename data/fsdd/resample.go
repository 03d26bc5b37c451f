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
	for t := range out {
		pos := float64(t) * float64(from) / float64(to)
		lo, hi := max(0, int(math.Ceil(pos-half))), min(len(x)-1, int(math.Floor(pos+half)))
		var s float64
		for k := lo; k <= hi; k++ {
			s += float64(x[k]) * kernel(pos-float64(k), cut, half)
		}
		out[t] = float32(s)
	}
	return out, nil
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
