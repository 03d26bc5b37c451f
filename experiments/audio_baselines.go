package experiments

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"subsetscan/data/fsdd"
	"subsetscan/nn/asr"
	"subsetscan/report"
)

// The TD baseline's metrics, in the report's order, and the one its
// table shows: the character error rate, which, unlike the word error
// rate, still grades a k-transcript whose last word is cut in two.
const tdUsed = "cer"

var tdMetrics = []string{"wer", "cer", "lcp"}

// tdScores compares the transcript part of the first k of a waveform with
// the whole waveform's transcript whole, as Yang et al. (ICLR 2019) do:
// against the prefix of whole of part's length, by word error rate (in
// words), character error rate (in characters) and 1 − the longest common
// prefix's share of part's characters. Each is 0 for identical prefixes
// and grows with the disagreement; all are 0 for an empty part.
func tdScores(part, whole string) map[string]float64 {
	pw, ww := strings.Fields(part), strings.Fields(whole)
	pc, wc := []rune(strings.Join(pw, " ")), []rune(strings.Join(ww, " "))
	out := map[string]float64{"wer": 0, "cer": 0, "lcp": 0}
	if len(pc) == 0 {
		return out
	}
	ww, wc = ww[:min(len(pw), len(ww))], wc[:min(len(pc), len(wc))]
	out["wer"] = float64(asr.EditDistance(pw, ww)) / float64(len(pw))
	out["cer"] = float64(asr.EditDistance(pc, wc)) / float64(len(pc))
	lcp := 0
	for lcp < len(wc) && pc[lcp] == wc[lcp] {
		lcp++
	}
	out["lcp"] = 1 - float64(lcp)/float64(len(pc))
	return out
}

// cer returns the character error rate of hyp against ref: their edit
// distance over ref's characters; 0 when both are empty, 1 when only ref
// is.
func cer(ref, hyp string) float64 {
	r, h := []rune(ref), []rune(hyp)
	if len(r) == 0 {
		if len(h) == 0 {
			return 0
		}
		return 1
	}
	return float64(asr.EditDistance(r, h)) / float64(len(r))
}

// transcripts returns the greedy transcripts of the clean and the
// adversarial utterances, computed once.
func (d *audioRowData) transcripts(workers int) (clean, adv []string, err error) {
	if d.hyps[0] == nil {
		if d.hyps[0], err = asr.Decode(d.model, d.clean, 0, workers); err != nil {
			return nil, nil, err
		}
		if d.hyps[1], err = asr.Decode(d.model, d.adv, 0, workers); err != nil {
			d.hyps[0] = nil
			return nil, nil, err
		}
	}
	return d.hyps[0], d.hyps[1], nil
}

// mapUtterances returns copies of us with f applied to each one's samples.
func mapUtterances(us []fsdd.Utterance, f func([]float32) ([]float32, error)) ([]fsdd.Utterance, error) {
	out := make([]fsdd.Utterance, len(us))
	for i, u := range us {
		x, err := f(u.Samples)
		if err != nil {
			return nil, fmt.Errorf("utterance %d: %w", i, err)
		}
		out[i] = u
		out[i].Samples = x
	}
	return out, nil
}

// temporalDependency runs the TD baseline on the clean and adversarial
// utterances.
func (d *audioRowData) temporalDependency(workers int) (report.AudioTD, error) {
	td := report.AudioTD{K: d.r.TDK, Used: tdUsed, Metrics: tdMetrics, AUC: map[string]float64{}, CI: map[string][2]float64{},
		Clean: map[string][]float64{}, Adv: map[string][]float64{}}
	wholeClean, wholeAdv, err := d.transcripts(workers)
	if err != nil {
		return td, err
	}
	prefix := func(x []float32) ([]float32, error) {
		return slices.Clone(x[:max(1, int(math.Ceil(d.r.TDK*float64(len(x)))))]), nil
	}
	for _, set := range []struct {
		us    []fsdd.Utterance
		whole []string
		dst   map[string][]float64
	}{{d.clean, wholeClean, td.Clean}, {d.adv, wholeAdv, td.Adv}} {
		pre, _ := mapUtterances(set.us, prefix)
		parts, err := asr.Decode(d.model, pre, 0, workers)
		if err != nil {
			return td, err
		}
		for i, p := range parts {
			for m, v := range tdScores(p, set.whole[i]) {
				set.dst[m] = append(set.dst[m], v)
			}
		}
	}
	for _, m := range tdMetrics {
		if td.AUC[m], td.CI[m], err = aucCI(td.Clean[m], td.Adv[m]); err != nil {
			return td, fmt.Errorf("%s: %w", m, err)
		}
	}
	return td, nil
}

// downUp runs the DU baseline: each utterance resampled to the row's
// rate and back (fsdd.Resample), quantised to 16 bits and transcribed.
func (d *audioRowData) downUp(workers int) (report.AudioDU, error) {
	mel, _ := asr.MelOf(d.model.Arch)
	du := report.AudioDU{Rate: d.r.DURate}
	resample := func(x []float32) ([]float32, error) {
		y, err := fsdd.Resample(x, mel.Rate, du.Rate)
		if err == nil {
			y, err = fsdd.Resample(y, du.Rate, mel.Rate)
		}
		if err != nil {
			return nil, err
		}
		y = y[:len(x)]
		quantise(y)
		return y, nil
	}
	origClean, origAdv, err := d.transcripts(workers)
	if err != nil {
		return du, err
	}
	var changed [2][]bool
	for k, set := range []struct {
		us   []fsdd.Utterance
		orig []string
		dst  *[]float64
	}{{d.clean, origClean, &du.Clean}, {d.adv, origAdv, &du.Adv}} {
		rs, err := mapUtterances(set.us, resample)
		if err != nil {
			return du, err
		}
		hyps, err := asr.Decode(d.model, rs, 0, workers)
		if err != nil {
			return du, err
		}
		for i, h := range hyps {
			*set.dst = append(*set.dst, cer(set.orig[i], h))
			changed[k] = append(changed[k], h != set.orig[i])
		}
	}
	du.Balanced = min(len(d.clean), len(d.adv))
	du.Accuracy = duAccuracy(changed[0][:du.Balanced], changed[1][:du.Balanced])
	du.AUC, du.CI, err = aucCI(du.Clean, du.Adv)
	return du, err
}

// duAccuracy returns, in %, the accuracy of "the transcript changed" as
// the detector of adversarial utterances on the clean utterances whose
// transcripts changed as given and the adversarial ones likewise.
func duAccuracy(clean, adv []bool) float64 {
	right := 0
	for _, c := range clean {
		if !c {
			right++
		}
	}
	for _, c := range adv {
		if c {
			right++
		}
	}
	return 100 * float64(right) / float64(len(clean)+len(adv))
}
