package experiments

import (
	"math"
	"slices"
	"strings"
	"testing"

	"subsetscan/data"
)

func TestReconstructionError(t *testing.T) {
	tests := []struct {
		name string
		x, r float32
		want float64
	}{
		{"black, reconstructed grey", 0, 0.5, math.Ln2},
		{"white, reconstructed grey", 1, 0.5, math.Ln2},
		{"black, reconstructed 0.1", 0, 0.1, -math.Log(0.9)},
		{"mid grey", 0.3, 0.8, -(0.3*math.Log(0.8) + 0.7*math.Log(0.2))},
		// Keras clips the reconstruction to [1e-7, 1 − 1e-7]: no Inf.
		{"white, reconstructed 0", 1, 0, -math.Log(1e-7)},
		{"black, reconstructed 1", 0, 1, -math.Log(1e-7)},
		{"perfect black", 0, 0, -math.Log1p(-1e-7)},
		// A pixel outside [0, 1] (unclipped adversarial images) is used as
		// it is: the error can be negative.
		{"pixel below 0", -0.5, 0.1, -(-0.5*math.Log(0.1) + 1.5*math.Log(0.9))},
	}
	x := data.NewArray(1, len(tests))
	r := data.NewArray(1, len(tests))
	for i, tc := range tests {
		x.Data[i], r.Data[i] = tc.x, tc.r
	}
	e, err := ReconstructionError(x, r)
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range tests {
		// The inputs are float32; compare at float32 precision.
		if got := float64(e.Data[i]); math.Abs(got-tc.want) > 1e-6*max(1, math.Abs(tc.want)) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	if got := float64(e.Data[7]); !(got < 0) {
		t.Errorf("pixel below 0: error %v, want < 0", got)
	}
}

func TestReconstructionErrorBadInput(t *testing.T) {
	x := data.NewArray(2, 3)
	if _, err := ReconstructionError(x, data.NewArray(2, 4)); err == nil || !strings.Contains(err.Error(), "shape") {
		t.Errorf("shape mismatch: got %v", err)
	}
	x.Data[4] = float32(math.NaN())
	_, err := ReconstructionError(x, data.NewArray(2, 3))
	if err == nil || !strings.Contains(err.Error(), "sample 1, pixel 1") {
		t.Errorf("NaN pixel: got %v", err)
	}
}

func TestPixelMaps(t *testing.T) {
	// Two clean images and three of set "a", 2×2 pixels each.
	eval := data.NewArray(5, 2, 2, 1)
	for i := range eval.Data {
		eval.Data[i] = float32(i)
	}
	nodes := [][]int{{0}, {1}, {2}, {0, 3}, {}}
	score := []float64{1, 2, 3, 4, 5}
	alpha := []float64{0.1, 0.2, 0.3, 0.4, 0.5}
	maps := pixelMaps(eval, nodes, score, alpha, []string{"clean", "a"}, []int{2, 3})
	if len(maps) != 5 {
		t.Fatalf("got %d maps, want 5", len(maps))
	}
	m := maps[3] // the second image of set a: eval row 3
	if m.Set != "a" || m.Index != 1 || m.Score != 4 || m.Alpha != 0.4 || m.Height != 2 || m.Width != 2 ||
		!slices.Equal(m.Nodes, []int{0, 3}) || !slices.Equal(m.Image, []float32{12, 13, 14, 15}) {
		t.Errorf("got %+v", m)
	}
	if got := rowMeans(eval)[1]; got != 5.5 {
		t.Errorf("row mean %v, want 5.5", got)
	}
	if maps := pixelMaps(data.NewArray(2, 3), nodes, score, alpha, []string{"clean"}, []int{2}); maps != nil {
		t.Errorf("vectors are not images: got %d maps", len(maps))
	}
}
