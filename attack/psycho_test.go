package attack_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"subsetscan/attack"
)

// tone returns n samples of a sine of f Hz and amplitude amp at 8 kHz,
// plus seeded white noise of amplitude noise.
func tone(n int, f, amp, noise float64, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(amp*math.Sin(2*math.Pi*f*float64(i)/8000) + noise*(2*rng.Float64()-1))
	}
	return x
}

// smallMasker is a fast model for tests: 32 ms windows every 8 ms.
var smallMasker = attack.Psychoacoustic{Rate: 8000, Window: 256, Hop: 64}

// TestMaskingGradient compares the hand-computed gradient of the masking
// loss with central finite differences at samples across the utterance,
// for a perturbation loud enough that some bins exceed the threshold and
// others do not.
func TestMaskingGradient(t *testing.T) {
	for _, p := range []attack.Psychoacoustic{smallMasker, attack.NewPsychoacoustic(8000)} {
		x := tone(3000, 700, 0.3, 0.01, 1)
		mk, err := p.Threshold(x)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(2, 2))
		delta := make([]float32, len(x))
		for i := range delta {
			delta[i] = float32(0.01 * rng.NormFloat64())
		}
		grad := make([]float32, len(x))
		loss := mk.Loss(delta, grad)
		if !(loss > 0) {
			t.Fatalf("window %d: loss %v, want some bins above the threshold", p.Window, loss)
		}
		const h = 1e-4
		for _, i := range []int{0, 1, 100, 777, 1500, 2222, 2900, 2999} {
			d0 := delta[i]
			delta[i] = d0 + h
			up := mk.Loss(delta, nil)
			delta[i] = d0 - h
			down := mk.Loss(delta, nil)
			delta[i] = d0
			fd := (up - down) / (float64(d0+h) - float64(d0-h))
			if math.Abs(fd-float64(grad[i])) > 1e-3*math.Abs(fd)+1e-6*loss {
				t.Errorf("window %d, sample %d: gradient %g, finite difference %g", p.Window, i, grad[i], fd)
			}
		}
	}
}

// TestMaskingThreshold checks properties of θ for a 1 kHz tone: it is
// never below the hearing threshold; it is far above it near the tone;
// it falls away from the tone, more steeply below it than above (the
// spreading function's slopes); and the loss is scale-free: (2x, 2δ)
// scores as (x, δ), while δ against 2x, 6 dB further under the mask,
// scores less.
func TestMaskingThreshold(t *testing.T) {
	x := tone(4000, 1000, 0.5, 0, 3)
	p := smallMasker
	mk, err := p.Threshold(x)
	if err != nil {
		t.Fatal(err)
	}
	bin := func(f float64) int { return int(math.Round(f * float64(p.Window) / float64(p.Rate))) }
	hz := func(k int) float64 { return float64(k) * float64(p.Rate) / float64(p.Window) }
	f := mk.Frames() / 2
	th := mk.Theta(f)
	for k, v := range th {
		if !(v >= attack.HearingThreshold(hz(k))) {
			t.Errorf("bin %d (%.0f Hz): θ %.2f dB below the hearing threshold %.2f", k, hz(k), v, attack.HearingThreshold(hz(k)))
		}
	}
	at, below, above, far := th[bin(1000)], th[bin(700)], th[bin(1400)], th[bin(3000)]
	t.Logf("θ at 1 kHz %.1f dB, 700 Hz %.1f, 1400 Hz %.1f, 3 kHz %.1f (ATH %.1f)", at, below, above, far, attack.HearingThreshold(3000))
	if !(at > attack.HearingThreshold(1000)+40) || !(at > above && above > far) || !(at > below) {
		t.Errorf("θ does not fall away from the tone: %.1f at it, %.1f at 1400 Hz, %.1f at 3 kHz, %.1f at 700 Hz", at, above, far, below)
	}
	if !(above > below) {
		t.Errorf("θ at 1400 Hz (%.1f, %.2f Bark above) not above θ at 700 Hz (%.1f, %.2f Bark below)",
			above, attack.Bark(1400)-attack.Bark(1000), below, attack.Bark(1000)-attack.Bark(700))
	}
	delta := tone(4000, 2000, 0.01, 0.002, 4)
	scaled := func(v []float32, s float32) []float32 {
		out := make([]float32, len(v))
		for i, a := range v {
			out[i] = s * a
		}
		return out
	}
	mk2, err := p.Threshold(scaled(x, 2))
	if err != nil {
		t.Fatal(err)
	}
	l1, l2, l3 := mk.Loss(delta, nil), mk2.Loss(scaled(delta, 2), nil), mk2.Loss(delta, nil)
	if !(l1 > 0) || math.Abs(l1-l2) > 1e-9*l1 || !(l3 < l1) {
		t.Errorf("losses: (x, δ) %g, (2x, 2δ) %g, (2x, δ) %g; want the first two equal and the last smaller", l1, l2, l3)
	}
	for k, v := range mk2.Theta(f) {
		if math.Abs(v-th[k]) > 1e-9 {
			t.Fatalf("bin %d: θ of 2x %v dB, of x %v: the normalisation to 96 dB should make them equal", k, v, th[k])
		}
	}
}

func TestThresholdBad(t *testing.T) {
	if _, err := smallMasker.Threshold(make([]float32, 500)); err == nil {
		t.Error("silent utterance: no error")
	}
	if _, err := (attack.Psychoacoustic{Rate: 8000, Window: 255, Hop: 64}).Threshold(tone(500, 100, 0.1, 0, 1)); err == nil {
		t.Error("odd window: no error")
	}
	p := attack.NewPsychoacoustic(8000)
	if p.Window != 1024 || p.Hop != 256 {
		t.Errorf("NewPsychoacoustic(8000) = %+v, want a window of 1024 every 256", p)
	}
	// 3000 samples: windows at 0, 256, …, 2048 (the last padded).
	if got := p.Frames(3000); got != 9 {
		t.Errorf("Frames(3000) = %d, want 9", got)
	}
}
