package experiments

import (
	"math"
	"slices"
	"strings"
	"testing"

	"subsetscan/data"
	"subsetscan/nn"
	"subsetscan/nn/asr"
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

// TestSummaryStats checks the summary nodes on a case worked by hand: two
// utterances of 3 time steps × 2 units, the second with 2 own frames (its
// padding, a large value, must not count), and the errors.
func TestSummaryStats(t *testing.T) {
	a := data.NewArray(2, 6)
	copy(a.Row(0), []float32{1, -2, 3, 0, 5, 2})
	copy(a.Row(1), []float32{4, 1, 4, 3, 99, 99})
	got, err := summaryStats(a, []int{3, 2}, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{
		// means, maxima, minima, deviations of the two units
		{3, 0, 5, 2, 1, -2, math.Sqrt(8.0 / 3), math.Sqrt(8.0 / 3)},
		{4, 2, 4, 3, 4, 1, 0, 1},
	}
	for i, w := range want {
		for k, v := range got.Row(i) {
			if math.Abs(float64(v)-w[k]) > 1e-6 {
				t.Errorf("utterance %d, node %d: %v, want %v", i, k, v, w[k])
			}
		}
	}
	for _, tc := range []struct {
		frames []int
		steps  int
		want   string
	}{
		{[]int{3, 0}, 3, "utterance 1 has 0 frames, want 1 to 3"},
		{[]int{3, 4}, 3, "utterance 1 has 4 frames"},
		{[]int{3}, 3, "1 frame counts for 2 utterances"},
		{[]int{3, 2}, 4, "rows of 6 values are not 4 time steps"},
	} {
		if _, err := summaryStats(a, tc.frames, tc.steps, 1); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("frames %v, steps %d: error %v, want %q", tc.frames, tc.steps, err, tc.want)
		}
	}
}

// TestSummaryStatsEdges checks the summary nodes' edge cases: an
// utterance of one frame (its values are its mean, maximum and minimum,
// its deviation 0), one that fills the input (no padding), a unit
// constant over the frames, whose deviation must be exactly 0 at any
// value and frame count (a constant background unit with a deviation of
// rounding noise would order utterances by that noise), signed values,
// time × frequency × channels rows (the units of a step are the
// frequencies × channels), and no utterance.
func TestSummaryStatsEdges(t *testing.T) {
	constant := func(v float32, steps int) []float32 {
		row := make([]float32, steps)
		for i := range row {
			row[i] = v
		}
		return row
	}
	for _, tc := range []struct {
		name         string
		rows         [][]float32
		frames       []int
		steps, nodes int
		want         [][]float64 // means, maxima, minima, deviations
	}{
		{"one frame", [][]float32{{-1.5, 2, 7, 7}}, []int{1}, 2, 8, [][]float64{{-1.5, 2, -1.5, 2, -1.5, 2, 0, 0}}},
		{"no padding", [][]float32{{1, 2, 3, 4}}, []int{2}, 2, 8, [][]float64{{2, 3, 3, 4, 1, 2, 1, 1}}},
		// 20 over 91 frames: the sum of squares less the squared mean
		// leaves 2.4e-7 of rounding; 0.1 over 49: 1.9e-9.
		{"constant 20", [][]float32{constant(20, 179)}, []int{91}, 179, 4, [][]float64{{20, 20, 20, 0}}},
		{"constant 0.1", [][]float32{constant(0.1, 179)}, []int{49}, 179, 4, [][]float64{{float64(float32(0.1)), float64(float32(0.1)), float64(float32(0.1)), 0}}},
		// two steps of 2 frequencies × 2 channels, the second step padding
		{"time × frequency × channels", [][]float32{{1, -2, 3, -4, 9, 9, 9, 9}}, []int{1}, 2, 16,
			[][]float64{{1, -2, 3, -4, 1, -2, 3, -4, 1, -2, 3, -4, 0, 0, 0, 0}}},
		{"no utterance", nil, nil, 3, 8, nil},
	} {
		a := data.NewArray(len(tc.rows), tc.steps*tc.nodes/4)
		for i, r := range tc.rows {
			copy(a.Row(i), r)
		}
		got, err := summaryStats(a, tc.frames, tc.steps, 2)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got.Len() != len(tc.want) || got.RowSize() != tc.nodes {
			t.Fatalf("%s: %d rows of %d nodes, want %d of %d", tc.name, got.Len(), got.RowSize(), len(tc.want), tc.nodes)
		}
		for i, w := range tc.want {
			for k, v := range got.Row(i) {
				if float64(v) != w[k] {
					t.Errorf("%s: utterance %d, node %d: %v, want %v", tc.name, i, k, v, w[k])
				}
			}
		}
	}
}

// TestCheckSummaryLayers checks that summary nodes are refused, naming
// the layer, in a layer whose first axis is not the mel frames (a
// convolution strided in time) and taken in every layer of the shipped
// models but the front end, and wherever only flat nodes are scanned.
func TestCheckSummaryLayers(t *testing.T) {
	arch := asr.LVArch
	arch.Name = "lv_time_strided"
	arch.Layers = append(slices.Clone(arch.Layers[:3]), nn.LayerSpec{Name: "conv2d_t", Kind: nn.Conv2D, Filters: 4, Kernel: 3, Strides: 2,
		ColStrides: 2, Padding: "same", Activation: "relu"})
	strided, err := nn.New(arch)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := nn.New(asr.DSArch)
	if err != nil {
		t.Fatal(err)
	}
	lv, err := nn.New(asr.LVArch)
	if err != nil {
		t.Fatal(err)
	}
	summary := []string{nodesFlat, nodesSummary}
	all := func(m *nn.Model) []string { return m.LayerNames()[1:] } // every layer but the front end
	for _, tc := range []struct {
		name   string
		m      *nn.Model
		layers []string
		nodes  []string
		want   string // "" for no error
	}{
		{"ds-fsdd", ds, all(ds), summary, ""},
		{"lv-fsdd", lv, all(lv), summary, ""},
		{"strided in time", strided, []string{"conv2d_1", "conv2d_t"}, summary,
			"layer conv2d_t: summary nodes need a layer whose first axis is the model's 179 mel frames, its output is [90 20 4]"},
		{"strided in time, flat nodes", strided, []string{"conv2d_t"}, []string{nodesFlat}, ""},
	} {
		err := checkSummaryLayers(tc.m, &audioRow{Layers: tc.layers, Nodes: tc.nodes})
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}
