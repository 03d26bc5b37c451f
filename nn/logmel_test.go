package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// speechMel is the front end of the speech models: 25 ms frames every
// 10 ms at 8 kHz, 40 mels from 20 Hz to 4 kHz.
var speechMel = MelSpec{Rate: 8000, Frame: 200, Hop: 80, Mels: 40, FMin: 20, FMax: 4000}

// newMel returns a LogMel layer on n samples.
func newMel(t testing.TB, spec MelSpec, n int) *logMel {
	t.Helper()
	l, err := newLogMel(LayerSpec{Kind: LogMel, Mel: spec}, [][]int{{n}})
	if err != nil {
		t.Fatal(err)
	}
	return l.(*logMel)
}

// TestLogMelDFT compares the front end with its definition computed
// directly: a naive DFT of each Hann-windowed frame, in float64.
func TestLogMelDFT(t *testing.T) {
	// float32 outputs of values of magnitude ≤ 15.
	const tol = 1e-5
	l := newMel(t, speechMel, 1000)
	if l.frames != 11 || l.fft != 256 {
		t.Fatalf("frames %d, fft %d, want 11, 256", l.frames, l.fft)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	x := uniform(rng, -0.5, 0.5, 1000).Data
	out := make([]float32, l.frames*40)
	l.forward(out, [][]float32{x}, nil, nil, false)
	bins := 129
	for f := range l.frames {
		pow := make([]float64, bins)
		for k := range bins {
			var re, im float64
			for j := range 200 {
				w := 0.5 - 0.5*math.Cos(2*math.Pi*float64(j)/200)
				a := -2 * math.Pi * float64(j*k) / 256
				re += w * float64(x[f*80+j]) * math.Cos(a)
				im += w * float64(x[f*80+j]) * math.Sin(a)
			}
			pow[k] = re*re + im*im
		}
		for m := range 40 {
			var e float64
			for k, p := range pow {
				e += l.bank[m*bins+k] * p
			}
			if want := math.Log(e + 1e-6); !scalar.EqualWithinAbs(float64(out[f*40+m]), want, tol) {
				t.Fatalf("frame %d mel %d: %v, direct %v", f, m, out[f*40+m], want)
			}
		}
	}
}

// TestLogMelBank checks the filter bank's shape and a tone's mel bin:
// triangles of peak ≤ 1 (1 where a bin falls on the centre), nothing on
// the DC bin or outside [FMin, FMax], and a 1 kHz tone loudest in the bin
// whose centre is nearest 1 kHz; digital silence gives ln Eps.
func TestLogMelBank(t *testing.T) {
	l := newMel(t, speechMel, 8000)
	bins := 129
	for m := range 40 {
		if l.bank[m*bins] != 0 {
			t.Errorf("mel %d weighs the DC bin", m)
		}
		peak := 0.0
		for k := range bins {
			w := l.bank[m*bins+k]
			hz := float64(k) * 8000 / 256
			if w > 0 && (hz <= 20 || hz >= 4000) {
				t.Errorf("mel %d weighs bin %d (%v Hz)", m, k, hz)
			}
			peak = max(peak, w)
		}
		if !(peak > 0.3 && peak <= 1) {
			t.Errorf("mel %d: peak %v", m, peak)
		}
	}
	x := make([]float32, 8000)
	for i := range x {
		x[i] = float32(0.5 * math.Sin(2*math.Pi*1000*float64(i)/8000))
	}
	out := make([]float32, l.frames*40)
	l.forward(out, [][]float32{x}, nil, nil, false)
	best := 0
	for m, v := range out[50*40 : 51*40] {
		if v > out[50*40+best] {
			best = m
		}
	}
	lo, hi := hzToMel(20), hzToMel(4000)
	centre := func(m int) float64 { return 700 * math.Expm1((lo+(hi-lo)*float64(m+1)/41)/1127) }
	if math.Abs(centre(best)-1000) > math.Abs(centre(best+1)-1000) || math.Abs(centre(best)-1000) > math.Abs(centre(best-1)-1000) {
		t.Errorf("1 kHz tone loudest in mel %d (centre %.0f Hz)", best, centre(best))
	}
	l.forward(out, [][]float32{make([]float32, 8000)}, nil, nil, false)
	if want := float32(math.Log(1e-6)); out[0] != want || out[len(out)-1] != want {
		t.Errorf("silence: %v, want ln 1e-6 = %v", out[0], want)
	}
}

// TestLogMelErrors checks the specs and inputs LogMel refuses.
func TestLogMelErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		spec MelSpec
		in   []int
	}{
		"no rate":        {MelSpec{Frame: 4, Hop: 2, Mels: 2}, []int{10}},
		"odd fft":        {MelSpec{Rate: 100, Frame: 4, Hop: 2, Mels: 2, FFT: 5}, []int{10}},
		"short fft":      {MelSpec{Rate: 100, Frame: 8, Hop: 2, Mels: 2, FFT: 4}, []int{10}},
		"fmax":           {MelSpec{Rate: 100, Frame: 4, Hop: 2, Mels: 2, FMax: 60}, []int{10}},
		"fmin":           {MelSpec{Rate: 100, Frame: 4, Hop: 2, Mels: 2, FMin: 50}, []int{10}},
		"short input":    {MelSpec{Rate: 100, Frame: 16, Hop: 2, Mels: 2}, []int{10}},
		"image":          {MelSpec{Rate: 100, Frame: 4, Hop: 2, Mels: 2}, []int{10, 2}},
		"negative eps":   {MelSpec{Rate: 100, Frame: 4, Hop: 2, Mels: 2, Eps: -1}, []int{10}},
		"not a waveform": {MelSpec{Rate: 100, Frame: 4, Hop: 2, Mels: 2}, []int{10, 1, 1}},
	} {
		if _, err := newLogMel(LayerSpec{Kind: LogMel, Mel: tc.spec}, [][]int{tc.in}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// BenchmarkLogMel runs the front end and its input gradient on 1 s of
// 8 kHz audio (98 frames of 200 samples, FFT 256, 40 mels) and reports
// samples of audio per second.
func BenchmarkLogMel(b *testing.B) {
	const n = 8000
	l := newMel(b, speechMel, n)
	x := uniform(rand.New(rand.NewPCG(1, 1)), -0.5, 0.5, n).Data
	out := make([]float32, l.frames*40)
	g := make([]float32, n)
	for _, pass := range []string{"forward", "backward"} {
		b.Run(pass, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				l.forward(out, [][]float32{x}, nil, nil, false)
				if pass == "backward" {
					l.backward([][]float32{g}, out, out, [][]float32{x}, nil, nil, nil)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// TestLogMelGradientAllBins checks the waveform gradient against finite
// differences with a filter bank that weighs every bin, the DC and
// Nyquist bins included (TensorFlow's bank gives them no weight, so the
// gradient checks of gradCases do not reach them).
func TestLogMelGradientAllBins(t *testing.T) {
	l := newMel(t, MelSpec{Rate: 800, Frame: 12, Hop: 5, Mels: 3}, 30)
	bins := l.fft/2 + 1
	rng := rand.New(rand.NewPCG(8, 8))
	for m := range 3 {
		l.lo[m], l.hi[m] = 0, bins
		for k := range bins {
			l.bank[m*bins+k] = rng.Float64()
		}
	}
	x := uniform(rng, -1, 1, 30).Data
	up := uniform(rng, -1, 1, l.frames*3).Data
	out := make([]float32, len(up))
	f := func() float64 {
		l.forward(out, [][]float32{x}, nil, nil, false)
		s := 0.0
		for i, v := range out {
			s += float64(up[i]) * float64(v)
		}
		return s
	}
	g := make([]float32, len(x))
	l.backward([][]float32{g}, up, nil, [][]float32{x}, nil, nil, nil)
	var count fdCount
	checkFD(t, "log mel", f, x, g, &count)
	count.vacuous(t, "log mel")
}
