package asr

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"subsetscan/data/fsdd"
)

// Targets returns a target labelling for each source labelling of src,
// for the targeted attacks of issue 9: a digit string of as many digits
// as the source, uniform among those that differ from it (digits drawn
// uniformly, the draw repeated while it equals the source), from a
// generator seeded with seed. The utterances are drawn in order, so the
// first k targets do not depend on how many follow. It returns an error
// naming the utterance for an empty source (no other string of no
// digits) or a label that is not a digit.
func Targets(src [][]int, seed uint64) ([][]int, error) {
	rng := rand.New(rand.NewPCG(seed, 0x746172676574)) // "target"
	out := make([][]int, len(src))
	for i, s := range src {
		if len(s) == 0 {
			return nil, fmt.Errorf("asr: utterance %d has no digits: no other string of its length", i)
		}
		if j := slices.IndexFunc(s, func(d int) bool { return d < 0 || d >= fsdd.Digits }); j >= 0 {
			return nil, fmt.Errorf("asr: utterance %d: label %d is not a digit", i, s[j])
		}
		t := make([]int, len(s))
		for {
			for j := range t {
				t[j] = rng.IntN(fsdd.Digits)
			}
			if !slices.Equal(t, s) {
				break
			}
		}
		out[i] = t
	}
	return out, nil
}
