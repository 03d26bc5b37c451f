package report

import "testing"

// TestSpan checks the ranges of the controls' AUCs: one number when both
// ends print alike at 3 decimals.
func TestSpan(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   string
	}{
		{0.265, 0.621, "0.265 to 0.621"},
		{1, 1, "1.000"},
		{0.9996, 1, "1.000"}, // both print 1.000
		{0.9994, 1, "0.999 to 1.000"},
	} {
		if got := span(tc.lo, tc.hi); got != tc.want {
			t.Errorf("span(%v, %v) = %q, want %q", tc.lo, tc.hi, got, tc.want)
		}
	}
}
