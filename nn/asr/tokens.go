package asr

import (
	"fmt"
	"strings"

	"subsetscan/data/fsdd"
)

// Classes is the number of output classes: the ten digit words and the
// blank. Blank is the CTC blank, the last class.
const (
	Classes = fsdd.Digits + 1
	Blank   = fsdd.Digits
)

// Labels returns the CTC labelling of a digit string: its digits, class d
// for digit d. It panics on a digit outside 0 to 9.
func Labels(digits []int) []int {
	out := make([]int, len(digits))
	for i, d := range digits {
		if d < 0 || d >= fsdd.Digits {
			panic(fmt.Sprintf("asr: digit %d out of [0, 9]", d))
		}
		out[i] = d
	}
	return out
}

// Transcript returns the words of a labelling, "three one four"; the
// empty labelling is "". It panics on a label that is not a digit word
// (the blank included).
func Transcript(labels []int) string {
	words := make([]string, len(labels))
	for i, k := range labels {
		if k < 0 || k >= fsdd.Digits {
			panic(fmt.Sprintf("asr: label %d is not a digit word", k))
		}
		words[i] = fsdd.Words[k]
	}
	return strings.Join(words, " ")
}
