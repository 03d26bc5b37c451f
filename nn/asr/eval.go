package asr

import (
	"fmt"
	"strings"

	"subsetscan/data"
	"subsetscan/data/fsdd"
	"subsetscan/nn"
)

// EditDistance returns the Levenshtein distance between a and b: the
// fewest insertions, deletions and substitutions that turn a into b.
func EditDistance[T comparable](a, b []T) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// ErrorRates returns the word error rate and the character error rate of
// the hypotheses hyps against the references refs: the edit distances
// summed over the pairs, over the words (split on spaces) and over the
// characters (runes, the single spaces between words included) of the
// references. Both are 0 when the references are all empty and so are the
// hypotheses, +Inf when only the references are. It panics if refs and
// hyps differ in length.
func ErrorRates(refs, hyps []string) (wer, cer float64) {
	if len(refs) != len(hyps) {
		panic(fmt.Sprintf("asr: %d references, %d hypotheses", len(refs), len(hyps)))
	}
	var we, wn, ce, cn int
	for i, r := range refs {
		rw, hw := strings.Fields(r), strings.Fields(hyps[i])
		we += EditDistance(rw, hw)
		wn += len(rw)
		rc, hc := []rune(strings.Join(rw, " ")), []rune(strings.Join(hw, " "))
		ce += EditDistance(rc, hc)
		cn += len(rc)
	}
	return ratio(we, wn), ratio(ce, cn)
}

func ratio(errs, n int) float64 {
	if errs == 0 {
		return 0
	}
	return float64(errs) / float64(n)
}

// Decode transcribes us with m: the labelling of each utterance's own
// frames (Frames), by greedy decoding when beam < 2, else by prefix beam
// search of that width.
func Decode(m *nn.Model, us []fsdd.Utterance, beam, workers int) ([]string, error) {
	b, err := Assemble(m.Arch, us)
	if err != nil {
		return nil, err
	}
	logits, err := m.Predict(b.X, workers)
	if err != nil {
		return nil, err
	}
	return DecodeLogits(logits, b.Frames, beam), nil
}

// DecodeLogits returns the transcripts of utterances from their CTC
// logits (a row of time steps × Classes each, of which the first
// frames[i] are utterance i's own, as Assemble's Frames), decoded greedily
// (beam < 2) or by beam search of width beam: what Decode returns, for a
// caller that has the logits from a forward pass of its own. It panics
// if frames has more utterances than logits has rows, or frames[i] more
// frames than a row holds.
func DecodeLogits(logits *data.Array, frames []int, beam int) []string {
	out := make([]string, len(frames))
	for i := range frames {
		row := logits.Row(i)
		row = row[: frames[i]*Classes : len(row)] // not into the next row
		var labels []int
		if beam < 2 {
			labels = nn.GreedyDecode(row, Classes, Blank)
		} else {
			labels, _ = nn.BeamDecode(row, Classes, Blank, beam)
		}
		out[i] = Transcript(labels)
	}
	return out
}

// Scores are a recogniser's error rates on a set of utterances.
type Scores struct {
	N        int     // utterances
	WER, CER float64 // ErrorRates of the transcriptions
}

// Evaluate transcribes us with m (Decode) and returns the error rates.
func Evaluate(m *nn.Model, us []fsdd.Utterance, beam, workers int) (Scores, error) {
	hyps, err := Decode(m, us, beam, workers)
	if err != nil {
		return Scores{}, err
	}
	refs := make([]string, len(us))
	for i, u := range us {
		refs[i] = u.Transcript
	}
	wer, cer := ErrorRates(refs, hyps)
	return Scores{N: len(us), WER: wer, CER: cer}, nil
}
