package experiments

import (
	"math"
	"slices"
	"testing"

	"subsetscan/data/fsdd"
	"subsetscan/nn/asr"
	"subsetscan/report"
)

// TestSpearman checks the rank correlation on cases worked by hand.
func TestSpearman(t *testing.T) {
	for _, tc := range []struct {
		x, y []float64
		want float64
	}{
		{[]float64{1, 2, 3, 4}, []float64{10, 20, 30, 45}, 1},    // monotone, not linear
		{[]float64{1, 2, 3, 4}, []float64{4, 3, 2, 1}, -1},       // reversed
		{[]float64{1, 2, 3}, []float64{1, 3, 2}, 0.5},            // ranks 1 2 3 vs 1 3 2: 1 − 6·2/(3·8)
		{[]float64{1, 1, 2, 3}, []float64{1, 2, 3, 4}, 0.948683}, // a tie: ranks 1.5 1.5 3 4
		{[]float64{1, 1, 1}, []float64{1, 2, 3}, math.NaN()},     // constant
		{[]float64{1}, []float64{1}, math.NaN()},                 // too short
	} {
		got := spearman(tc.x, tc.y)
		if math.IsNaN(tc.want) != math.IsNaN(got) || (!math.IsNaN(got) && math.Abs(got-tc.want) > 1e-6) {
			t.Errorf("spearman(%v, %v) = %v, want %v", tc.x, tc.y, got, tc.want)
		}
	}
}

// TestMatchClean checks the pairing of adversarial utterances with clean
// ones of as many digits, the nearest in length: in order, each clean one
// used once, those without one left out.
func TestMatchClean(t *testing.T) {
	clean := make([]fsdd.Utterance, 5)
	for i, k := range []int{2, 3, 3, 5, 2} {
		clean[i].Digits, clean[i].Transcript = make([]int, k), string(rune('a'+i))
		clean[i].Samples = make([]float32, 100*(i+1)) // 100 … 500 samples
	}
	for _, tc := range []struct {
		name      string
		src, n    []int
		wantClean string
		wantKept  []int
	}{
		{"all", []int{3, 2, 5}, []int{200, 100, 400}, "bad", []int{0, 1, 2}},
		{"nearest", []int{2, 3, 2}, []int{480, 290, 90}, "eca", []int{0, 1, 2}},
		{"tie: the first", []int{3}, []int{250}, "b", []int{0}},
		{"repeats", []int{2, 2, 3, 3}, []int{100, 100, 300, 300}, "aecb", []int{0, 1, 2, 3}},
		{"too many", []int{5, 5, 4, 2}, []int{400, 400, 400, 400}, "de", []int{0, 3}},
		{"none", nil, nil, "", nil},
	} {
		m, kept := matchClean(clean, tc.src, tc.n)
		var got string
		for _, i := range m {
			got += clean[i].Transcript
		}
		if got != tc.wantClean || !slices.Equal(kept, tc.wantKept) {
			t.Errorf("%s: clean %q, kept %v; want %q, %v", tc.name, got, kept, tc.wantClean, tc.wantKept)
		}
	}
}

// TestAudioLengthMatched checks, on FSDD, the design that keeps length
// out of the comparison: the clean utterance i and the attack source i
// have as many digits (in both conditions, for more sources than clean
// utterances too), from disjoint recordings; and the adversarial
// utterances of any subset of the sources find clean partners with the
// same distribution of digit counts.
func TestAudioLengthMatched(t *testing.T) {
	ac, err := loadAudioCorpus(t.Context(), sharedFSDD(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, cond := range []audioCondition{{Name: "clean"}, {Name: "noisy", SNR: &[2]float64{10, 30}}} {
		clean, err := ac.utterances(asr.PoolClean, 100, asr.DSSamples, cond, 1, true)
		if err != nil {
			t.Fatal(err)
		}
		src, err := ac.utterances(asr.PoolAttack, 120, asr.DSSamples, cond, 1, true)
		if err != nil {
			t.Fatal(err)
		}
		used := map[int]bool{}
		for _, u := range clean {
			for _, r := range u.Sources {
				used[r] = true
			}
		}
		var succeeded, samples []int // two sources of three, as if the others failed
		for i, u := range src {
			if i < len(clean) && len(u.Digits) != len(clean[i].Digits) {
				t.Fatalf("%s: source %d has %d digits, clean utterance %d %d", cond.Name, i, len(u.Digits), i, len(clean[i].Digits))
			}
			if slices.ContainsFunc(u.Sources, func(r int) bool { return used[r] }) {
				t.Fatalf("%s: source %d shares a recording with the clean utterances", cond.Name, i)
			}
			if len(u.Samples) > asr.DSSamples {
				t.Fatalf("%s: source %d has %d samples, more than the input's %d", cond.Name, i, len(u.Samples), asr.DSSamples)
			}
			if i%3 != 1 {
				succeeded, samples = append(succeeded, len(u.Digits)), append(samples, len(u.Samples))
			}
		}
		m, kept := matchClean(clean, succeeded, samples)
		if len(kept) < len(succeeded)*9/10 {
			t.Errorf("%s: %d of %d matched", cond.Name, len(kept), len(succeeded))
		}
		var got, want []int
		for j, i := range m {
			got, want = append(got, len(clean[i].Digits)), append(want, succeeded[kept[j]])
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: matched clean digit counts %v, adversarial %v", cond.Name, got, want)
		}
		if d := meanDigits(clean); d < 3.2 || d > 3.8 {
			t.Errorf("%s: clean utterances of %.2f digits on average, want about 3.5 (2 to 5 uniformly)", cond.Name, d)
		}
	}
}

func meanDigits(us []fsdd.Utterance) float64 {
	d, _ := meanLength(us)
	return d
}

// TestLengthsUndefined checks the length correlations of a row: one per
// column and layer, nil where the scores are constant (JSON has no NaN).
func TestLengthsUndefined(t *testing.T) {
	us := func(n ...int) []fsdd.Utterance {
		out := make([]fsdd.Utterance, len(n))
		for i, k := range n {
			out[i].Samples, out[i].Digits = make([]float32, k), make([]int, 2)
		}
		return out
	}
	d := &audioRowData{bg: us(100, 200), clean: us(100, 300), adv: us(150, 250)}
	col := report.SSColumn{Nodes: nodesFlat, Tail: 1}
	layers := []report.AudioLayer{
		{Layer: "a", Scans: []report.SSTail{{Nodes: nodesFlat, Tail: 1, Clean: []float64{1, 3}, Adversarial: []float64{2, 2.5}}}},
		{Layer: "b", Scans: []report.SSTail{{Nodes: nodesFlat, Tail: 1, Clean: []float64{0, 0}, Adversarial: []float64{0, 0}}}},
	}
	got := d.lengths([]report.SSColumn{col}, layers).Spearman
	// lengths 100 300 150 250 and scores 1 3 2 2.5: the same ranks.
	if len(got) != 1 || len(got[0]) != 2 || got[0][0] == nil || math.Abs(*got[0][0]-1) > 1e-12 || got[0][1] != nil {
		t.Errorf("correlations %v: want 1 and nil", got)
	}
}
