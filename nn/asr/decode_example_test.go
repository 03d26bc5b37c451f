package asr_test

import (
	"fmt"
	"testing"

	"subsetscan/data"
	"subsetscan/nn/asr"
)

// logitsOf returns CTC logits of utterances, one row of steps frames each:
// a high logit for the class of each frame given, a low one elsewhere.
func logitsOf(steps int, classes ...[]int) *data.Array {
	a := data.NewArray(len(classes), steps*asr.Classes)
	for i, cs := range classes {
		for t, c := range cs {
			a.Row(i)[t*asr.Classes+c] = 10
		}
	}
	return a
}

// DecodeLogits reads only each utterance's own frames: the last two
// frames of the first row are padding, whose "five" is not heard.
func ExampleDecodeLogits() {
	b := asr.Blank
	logits := logitsOf(6,
		[]int{3, 3, b, 1, 5, 5},
		[]int{b, 9, b, 9, b, b},
	)
	frames := []int{4, 6}
	fmt.Printf("%q\n", asr.DecodeLogits(logits, frames, 0))
	fmt.Printf("%q\n", asr.DecodeLogits(logits, frames, 4))
	// Output:
	// ["three one" "nine nine"]
	// ["three one" "nine nine"]
}

// TestDecodeLogits checks that the frames given bound what is decoded,
// greedily and by beam search alike, and that no utterance gives none.
func TestDecodeLogits(t *testing.T) {
	b := asr.Blank
	logits := logitsOf(6, []int{3, 3, b, 1, 5, 5})
	for _, tc := range []struct {
		frames int
		want   string
	}{{6, "three one five"}, {4, "three one"}, {2, "three"}, {1, "three"}} {
		for _, beam := range []int{0, 1, 3} {
			if got := asr.DecodeLogits(logits, []int{tc.frames}, beam); len(got) != 1 || got[0] != tc.want {
				t.Errorf("%d frames, beam %d: %q, want %q", tc.frames, beam, got, tc.want)
			}
		}
	}
	if got := asr.DecodeLogits(data.NewArray(0, 6*asr.Classes), nil, 0); len(got) != 0 {
		t.Errorf("no utterance: %q", got)
	}
	// 7 frames of a row of 6: a panic, not the next row's first frame.
	two := logitsOf(6, []int{3, 3, b, 1, 5, 5}, []int{7, b, b, b, b, b})
	defer func() {
		if recover() == nil {
			t.Error("7 frames of a row of 6 did not panic")
		}
	}()
	asr.DecodeLogits(two, []int{7, 1}, 0)
}
