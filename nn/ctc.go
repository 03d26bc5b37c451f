package nn

import (
	"errors"
	"fmt"
	"math"

	"subsetscan/data"
)

// ErrLabels is wrapped by CTCLoss's errors about labellings it cannot
// score: a label out of range or equal to the blank, or a labelling longer
// than the frames allow.
var ErrLabels = errors.New("bad CTC labelling")

// CTCLoss returns the connectionist temporal classification loss of the
// labelling labels given the logits of T frames over classes classes
// (logits is [T, classes], row-major: T = len(logits)/classes), and its
// gradient w.r.t. the logits, [T, classes] (Graves, Fernández, Gomez and
// Schmidhuber 2006, "Connectionist temporal classification", ICML).
//
// Each frame's logits go through a softmax (computed here: pass linear
// logits, not probabilities) giving y_t(k). A path π is a class per frame;
// collapsing it (merging repeats, then dropping blanks) gives a
// labelling, and
//
//	loss = −ln Σ_{π collapsing to labels} Π_t y_t(π_t),
//
// computed by the forward-backward recursion over the labelling with a
// blank before, between and after the labels (eqs. 6–10 of the paper), in
// log space and float64. The gradient w.r.t. the logit u_t(k) is
// y_t(k) − (1/p)·Σ_{s: l'_s = k} α_t(s)·β_t(s)/y_t(k) (eq. 16), where p is
// the labelling's probability.
//
// Padded utterances: to score only the first L frames of a padded output,
// pass logits[:L·classes]; the frames after L then have no gradient
// (leave their upstream gradient zero). An empty labelling is the
// all-blank path.
//
// CTCLoss returns an error wrapping ErrLabels if a label is out of
// [0, classes) or equals blank, or if the labelling needs more frames than
// T (one per label, plus one blank between each pair of equal neighbours).
// It panics if classes < 2, if len(logits) is not a positive multiple of
// classes, or if blank is out of range. A NaN logit gives a NaN loss and
// gradient.
func CTCLoss(logits []float32, classes int, labels []int, blank int) (loss float64, grad []float32, err error) {
	T := ctcFrames(logits, classes, blank)
	if err := checkLabels(labels, classes, blank, T); err != nil {
		return 0, nil, err
	}
	lp := logSoftmaxRows(logits, classes)
	ext := extend(labels, blank)
	alpha, beta := ctcAlpha(lp, classes, ext), ctcBeta(lp, classes, ext)
	S := len(ext)
	logP := alpha[(T-1)*S+S-1]
	if S > 1 {
		logP = logAdd(logP, alpha[(T-1)*S+S-2])
	}
	return -logP, ctcGrad(lp, classes, ext, alpha, beta, logP), nil
}

// ctcFrames returns the number of frames of logits, panicking on a
// malformed shape or blank.
func ctcFrames(logits []float32, classes, blank int) int {
	if classes < 2 || len(logits) == 0 || len(logits)%classes != 0 {
		panic(fmt.Sprintf("nn: CTC: %d logits for %d classes", len(logits), classes))
	}
	if blank < 0 || blank >= classes {
		panic(fmt.Sprintf("nn: CTC: blank %d out of [0, %d)", blank, classes))
	}
	return len(logits) / classes
}

// checkLabels checks a labelling against the classes, the blank and the
// number of frames T.
func checkLabels(labels []int, classes, blank, T int) error {
	need := len(labels)
	for i, k := range labels {
		if k < 0 || k >= classes || k == blank {
			return fmt.Errorf("nn: CTC: %w: label %d at %d is out of [0, %d) or the blank %d", ErrLabels, k, i, classes, blank)
		}
		if i > 0 && labels[i-1] == k {
			need++
		}
	}
	if need > T {
		return fmt.Errorf("nn: CTC: %w: %d labels need %d frames, have %d", ErrLabels, len(labels), need, T)
	}
	return nil
}

// logSoftmaxRows returns the log-softmax of each row of logits, in
// float64.
func logSoftmaxRows(logits []float32, classes int) []float64 {
	lp := make([]float64, len(logits))
	for r := 0; r < len(logits); r += classes {
		row := logits[r : r+classes]
		mx := math.Inf(-1)
		for _, v := range row {
			mx = max(mx, float64(v))
		}
		var sum float64
		for _, v := range row {
			sum += math.Exp(float64(v) - mx)
		}
		lse := mx + math.Log(sum)
		for k, v := range row {
			lp[r+k] = float64(v) - lse
		}
	}
	return lp
}

// extend returns the labelling with blanks before, between and after the
// labels: l' of the paper, of length 2·len(labels)+1.
func extend(labels []int, blank int) []int {
	ext := make([]int, 2*len(labels)+1)
	for i := range ext {
		ext[i] = blank
	}
	for i, k := range labels {
		ext[2*i+1] = k
	}
	return ext
}

// logAdd returns ln(eᵃ + eᵇ).
func logAdd(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if math.IsInf(b, -1) {
		return a
	}
	return a + math.Log1p(math.Exp(b-a))
}

// skips reports whether a path may go from l'_{s−2} straight to l'_s,
// over a blank: when l'_s is a label (s odd) other than l'_{s−2}.
func skips(ext []int, s int) bool { return s >= 2 && s%2 == 1 && ext[s] != ext[s-2] }

// ctcAlpha returns the forward variables ln α_t(s), [T, S] row-major:
// the log-probability of the prefixes of paths that reach l'_s at frame t
// having emitted l'_0 … l'_s.
func ctcAlpha(lp []float64, classes int, ext []int) []float64 {
	S, T := len(ext), len(lp)/classes
	a := make([]float64, T*S)
	for i := range a {
		a[i] = math.Inf(-1)
	}
	a[0] = lp[ext[0]]
	if S > 1 {
		a[1] = lp[ext[1]]
	}
	for t := 1; t < T; t++ {
		prev, cur := a[(t-1)*S:t*S], a[t*S:(t+1)*S]
		for s := range S {
			v := prev[s]
			if s >= 1 {
				v = logAdd(v, prev[s-1])
			}
			if skips(ext, s) {
				v = logAdd(v, prev[s-2])
			}
			cur[s] = v + lp[t*classes+ext[s]]
		}
	}
	return a
}

// ctcBeta returns the backward variables ln β_t(s), [T, S] row-major: the
// log-probability of the suffixes of paths from l'_s at frame t (its
// emission included, as in the paper) to the end.
func ctcBeta(lp []float64, classes int, ext []int) []float64 {
	S, T := len(ext), len(lp)/classes
	b := make([]float64, T*S)
	for i := range b {
		b[i] = math.Inf(-1)
	}
	last := (T - 1) * classes
	b[(T-1)*S+S-1] = lp[last+ext[S-1]]
	if S > 1 {
		b[(T-1)*S+S-2] = lp[last+ext[S-2]]
	}
	for t := T - 2; t >= 0; t-- {
		next, cur := b[(t+1)*S:(t+2)*S], b[t*S:(t+1)*S]
		for s := range S {
			v := next[s]
			if s+1 < S {
				v = logAdd(v, next[s+1])
			}
			if s+2 < S && skips(ext, s+2) {
				v = logAdd(v, next[s+2])
			}
			cur[s] = v + lp[t*classes+ext[s]]
		}
	}
	return b
}

// ctcGrad returns the gradient of −logP w.r.t. the logits: per frame, the
// softmax minus the posterior of each class, Σ_{s: l'_s = k}
// α_t(s)·β_t(s)/y_t(k) / p.
func ctcGrad(lp []float64, classes int, ext []int, alpha, beta []float64, logP float64) []float32 {
	S, T := len(ext), len(lp)/classes
	grad := make([]float32, len(lp))
	post := make([]float64, classes) // ln Σ α·β/y per class
	for t := range T {
		for k := range post {
			post[k] = math.Inf(-1)
		}
		row := lp[t*classes : (t+1)*classes]
		for s, k := range ext {
			post[k] = logAdd(post[k], alpha[t*S+s]+beta[t*S+s]-row[k])
		}
		for k, l := range row {
			grad[t*classes+k] = float32(math.Exp(l) - math.Exp(post[k]-logP))
		}
	}
	return grad
}

// CTCBatch returns the mean of CTCLoss over a batch of logits [n, T,
// classes] (or [n, T·classes]) with labels[i] the labelling of sample i,
// and the gradient of the mean w.r.t. the logits, shaped like logits: the
// upstream gradient for Gradients with GradientOptions.Logits false on a
// linear last layer. lengths, if not nil, gives the frames to score in
// each sample (its utterance's frames before the padding): frames after
// lengths[i] get no gradient. The first error is returned, naming the
// sample. It panics if labels (or lengths) do not match the batch.
func CTCBatch(logits *data.Array, classes int, labels [][]int, lengths []int, blank int) (float64, *data.Array, error) {
	n := logits.Len()
	if len(labels) != n || (lengths != nil && len(lengths) != n) {
		panic(fmt.Sprintf("nn: CTCBatch: %d samples, %d labellings, %d lengths", n, len(labels), len(lengths)))
	}
	grad := data.NewArray(logits.Shape...)
	var total float64
	for i := range n {
		x := logits.Row(i)
		if lengths != nil {
			x = x[:lengths[i]*classes]
		}
		l, g, err := CTCLoss(x, classes, labels[i], blank)
		if err != nil {
			return 0, nil, fmt.Errorf("sample %d: %w", i, err)
		}
		total += l
		row := grad.Row(i)
		for j, v := range g {
			row[j] = v / float32(n)
		}
	}
	return total / float64(n), grad, nil
}

// GreedyDecode returns the best-path decoding of logits [T, classes]: the
// most probable class of each frame (the first on ties), repeats merged,
// blanks dropped. Logits or probabilities give the same result. It panics
// as CTCLoss does on a malformed shape.
func GreedyDecode(logits []float32, classes, blank int) []int {
	T := ctcFrames(logits, classes, blank)
	out := []int{}
	prev := blank
	for t := range T {
		row := logits[t*classes : (t+1)*classes]
		k := 0
		for j, v := range row {
			if v > row[k] {
				k = j
			}
		}
		if k != blank && k != prev {
			out = append(out, k)
		}
		prev = k
	}
	return out
}
