package fake

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"slices"
	"testing"

	"subsetscan/data"
	"subsetscan/internal/cputime"
)

// directSpectrum is the definition, an O(h²w²) sum per image.
func directSpectrum(img []float32, h, w int) []float64 {
	out := make([]float64, h*w)
	for u := range h {
		for v := range w {
			var s complex128
			for y := range h {
				for x := range w {
					a := -2 * math.Pi * (float64(u*y)/float64(h) + float64(v*x)/float64(w))
					s += complex(float64(img[y*w+x]), 0) * cmplx.Exp(complex(0, a))
				}
			}
			out[u*w+v] = math.Log(cmplx.Abs(s) + SpectrumEps)
		}
	}
	return out
}

// TestSpectrumDirect checks Spectrum against the direct sum on random
// 5×7 images and on 28×28 ones, with 1 and 3 workers.
func TestSpectrumDirect(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, shape := range [][]int{{3, 5, 7, 1}, {2, 28, 28}} {
		x := data.NewArray(shape...)
		for i := range x.Data {
			x.Data[i] = rng.Float32()
		}
		var first *data.Array
		for _, workers := range []int{1, 3} {
			s, err := Spectrum(x, workers)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(s.Shape, x.Shape) {
				t.Fatalf("shape %v, want %v", s.Shape, x.Shape)
			}
			for i := range x.Len() {
				want := directSpectrum(x.Row(i), shape[1], shape[2])
				for k, v := range s.Row(i) {
					// float32 output: 1e-5 relative.
					if math.Abs(float64(v)-want[k]) > 1e-5*(1+math.Abs(want[k])) {
						t.Fatalf("%v image %d frequency %d: %v, direct sum %v", shape, i, k, v, want[k])
					}
				}
			}
			if first == nil {
				first = s
			} else if !slices.Equal(first.Data, s.Data) {
				t.Errorf("%v: 3 workers differ from 1", shape)
			}
		}
	}
}

// TestSpectrumConstant checks a constant image: all its energy is at the
// zero frequency, h·w·c, and every other magnitude is 0 (ln ε).
func TestSpectrumConstant(t *testing.T) {
	x := data.NewArray(1, 4, 4, 1)
	for i := range x.Data {
		x.Data[i] = 0.5
	}
	s, err := Spectrum(x, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := float64(s.Data[0]), math.Log(8+SpectrumEps); math.Abs(got-want) > 1e-6 {
		t.Errorf("zero frequency %v, want ln 8 = %v", got, want)
	}
	for k, v := range s.Data[1:] {
		if math.Abs(float64(v)-math.Log(SpectrumEps)) > 1e-3 {
			t.Errorf("frequency %d: %v, want ln ε", k+1, v)
		}
	}
}

// TestSpectrumErrors checks that multi-channel images and NaNs are errors.
func TestSpectrumErrors(t *testing.T) {
	if _, err := Spectrum(data.NewArray(2, 4, 4, 3), 1); err == nil {
		t.Error("3 channels: no error")
	}
	if _, err := Spectrum(data.NewArray(2, 16), 1); err == nil {
		t.Error("flat rows: no error")
	}
	x := data.NewArray(1, 4, 4)
	x.Data[5] = float32(math.NaN())
	if _, err := Spectrum(x, 1); err == nil {
		t.Error("NaN: no error")
	}
}

func BenchmarkSpectrum(b *testing.B) {
	x := data.NewArray(1000, 28, 28, 1)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range x.Data {
		x.Data[i] = rng.Float32()
	}
	cpu0 := cputime.Used()
	for b.Loop() {
		if _, err := Spectrum(x, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)/1000*1e6, "µs/image")
	b.ReportMetric((cputime.Used()-cpu0).Seconds()/float64(b.N)/1000*1e6, "cpu-µs/image")
}
