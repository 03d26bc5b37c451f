package mnistc

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/floats/scalar"
)

func TestGaussKernel(t *testing.T) {
	for _, tc := range []struct {
		sigma float64
		taps  int // 2·int(4σ + 0.5) + 1, scipy's _gaussian_kernel1d radius
	}{{0.7, 7}, {1, 9}, {1.5, 13}} {
		k := gaussKernel(tc.sigma)
		if len(k) != tc.taps {
			t.Errorf("σ = %g: %d taps, want %d", tc.sigma, len(k), tc.taps)
		}
		if s := floats.Sum(k); !scalar.EqualWithinAbs(s, 1, 1e-12) {
			t.Errorf("σ = %g: sum %v", tc.sigma, s)
		}
		r := slices.Clone(k)
		slices.Reverse(r)
		if !floats.Equal(k, r) {
			t.Errorf("σ = %g: not symmetric", tc.sigma)
		}
		// The ratio of neighbouring weights is exp(−(2j+1)/2σ²).
		mid := len(k) / 2
		if got, want := k[mid+1]/k[mid], math.Exp(-0.5/(tc.sigma*tc.sigma)); !scalar.EqualWithinRel(got, want, 1e-12) {
			t.Errorf("σ = %g: ratio %v, want %v", tc.sigma, got, want)
		}
	}
}

func TestMotionWeights(t *testing.T) {
	if len(motionKernel) != 21 { // 2⌈10⌉ + 1, ImageMagick's GetOptimalKernelWidth1D
		t.Errorf("%d taps, want 21", len(motionKernel))
	}
	if s := floats.Sum(motionKernel); !scalar.EqualWithinAbs(s, 1, 1e-12) {
		t.Errorf("sum %v", s)
	}
	if !slices.IsSortedFunc(motionKernel, func(a, b float64) int { return cmp.Compare(b, a) }) {
		t.Error("weights not decreasing")
	}
}

// A smoothing of a constant image is that constant, whatever the boundary
// except constant (zeros outside).
func TestGaussianConstant(t *testing.T) {
	src, dst, tmp := make([]float64, Pixels), make([]float64, Pixels), make([]float64, Pixels)
	for i := range src {
		src[i] = 0.25
	}
	for _, b := range []boundary{nearest, reflect} {
		gaussian(dst, src, tmp, gaussKernel(1.5), b)
		for i, v := range dst {
			if !scalar.EqualWithinAbs(v, 0.25, 1e-12) {
				t.Fatalf("boundary %d, pixel %d: %v", b, i, v)
			}
		}
	}
	gaussian(dst, src, tmp, gaussKernel(1), constant)
	if dst[0] >= 0.25*0.9 || !scalar.EqualWithinAbs(dst[14*Side+14], 0.25, 1e-6) {
		t.Errorf("constant: corner %v, centre %v", dst[0], dst[14*Side+14])
	}
}

func TestBoundaryIndex(t *testing.T) {
	for _, tc := range []struct {
		b    boundary
		i    int
		want int
		ok   bool
	}{
		{nearest, -2, 0, true}, {nearest, Side + 1, Side - 1, true},
		{reflect, -1, 0, true}, {reflect, -2, 1, true}, {reflect, Side, Side - 1, true}, {reflect, Side + 1, Side - 2, true},
		{constant, -1, 0, false}, {constant, Side, 0, false}, {constant, 5, 5, true},
	} {
		got, ok := tc.b.index(tc.i)
		if got != tc.want || ok != tc.ok {
			t.Errorf("boundary %d, index %d: got %d, %v, want %d, %v", tc.b, tc.i, got, ok, tc.want, tc.ok)
		}
	}
}

func TestPlasma(t *testing.T) {
	m := make([]float64, plasmaSize*plasmaSize)
	plasma(m, fogDecay, rand.New(rand.NewPCG(1, 2)))
	lo, hi := extent(m)
	if lo != floats.Min(m) || hi != floats.Max(m) {
		t.Errorf("extent [%v, %v], want [%v, %v]", lo, hi, floats.Min(m), floats.Max(m))
	}
	// wibble² = 10⁴ at the first step, so the map spans thousands.
	if hi-lo < 100 {
		t.Errorf("range [%v, %v]", lo, hi)
	}
	again := make([]float64, len(m))
	plasma(again, fogDecay, rand.New(rand.NewPCG(1, 2)))
	if !floats.Equal(m, again) {
		t.Error("same seed, different maps")
	}
	plasma(again, fogDecay, rand.New(rand.NewPCG(2, 2)))
	if floats.Equal(m, again) {
		t.Error("different seeds, same map")
	}
	// The map is smooth: neighbours differ far less than the range.
	var step float64
	for r := range plasmaSize {
		for c := range plasmaSize - 1 {
			step = max(step, math.Abs(m[r*plasmaSize+c+1]-m[r*plasmaSize+c]))
		}
	}
	if step /= hi - lo; step > 0.2 {
		t.Errorf("largest step between neighbours %v", step)
	}
}

// A lone bright square has its Canny edges on its outline, 1 pixel wide.
func TestCannySquare(t *testing.T) {
	src := make([]float64, Pixels)
	for r := 8; r < 20; r++ {
		for c := 8; c < 20; c++ {
			src[r*Side+c] = 1
		}
	}
	w := newWork()
	copy(w.a, src)
	cannyEdges(w, w.b, w.a, nil)
	for p, v := range w.b {
		r, c := p/Side, p%Side
		onOutline := (r == 7 || r == 8 || r == 19 || r == 20) && c >= 7 && c <= 20 ||
			(c == 7 || c == 8 || c == 19 || c == 20) && r >= 7 && r <= 20
		if v == 1 && !onOutline {
			t.Errorf("edge at (%d, %d), off the outline", r, c)
		}
	}
	if n := floats.Sum(w.b); n < 40 {
		t.Errorf("%v edge pixels, want about 48", n)
	}
}
