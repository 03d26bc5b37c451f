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

// TestAsWellAs checks the three verdicts of an attack's AUC beside white
// noise's: the noise's AUC below, inside and above the attack's interval,
// the interval's ends counting as inside.
func TestAsWellAs(t *testing.T) {
	att := &SSTail{AUC: 0.6, CI: [2]float64{0.52, 0.68}}
	for _, tc := range []struct {
		noise float64
		want  string
	}{
		{0.4, "better than the noise"},
		{0.52, "about as well as the noise"},
		{0.65, "about as well as the noise"},
		{0.68, "about as well as the noise"},
		{0.9, "less well than the noise"},
	} {
		if got := asWellAs(att, tc.noise); got != tc.want {
			t.Errorf("noise %v: %q, want %q", tc.noise, got, tc.want)
		}
	}
}
