package mnistc

import (
	"slices"
	"testing"

	"subsetscan/data"
)

// stats are the summaries of an image that the per-corruption checks use.
type stats struct {
	mass     float64 // sum of the values
	row, col float64 // centre of mass
}

func summarise(img []float32) stats {
	var s stats
	for p, v := range img {
		s.mass += float64(v)
		s.row += float64(v) * float64(p/Side)
		s.col += float64(v) * float64(p%Side)
	}
	s.row /= s.mass
	s.col /= s.mass
	return s
}

// check is a corruption-specific test of clean → got; it returns a
// description of what is wrong, or "".
type check func(clean, got []float32) string

// TestCorruptions checks every corruption on the first digits of the MNIST
// test set: the output differs from the input, lies in [0, 1], is the same
// for the same generator state and (for the random ones) differs for
// other seeds, and passes the corruption's own check.
func TestCorruptions(t *testing.T) {
	digits := testDigits(t, 8)
	for _, tc := range []struct {
		name   string
		random bool
		check  check
	}{
		{"shot_noise", true, checkShot},
		{"impulse_noise", true, nil}, // proportions: TestImpulseProportion
		{"glass_blur", true, massWithin(1, 0.05)},
		{"motion_blur", true, checkMotion},
		{"shear", true, massWithin(1, 0.1)},
		{"scale", false, massWithin(0.7*0.7, 0.15)},
		{"rotate", true, checkRotate},
		{"brightness", false, checkBrightness},
		{"translate", true, checkTranslate},
		{"stripe", false, checkStripe},
		{"fog", true, checkFog},
		{"spatter", true, checkSpatter},
		{"dotted_line", true, checkDotted},
		{"zigzag", true, checkAddsOnly},
		{"canny_edges", false, checkCanny},
	} {
		t.Run(tc.name, func(t *testing.T) { testCorruption(t, tc.name, tc.random, tc.check, digits) })
	}
}

// testCorruption runs the checks of TestCorruptions for one corruption.
func testCorruption(t *testing.T, name string, random bool, check check, digits *data.Array) {
	corrupt, err := ByName(name)
	if err != nil {
		t.Fatal(err)
	}
	for i := range digits.Len() {
		clean := digits.Row(i)
		got := make([]float32, Pixels)
		corrupt(got, clean, Rand(1, name, i))
		if slices.Equal(got, clean) {
			t.Errorf("image %d unchanged", i)
		}
		for p, v := range got {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("image %d pixel %d: %v not in [0, 1]", i, p, v)
			}
		}
		again := make([]float32, Pixels)
		corrupt(again, clean, Rand(1, name, i))
		if !slices.Equal(again, got) {
			t.Errorf("image %d: another run with the same seed differs", i)
		}
		// Shear, rotate and translate have 2 or 4 outcomes, so look for a
		// difference over several seeds.
		differs := false
		for seed := uint64(2); seed < 10 && !differs; seed++ {
			corrupt(again, clean, Rand(seed, name, i))
			differs = !slices.Equal(again, got)
		}
		if differs != random {
			t.Errorf("image %d: output differs for other seeds: %v, want %v", i, differs, random)
		}
		if check != nil {
			if msg := check(clean, got); msg != "" {
				t.Errorf("image %d: %s", i, msg)
			}
		}
	}
}
