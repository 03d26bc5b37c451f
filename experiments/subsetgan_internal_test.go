package experiments

import (
	"slices"
	"testing"

	"subsetscan/data"
)

// TestClip01 checks the clipping of the AE edits: values outside [0, 1]
// are set to its bounds, and the mean removed is returned.
func TestClip01(t *testing.T) {
	for _, tc := range []struct {
		name     string
		in, want []float32
		removed  float64
	}{
		{"inside", []float32{0, 0.5, 1}, []float32{0, 0.5, 1}, 0},
		{"both sides", []float32{-0.5, 0.25, 1.5, 2}, []float32{0, 0.25, 1, 1}, (0.5 + 0.5 + 1) / 4.0},
		{"empty", nil, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := &data.Array{Shape: []int{len(tc.in)}, Data: slices.Clone(tc.in)}
			if got := clip01(x); got != tc.removed || !slices.Equal(x.Data, tc.want) {
				t.Errorf("clip01(%v) = %v, %v; want %v, %v", tc.in, got, x.Data, tc.removed, tc.want)
			}
		})
	}
}
