package mnistc

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"subsetscan/data"
)

func TestNames(t *testing.T) {
	// The CORRUPTIONS list of corruptions.py (google-research/mnist-c),
	// without identity.
	want := []string{"shot_noise", "impulse_noise", "glass_blur", "motion_blur", "shear", "scale", "rotate",
		"brightness", "translate", "stripe", "fog", "spatter", "dotted_line", "zigzag", "canny_edges"}
	if got := Names(); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	Names()[0] = "changed"
	if Names()[0] != want[0] {
		t.Error("Names returns a shared slice")
	}
}

func TestByNameUnknown(t *testing.T) {
	for _, name := range []string{"", "identity", "Shot_Noise", "gaussian_noise"} {
		_, err := ByName(name)
		if err == nil || !strings.Contains(err.Error(), "canny_edges") {
			t.Errorf("ByName(%q): got error %v, want one listing the known names", name, err)
		}
	}
}

// Apply gives the same result for any number of workers, the same as
// corrupting image i alone with Rand(seed, name, i), and leaves x alone.
func TestApplyWorkers(t *testing.T) {
	x := testDigits(t, 12)
	before := slices.Clone(x.Data)
	for _, name := range Names() {
		serial, err := Apply(name, x, 7, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(serial.Shape, x.Shape) {
			t.Fatalf("%s: shape %v, want %v", name, serial.Shape, x.Shape)
		}
		for _, workers := range []int{0, 3, 100} {
			got, err := Apply(name, x, 7, workers)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Data, serial.Data) {
				t.Errorf("%s: %d workers differ from 1", name, workers)
			}
		}
		corrupt, err := ByName(name)
		if err != nil {
			t.Fatal(err)
		}
		one := make([]float32, Pixels)
		for _, i := range []int{0, 11} {
			corrupt(one, x.Row(i), Rand(7, name, i))
			if !slices.Equal(one, serial.Row(i)) {
				t.Errorf("%s: image %d differs from the single-image corruption", name, i)
			}
		}
	}
	if !slices.Equal(x.Data, before) {
		t.Error("Apply modified its input")
	}
}

func TestApplyErrors(t *testing.T) {
	good := testDigits(t, 2)
	bad := data.NewArray(2, Side, Side, 1)
	copy(bad.Data, good.Data)
	bad.Data[100] = 1.5
	nan := data.NewArray(1, Pixels)
	nan.Data[3] = float32(math.NaN())
	for _, tc := range []struct {
		name, corruption string
		x                *data.Array
		want             string
	}{
		{"unknown", "blur", good, "unknown corruption"},
		{"shape", "fog", data.NewArray(2, Side, Side-1), "shape"},
		{"three channels", "fog", data.NewArray(2, Side, Side, 3), "shape"},
		{"flat 783", "fog", data.NewArray(2, Pixels-1), "shape"},
		{"above 1", "fog", bad, "image 0, pixel 100"},
		{"NaN", "fog", nan, "pixel 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Apply(tc.corruption, tc.x, 1, 1)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got error %v, want one containing %q", err, tc.want)
			}
		})
	}
	for _, shape := range [][]int{{0, Pixels}, {3, Pixels}, {3, Side, Side}} {
		got, err := Apply("shot_noise", data.NewArray(shape...), 1, 2)
		if err != nil || !slices.Equal(got.Shape, shape) {
			t.Errorf("shape %v: got %v, %v", shape, got, err)
		}
	}
}

func TestCorruptionPanicsOnLength(t *testing.T) {
	corrupt, err := ByName("stripe")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if r := recover(); r != badLength {
			t.Errorf("recovered %v, want %q", r, badLength)
		}
	}()
	corrupt(make([]float32, Pixels), make([]float32, Pixels-1), nil)
}

// The generator of an image depends on the seed, the name and the index.
func TestRand(t *testing.T) {
	first := func(r *rand.Rand) uint64 { return r.Uint64() }
	base := first(Rand(1, "fog", 0))
	if first(Rand(1, "fog", 0)) != base {
		t.Error("Rand is not deterministic")
	}
	for _, other := range []*rand.Rand{Rand(2, "fog", 0), Rand(1, "fog", 1), Rand(1, "spatter", 0)} {
		if first(other) == base {
			t.Error("two streams start alike")
		}
	}
}

// impulse_noise replaces a fraction impulseAmount of the pixels, half by 1
// and half by 0, so a black pixel turns white with probability 0.085 and a
// white one black with the same probability.
func TestImpulseProportion(t *testing.T) {
	x := testDigits(t, 200)
	got, err := Apply("impulse_noise", x, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	var black, blackToWhite, white, whiteToBlack, other int
	for p, v := range x.Data {
		g := got.Data[p]
		switch {
		case v == 0:
			black++
			if g == 1 {
				blackToWhite++
			}
		case v == 1:
			white++
			if g == 0 {
				whiteToBlack++
			}
		case g != v && g != 0 && g != 1:
			other++
		}
	}
	// Binomial standard errors: √(0.085·0.915/n) ≈ 0.0008 for the ~130000
	// black pixels and ≈ 0.005 for the ~3000 white ones; the tolerances are
	// about five of them.
	const want = impulseAmount / 2
	if f := float64(blackToWhite) / float64(black); math.Abs(f-want) > 0.005 {
		t.Errorf("black → white: %.4f of %d, want %.3f", f, black, want)
	}
	if f := float64(whiteToBlack) / float64(white); math.Abs(f-want) > 0.025 {
		t.Errorf("white → black: %.4f of %d, want %.3f", f, white, want)
	}
	if other != 0 {
		t.Errorf("%d pixels changed to a value other than 0 or 1", other)
	}
}

// shot_noise keeps a white pixel white (clipped) when Poisson(3) ≥ 3, with
// probability 1 − e⁻³(1 + 3 + 9/2) ≈ 0.5768.
func TestShotProportion(t *testing.T) {
	x := testDigits(t, 200)
	got, err := Apply("shot_noise", x, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	var white, kept int
	for p, v := range x.Data {
		if v == 1 {
			white++
			if got.Data[p] == 1 {
				kept++
			}
		}
	}
	want := 1 - math.Exp(-3)*(1+3+4.5)
	// Standard error √(0.58·0.42/n) ≈ 0.009 for n ≈ 3000.
	if f := float64(kept) / float64(white); math.Abs(f-want) > 0.045 {
		t.Errorf("white kept: %.4f of %d, want %.4f", f, white, want)
	}
}

func TestPoisson(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, lambda := range []float64{0.5, 1, 3} {
		const n = 100000
		var sum, sq float64
		for range n {
			k := float64(poisson(lambda, rng))
			sum += k
			sq += k * k
		}
		mean := sum / n
		variance := sq/n - mean*mean
		// Mean and variance are both λ; the standard error of the mean
		// is √(λ/n) ≤ 0.0055.
		if math.Abs(mean-lambda) > 0.03 || math.Abs(variance-lambda) > 0.1 {
			t.Errorf("λ = %g: mean %.4f, variance %.4f", lambda, mean, variance)
		}
	}
	if k := poisson(0, rng); k != 0 {
		t.Errorf("λ = 0: got %d", k)
	}
}
