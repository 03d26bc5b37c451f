package nn

import (
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// bruteCTC returns, for logits [T, classes], the probability of every
// labelling, keyed by prefixKey: the sum over all classes^T paths of the
// product of the frames' softmax probabilities, each path collapsed
// (repeats merged, blanks dropped). The definition of CTC, without the
// recursion.
func bruteCTC(logits []float32, classes, blank int) map[string]float64 {
	T := len(logits) / classes
	y := make([]float64, len(logits))
	for t := range T {
		row := logSoftmaxRows(logits[t*classes:(t+1)*classes], classes)
		for k, v := range row {
			y[t*classes+k] = math.Exp(v)
		}
	}
	probs := map[string]float64{}
	path := make([]int, T)
	n := int(math.Pow(float64(classes), float64(T)))
	for code := range n {
		p := 1.0
		for t, c := 0, code; t < T; t, c = t+1, c/classes {
			path[t] = c % classes
			p *= y[t*classes+path[t]]
		}
		probs[prefixKey(collapse(path, blank))] += p
	}
	return probs
}

// collapse merges the repeats of a path and drops its blanks.
func collapse(path []int, blank int) []int {
	out := []int{}
	for t, k := range path {
		if k != blank && (t == 0 || path[t-1] != k) {
			out = append(out, k)
		}
	}
	return out
}

// prefixKey encodes a labelling as a map key that orders like its labels.
func prefixKey(prefix []int) string {
	b := make([]byte, 0, 4*len(prefix))
	for _, k := range prefix {
		b = binary.BigEndian.AppendUint32(b, uint32(k))
	}
	return string(b)
}

// labelsOf decodes a prefixKey.
func labelsOf(key string) []int {
	out := []int{}
	for i := 0; i < len(key); i += 4 {
		out = append(out, int(key[i])<<24|int(key[i+1])<<16|int(key[i+2])<<8|int(key[i+3]))
	}
	return out
}

// TestCTCLossBruteForce compares CTCLoss with the brute-force sum over all
// alignments, for every labelling that has a path, on random logits with
// T ≤ 6 frames and C ≤ 3 classes, the blank first, last or in the middle.
func TestCTCLossBruteForce(t *testing.T) {
	// The recursion and the brute force sum the same float64 products in
	// different orders.
	const tol = 1e-12
	rng := rand.New(rand.NewPCG(1, 1))
	for _, tc := range []struct{ T, C, blank int }{{1, 2, 0}, {3, 2, 0}, {4, 3, 0}, {5, 3, 2}, {6, 3, 1}, {6, 2, 1}} {
		logits := make([]float32, tc.T*tc.C)
		for i := range logits {
			logits[i] = float32(rng.NormFloat64() * 2)
		}
		probs := bruteCTC(logits, tc.C, tc.blank)
		total := 0.0
		for key, p := range probs {
			total += p
			labels := labelsOf(key)
			loss, _, err := CTCLoss(logits, tc.C, labels, tc.blank)
			if err != nil {
				t.Fatalf("T=%d C=%d labels %v: %v", tc.T, tc.C, labels, err)
			}
			if got := math.Exp(-loss); !scalar.EqualWithinAbsOrRel(got, p, tol, tol) {
				t.Errorf("T=%d C=%d blank %d labels %v: exp(−loss) = %.15g, brute force %.15g", tc.T, tc.C, tc.blank, labels, got, p)
			}
		}
		if !scalar.EqualWithinAbs(total, 1, tol) {
			t.Errorf("T=%d C=%d: labellings' probabilities sum to %v", tc.T, tc.C, total)
		}
	}
}

// TestCTCLossGradient checks CTCLoss's gradient against central
// differences of the loss, with repeated labels that need blanks between
// them.
func TestCTCLossGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, tc := range []struct {
		T, C, blank int
		labels      []int
	}{{5, 3, 0, []int{1, 1}}, {8, 4, 3, []int{0, 2, 2, 1}}, {6, 3, 0, nil}, {3, 3, 0, []int{1, 2, 1}}} {
		logits := make([]float32, tc.T*tc.C)
		for i := range logits {
			logits[i] = float32(rng.NormFloat64())
		}
		_, grad, err := CTCLoss(logits, tc.C, tc.labels, tc.blank)
		if err != nil {
			t.Fatal(err)
		}
		f := func() float64 {
			l, _, err := CTCLoss(logits, tc.C, tc.labels, tc.blank)
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
		var count fdCount
		checkFD(t, "ctc", f, logits, grad, &count)
		count.vacuous(t, "ctc")
		// Each frame's gradient sums to 0: the softmax's rows sum to 1, as
		// do the posteriors.
		for fr := range tc.T {
			var s float64
			for _, g := range grad[fr*tc.C : (fr+1)*tc.C] {
				s += float64(g)
			}
			if math.Abs(s) > 1e-6 {
				t.Errorf("labels %v frame %d: gradient sums to %v", tc.labels, fr, s)
			}
		}
	}
}

// TestCTCLossErrors checks the labellings CTCLoss refuses.
func TestCTCLossErrors(t *testing.T) {
	logits := make([]float32, 3*4) // T = 3, C = 4
	for _, labels := range [][]int{
		{1, 1, 1},    // needs 5 frames
		{1, 2, 2, 3}, // needs 5 frames
		{1, 0},       // the blank
		{4},          // out of range
		{-1},
	} {
		if _, _, err := CTCLoss(logits, 4, labels, 0); !errors.Is(err, ErrLabels) {
			t.Errorf("labels %v: got %v, want ErrLabels", labels, err)
		}
	}
	for _, labels := range [][]int{{1, 1}, {1, 2, 3}, {}} {
		if _, _, err := CTCLoss(logits, 4, labels, 0); err != nil {
			t.Errorf("labels %v: %v", labels, err)
		}
	}
	for name, f := range map[string]func(){
		"ragged":       func() { CTCLoss(logits[:11], 4, nil, 0) },
		"blank":        func() { CTCLoss(logits, 4, nil, 4) },
		"one class":    func() { GreedyDecode(logits, 1, 0) },
		"beam width 0": func() { BeamDecode(logits, 4, 0, 0) },
	} {
		if !panics(f) {
			t.Errorf("%s: no panic", name)
		}
	}
}

// logProbs returns the logits of frames of probabilities: their logs.
func logProbs(frames ...[]float64) []float32 {
	var out []float32
	for _, f := range frames {
		for _, p := range f {
			out = append(out, float32(math.Log(p)))
		}
	}
	return out
}

// TestDecodeGreedyVersusBeam checks the decoders on hand-made frames where
// the best path and the best labelling differ, and beam search against
// the brute force on random frames.
func TestDecodeGreedyVersusBeam(t *testing.T) {
	// Classes blank, a, b. Each frame: blank 0.6, a 0.4. The best path is
	// blank blank (0.36), but "a" has aa + a_ + _a = 0.16 + 0.24 + 0.24 =
	// 0.64.
	x := logProbs([]float64{0.6, 0.4, 0}, []float64{0.6, 0.4, 0})
	if got := GreedyDecode(x, 3, 0); len(got) != 0 {
		t.Errorf("greedy: %v, want []", got)
	}
	got, lp := BeamDecode(x, 3, 0, 4)
	if !slices.Equal(got, []int{1}) || !scalar.EqualWithinAbs(lp, math.Log(0.64), 1e-6) {
		t.Errorf("beam: %v (ln p %v), want [1] (ln 0.64)", got, lp)
	}
	// Greedy merges the repeat a a into "a" and keeps a _ a as "aa";
	// three frames a, b, a: "aba".
	if got := GreedyDecode(logProbs([]float64{0.1, 0.8, 0.1}, []float64{0.1, 0.8, 0.1}, []float64{0.8, 0.1, 0.1}, []float64{0.1, 0.8, 0.1}), 3, 0); !slices.Equal(got, []int{1, 1}) {
		t.Errorf("greedy a a _ a: %v, want [1 1]", got)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	for range 20 {
		const T, C = 5, 3
		x := make([]float32, T*C)
		for i := range x {
			x[i] = float32(rng.NormFloat64() * 1.5)
		}
		probs := bruteCTC(x, C, 0)
		best, bestP := "", -1.0
		for key, p := range probs {
			if p > bestP || (p == bestP && key < best) {
				best, bestP = key, p
			}
		}
		got, lp := BeamDecode(x, C, 0, 64) // wider than the 2^5 − 1 labellings
		if prefixKey(got) != best || !scalar.EqualWithinAbs(lp, math.Log(bestP), 1e-9) {
			t.Errorf("beam: %v (p %v), brute force %v (p %v)", got, math.Exp(lp), labelsOf(best), bestP)
		}
	}
}

// TestCTCBatch checks CTCBatch's mean, its gradient (each sample's over
// n), the lengths (frames after a sample's length get no gradient) and its
// errors, which name the sample.
func TestCTCBatch(t *testing.T) {
	const T, C = 5, 3
	rng := rand.New(rand.NewPCG(6, 6))
	x := uniform(rng, -1, 1, 2, T, C)
	labels := [][]int{{1, 2}, {2}}
	loss, g, err := CTCBatch(x, C, labels, []int{T, 3}, 0)
	if err != nil {
		t.Fatal(err)
	}
	l0, g0, _ := CTCLoss(x.Row(0), C, labels[0], 0)
	l1, g1, _ := CTCLoss(x.Row(1)[:3*C], C, labels[1], 0)
	if !scalar.EqualWithinAbsOrRel(loss, (l0+l1)/2, 1e-15, 1e-15) {
		t.Errorf("loss %v, want %v", loss, (l0+l1)/2)
	}
	for j, v := range g.Row(1) {
		want := float32(0)
		if j < 3*C {
			want = g1[j] / 2
		}
		if v != want {
			t.Errorf("sample 1 gradient %d = %v, want %v", j, v, want)
		}
	}
	if g.Row(0)[4] != g0[4]/2 {
		t.Errorf("sample 0 gradient 4 = %v, want %v", g.Row(0)[4], g0[4]/2)
	}
	if _, _, err := CTCBatch(x, C, [][]int{{1}, {1, 1, 1, 1}}, nil, 0); !errors.Is(err, ErrLabels) || !strings.Contains(err.Error(), "sample 1") {
		t.Errorf("too long a labelling: got %v", err)
	}
}
