package asr_test

import (
	"math"
	"testing"

	"subsetscan/nn/asr"
)

func TestEditDistance(t *testing.T) {
	// Distances counted by hand.
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"", "ab", 2},
		{"kitten", "sitting", 3}, // k→s, e→i, +g
		{"flaw", "lawn", 2},      // −f, +n
		{"abc", "abc", 0},
		{"ab", "ba", 2}, // no transpositions
	} {
		if got := asr.EditDistance([]rune(tc.a), []rune(tc.b)); got != tc.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestErrorRates(t *testing.T) {
	const tol = 1e-12 // ratios of small integers
	for _, tc := range []struct {
		name       string
		refs, hyps []string
		wer, cer   float64
	}{
		{"exact", []string{"one two", "three"}, []string{"one two", "three"}, 0, 0},
		// one substitution of 3 words; "two" → "too": 1 of 7 + 3 characters.
		{"substitution", []string{"one two", "six"}, []string{"one too", "six"}, 1.0 / 3, 1.0 / 10},
		// a deleted word: 1 of 2 words; "four five" → "four": 5 of 9 characters.
		{"deletion", []string{"four five"}, []string{"four"}, 1.0 / 2, 5.0 / 9},
		// an inserted word: 1 of 1; "nine" → "nine nine": 5 of 4 characters.
		{"insertion", []string{"nine"}, []string{"nine nine"}, 1, 5.0 / 4},
		// extra spaces do not count.
		{"spaces", []string{"zero  one"}, []string{" zero one "}, 0, 0},
		{"empty", []string{""}, []string{""}, 0, 0},
		{"empty reference", []string{""}, []string{"one"}, math.Inf(1), math.Inf(1)},
	} {
		wer, cer := asr.ErrorRates(tc.refs, tc.hyps)
		if !close(wer, tc.wer, tol) || !close(cer, tc.cer, tol) {
			t.Errorf("%s: WER %v, CER %v; want %v, %v", tc.name, wer, cer, tc.wer, tc.cer)
		}
	}
}

func close(a, b, tol float64) bool { return a == b || math.Abs(a-b) <= tol }

func TestTranscript(t *testing.T) {
	if got := asr.Transcript(asr.Labels([]int{3, 1, 4})); got != "three one four" {
		t.Errorf("Transcript = %q", got)
	}
	if got := asr.Transcript(nil); got != "" {
		t.Errorf("Transcript(nil) = %q", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("Transcript of the blank did not panic")
		}
	}()
	asr.Transcript([]int{asr.Blank})
}
