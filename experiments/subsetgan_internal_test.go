package experiments

import (
	"testing"

	"subsetscan/data"
)

// TestClipped checks the amount clipping to [0, 1] removes, the mean per
// value of the excess beyond the bounds.
func TestClipped(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []float32
		want float64
	}{
		{"inside", []float32{0, 0.5, 1}, 0},
		{"both sides", []float32{-0.5, 0.25, 1.5, 2}, (0.5 + 0.5 + 1) / 4.0},
		{"empty", nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := clipped(&data.Array{Shape: []int{len(tc.in)}, Data: tc.in}); got != tc.want {
				t.Errorf("clipped(%v) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}
