package experiments

import (
	"math"
	"testing"
)

// TestTDScores checks the temporal-dependency scores on constructed
// transcripts.
func TestTDScores(t *testing.T) {
	for _, tc := range []struct {
		part, whole   string
		wer, cer, lcp float64
	}{
		{"three one", "three one four", 0, 0, 0},                    // a consistent prefix
		{"", "three one four", 0, 0, 0},                             // nothing heard yet
		{"three two", "three one four", 0.5, 3.0 / 9, 1 - 6.0/9},    // "three two" vs "three one"
		{"five", "four two", 1, 3.0 / 4, 3.0 / 4},                   // "five" vs "four": three letters differ
		{"one four six", "one four", 1.0 / 3, 4.0 / 12, 1 - 8.0/12}, // the whole is shorter: a word too many
		{"nine nine", "one", 1, 7.0 / 9, 1},                         // six deletions and o for n
	} {
		got := tdScores(tc.part, tc.whole)
		for m, want := range map[string]float64{"wer": tc.wer, "cer": tc.cer, "lcp": tc.lcp} {
			if math.Abs(got[m]-want) > 1e-12 {
				t.Errorf("tdScores(%q, %q)[%s] = %v, want %v", tc.part, tc.whole, m, got[m], want)
			}
		}
	}
}

// TestDUMeasures checks the character error rate and the balanced
// accuracy of the down/up-sampling detector.
func TestDUMeasures(t *testing.T) {
	for _, tc := range []struct {
		ref, hyp string
		want     float64
	}{{"one two", "one two", 0}, {"one", "two", 1}, {"", "", 0}, {"", "one", 1}, {"one two", "one", 4.0 / 7}} {
		if got := cer(tc.ref, tc.hyp); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("cer(%q, %q) = %v, want %v", tc.ref, tc.hyp, got, tc.want)
		}
	}
	for _, tc := range []struct {
		clean, adv []bool
		want       float64
	}{
		{[]bool{false, false}, []bool{true, true}, 100},
		{[]bool{true, true}, []bool{false, false}, 0},
		{[]bool{false, true}, []bool{true, false}, 50},
		{[]bool{false, false, false, true}, []bool{true, true, true, false}, 75},
	} {
		if got := duAccuracy(tc.clean, tc.adv); got != tc.want {
			t.Errorf("duAccuracy(%v, %v) = %v, want %v", tc.clean, tc.adv, got, tc.want)
		}
	}
}
