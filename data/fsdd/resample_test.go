package fsdd_test

import (
	"math"
	"testing"

	"subsetscan/data/fsdd"
)

// tone returns n samples of a sine of f Hz at rate r, amplitude a.
func tone(n int, f, r, a float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(a * math.Sin(2*math.Pi*f*float64(i)/r))
	}
	return x
}

// rms returns the root mean square of x[lo:hi].
func rms(x []float32, lo, hi int) float64 {
	var s float64
	for _, v := range x[lo:hi] {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(hi-lo))
}

// TestResampleProperties checks the resampler's properties: the output
// length, a copy for equal rates, a constant kept (away from the edges),
// a tone below the lower Nyquist frequency kept through 8 → 4 → 8 kHz
// within 1 %, and one above it removed (below −60 dB).
func TestResampleProperties(t *testing.T) {
	for _, tc := range []struct{ n, from, to, want int }{{8000, 8000, 4000, 4000}, {8001, 8000, 4000, 4001}, {3, 8000, 16000, 6}, {7, 8000, 8000, 7}, {10, 8000, 3000, 4}} {
		y, err := fsdd.Resample(make([]float32, tc.n), tc.from, tc.to)
		if err != nil || len(y) != tc.want {
			t.Errorf("%d samples %d → %d Hz: %d samples, %v; want %d", tc.n, tc.from, tc.to, len(y), err, tc.want)
		}
	}
	dc := make([]float32, 4000)
	for i := range dc {
		dc[i] = 0.5
	}
	for _, to := range []int{4000, 16000, 7919} { // 7919: a prime, too many phases to tabulate
		y, _ := fsdd.Resample(dc, 8000, to)
		for i := 100; i < len(y)-100; i++ {
			if math.Abs(float64(y[i])-0.5) > 1e-3 {
				t.Fatalf("constant 0.5 at %d Hz → sample %d is %v", to, i, y[i])
			}
		}
	}
	for _, tc := range []struct {
		f    float64
		keep bool
	}{{500, true}, {1500, true}, {3000, false}, {3800, false}} {
		x := tone(8000, tc.f, 8000, 0.5)
		down, err := fsdd.Resample(x, 8000, 4000)
		if err != nil {
			t.Fatal(err)
		}
		back, err := fsdd.Resample(down, 4000, 8000)
		if err != nil || len(back) != len(x) {
			t.Fatalf("%v Hz: %d samples back, %v", tc.f, len(back), err)
		}
		in, out := rms(x, 500, 7500), rms(back, 500, 7500)
		gain := 20 * math.Log10(out/in)
		if tc.keep && math.Abs(out/in-1) > 0.01 || !tc.keep && gain > -60 {
			t.Errorf("%v Hz through 8 → 4 → 8 kHz: gain %.2f dB (keep %v)", tc.f, gain, tc.keep)
		}
		if tc.keep {
			var e float64
			for i := 500; i < 7500; i++ {
				e = max(e, math.Abs(float64(back[i]-x[i])))
			}
			if e > 0.01 {
				t.Errorf("%v Hz: largest difference %v after 8 → 4 → 8 kHz", tc.f, e)
			}
		}
	}
}

func TestResampleBad(t *testing.T) {
	for _, tc := range []struct {
		x        []float32
		from, to int
	}{{nil, 8000, 4000}, {[]float32{1}, 0, 4000}, {[]float32{1}, 8000, -1}} {
		if _, err := fsdd.Resample(tc.x, tc.from, tc.to); err == nil {
			t.Errorf("Resample(%d samples, %d, %d): no error", len(tc.x), tc.from, tc.to)
		}
	}
}

func BenchmarkResample(b *testing.B) {
	x := tone(16000, 440, 8000, 0.5)
	for b.Loop() {
		down, _ := fsdd.Resample(x, 8000, 4000)
		_, _ = fsdd.Resample(down, 4000, 8000)
	}
}
