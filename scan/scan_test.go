package scan_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"subsetscan/scan"
)

func randomActs(rng *rand.Rand, n, j int, relu bool) []float32 {
	x := make([]float32, n*j)
	for i := range x {
		v := float32(rng.NormFloat64())
		if relu && v < 0 {
			v = 0
		}
		x[i] = v
	}
	return x
}

func TestPValuesIndependentOfWorkers(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	bgActs := randomActs(rng, 50, 100, true)
	ev := randomActs(rng, 20, 100, true)
	var first *scan.Ranges
	for _, w := range []int{1, 2, 5} {
		bg, err := scan.NewBackground(bgActs, 50, 100, w)
		if err != nil {
			t.Fatal(err)
		}
		r, err := bg.PValues(ev, scan.Upper, w)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = r
			continue
		}
		if !slices.Equal(first.Min, r.Min) || !slices.Equal(first.Max, r.Max) {
			t.Fatalf("workers=%d changed the ranges", w)
		}
	}
	// Against a direct count.
	for i := range 20 {
		for k := range 100 {
			x := ev[i*100+k]
			gt, ge := 0, 0
			for b := range 50 {
				v := bgActs[b*100+k]
				if v > x {
					gt++
				}
				if v >= x {
					ge++
				}
			}
			if first.Min[i*100+k] != float64(gt)/51 || first.Max[i*100+k] != float64(ge+1)/51 {
				t.Fatalf("sample %d node %d: got [%v %v], want [%v %v]", i, k, first.Min[i*100+k], first.Max[i*100+k], float64(gt)/51, float64(ge+1)/51)
			}
		}
	}
}

func TestNegativeZeroTiesWithZero(t *testing.T) {
	negZero := float32(math.Copysign(0, -1))
	bg, err := scan.NewBackground([]float32{0, negZero, 1}, 3, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	r, err := bg.PValues([]float32{negZero}, scan.Upper, 1)
	if err != nil {
		t.Fatal(err)
	}
	// gt = 1 (the 1), ge = 3.
	if r.Min[0] != 0.25 || r.Max[0] != 1 {
		t.Errorf("got [%v %v], want [0.25 1]", r.Min[0], r.Max[0])
	}
}

func TestTwoTailed(t *testing.T) {
	// B = 3 background values 1, 2, 3 at one node.
	bg, err := scan.NewBackground([]float32{1, 2, 3}, 3, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		x          float32
		pmin, pmax float64
	}{
		{10, 0, 0.5},    // one-tailed [0, 0.25]: pmax < 0.5 → doubled
		{2, 0.5, 1},     // one-tailed [0.25, 0.75] straddles 0.5
		{0, 0.5, 1},     // one-tailed [0.75, 1]: pmin > 0.5 → [2(1−1), 2(1−0.75)]... see below
		{2.5, 0.5, 1.0}, // one-tailed [0.25, 0.5]: pmax not < 0.5
	}
	// x = 0: pmin = 3/4 > 0.5, so [2(1−pmax), 2(1−pmin)] = [0, 0.5].
	tests[2].pmin, tests[2].pmax = 0, 0.5
	for _, tc := range tests {
		r, err := bg.PValues([]float32{tc.x}, scan.TwoTailed, 1)
		if err != nil {
			t.Fatal(err)
		}
		if r.Min[0] != tc.pmin || r.Max[0] != tc.pmax {
			t.Errorf("x=%v: got [%v %v], want [%v %v]", tc.x, r.Min[0], r.Max[0], tc.pmin, tc.pmax)
		}
	}
}

func TestConditional(t *testing.T) {
	// Class 0 background is small, class 1 large: the same value is
	// unusual for class 0 only.
	acts := []float32{0, 1, 2, 10, 11, 12}
	labels := []int{0, 0, 0, 1, 1, 1}
	c, err := scan.NewConditional(acts, labels, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.PValues([]float32{5, 5}, []int{0, 1}, scan.Upper, 1)
	if err != nil {
		t.Fatal(err)
	}
	if r.Max[0] != 0.25 || r.Max[1] != 1 {
		t.Errorf("got pmax %v, want [0.25 1]", r.Max)
	}
	if _, err := c.PValues([]float32{5}, []int{7}, scan.Upper, 1); err == nil || !strings.Contains(err.Error(), "sample 0 has class 7") {
		t.Errorf("unknown class: got %v", err)
	}
	if _, err := scan.NewConditional([]float32{1, 2, 3}, []int{0, 0, 1}, 1, 1); err == nil || !strings.Contains(err.Error(), "class 1") {
		t.Errorf("class with one sample: got %v", err)
	}
	nan := float32(math.NaN())
	_, err = scan.NewConditional([]float32{1, 2, 3, 4, nan, 6}, []int{0, 1, 0, 1, 1, 0}, 1, 1)
	var nf *scan.NonFiniteError
	if !errors.As(err, &nf) || nf.Sample != 4 || !strings.Contains(err.Error(), "class 1") {
		t.Errorf("NaN in class 1 at sample 4: got %v", err)
	}
}

func TestBadInput(t *testing.T) {
	nan := float32(math.NaN())
	_, err := scan.NewBackground([]float32{1, 2, 3, nan}, 2, 2, 1)
	var nf *scan.NonFiniteError
	if !errors.As(err, &nf) || nf.Sample != 1 || nf.Node != 1 {
		t.Errorf("NaN background: got %v, want a NonFiniteError at sample 1, node 1", err)
	}
	if _, err := scan.NewBackground([]float32{1, 2}, 1, 2, 1); err == nil {
		t.Error("one background sample: got no error")
	}
	bg, err := scan.NewBackground([]float32{1, 2, 3, 4}, 2, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	inf := float32(math.Inf(1))
	if _, err := bg.PValues([]float32{1, 2, 3, inf}, scan.Upper, 1); !errors.Is(err, scan.ErrNotFinite) || !strings.Contains(err.Error(), "sample 1, node 1") {
		t.Errorf("Inf eval: got %v", err)
	}
	if _, err := bg.PValues([]float32{1, 2}, scan.Tail(3), 1); err == nil {
		t.Error("tail 3: got no error")
	}
	for _, a := range []float64{0, 1, -0.1, math.NaN()} {
		if _, err := scan.Individual([]float64{0.1}, scan.BerkJones{}, a); err == nil {
			t.Errorf("alpha max %v: got no error", a)
		}
		if _, err := scan.IndividualFixed([]float64{0.1}, scan.BerkJones{}, a); err == nil {
			t.Errorf("alpha %v: got no error", a)
		}
	}
	if _, err := scan.ScorerByName("xx"); err == nil || !strings.Contains(err.Error(), `"xx"`) {
		t.Errorf("unknown score: got %v", err)
	}
	r := scan.NewRanges(1, 2)
	r.Max[0], r.Max[1] = 0.5, math.NaN()
	if _, err := scan.Group(r, scan.GroupOptions{}); err == nil || !strings.Contains(err.Error(), "sample 0, node 1") {
		t.Errorf("NaN pmax: got %v", err)
	}
	if _, err := scan.Group(scan.NewRanges(0, 3), scan.GroupOptions{}); err == nil {
		t.Error("empty group: got no error")
	}
	if _, err := scan.Group(scan.NewRanges(2, 3), scan.GroupOptions{Classes: []int{1}}); err == nil {
		t.Error("class labels of the wrong length: got no error")
	}
}

func TestIndividualNoCandidate(t *testing.T) {
	got, err := scan.Individual([]float64{0.9, 0.7}, scan.BerkJones{}, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if got.Score != 0 || got.Alpha != 0 || len(got.Nodes) != 0 {
		t.Errorf("got %+v, want score 0, alpha 0, no nodes", got)
	}
}

func TestGroupClassConstraint(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	r := scan.NewRanges(12, 30)
	for i := range r.Max {
		r.Max[i] = 0.3 + 0.7*rng.Float64()
	}
	// Samples 0-3 (class 0) and 4-7 (class 1) are anomalous at nodes 0-9.
	for i := range 8 {
		for k := range 10 {
			r.Max[i*30+k] = 0.01
		}
	}
	classes := []int{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2}
	got, err := scan.Group(r, scan.GroupOptions{Classes: classes})
	if err != nil {
		t.Fatal(err)
	}
	c := classes[got.Samples[0]]
	for _, i := range got.Samples {
		if classes[i] != c {
			t.Fatalf("samples %v span several classes", got.Samples)
		}
	}
	free, err := scan.Group(r, scan.GroupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(free.Samples, []int{0, 1, 2, 3, 4, 5, 6, 7}) {
		t.Errorf("unconstrained samples %v, want the 8 anomalous ones", free.Samples)
	}
	if got.Score > free.Score {
		t.Errorf("constrained score %v above unconstrained %v", got.Score, free.Score)
	}
}

func TestAUC(t *testing.T) {
	tests := []struct {
		clean, anom []float64
		want        float64
	}{
		{[]float64{1, 2}, []float64{3, 4}, 1},
		{[]float64{3, 4}, []float64{1, 2}, 0},
		{[]float64{1, 1}, []float64{1}, 0.5},
		{[]float64{1, 2, 3}, []float64{2}, 0.5},
		{[]float64{0, 0, 0, 5}, []float64{1, 6}, 0.875}, // pairs won: 3+4 of 8
	}
	for _, tc := range tests {
		got, err := scan.AUC(tc.clean, tc.anom)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("AUC(%v, %v) = %v, want %v", tc.clean, tc.anom, got, tc.want)
		}
	}
	if _, err := scan.AUC(nil, []float64{1}); err == nil {
		t.Error("empty clean: got no error")
	}
	if _, err := scan.AUC([]float64{math.NaN()}, []float64{1}); err == nil {
		t.Error("NaN: got no error")
	}
}

func TestPrecisionRecall(t *testing.T) {
	p, r := scan.PrecisionRecall([]int{1, 2, 3, 3}, []int{2, 3, 4, 5})
	if p != 2.0/3 || r != 0.5 {
		t.Errorf("got %v %v, want 2/3 and 1/2", p, r)
	}
	p, r = scan.PrecisionRecall(nil, nil)
	if p != 0 || r != 0 {
		t.Errorf("empty: got %v %v", p, r)
	}
}

func FuzzScan(f *testing.F) {
	f.Add([]byte{10, 200, 30, 40, 250, 0, 7, 9}, uint8(2), uint8(50))
	f.Add([]byte{0, 0, 0, 0}, uint8(1), uint8(1))
	f.Fuzz(func(t *testing.T, raw []byte, cols, alpha uint8) {
		j := int(cols%16) + 1
		n := len(raw) / j
		if n == 0 {
			return
		}
		r := scan.NewRanges(n, j)
		for i := range r.Max {
			r.Max[i] = float64(raw[i]) / 255
		}
		aMax := float64(alpha) / 255
		for _, sc := range []scan.Scorer{scan.BerkJones{}, scan.HigherCriticism{}, scan.KolmogorovSmirnov{}} {
			res, err := scan.IndividualAll(r, sc, aMax, 0, 1)
			if err == nil {
				for _, x := range res {
					if !(x.Score >= 0) || math.IsInf(x.Score, 0) {
						t.Fatalf("individual score %v", x.Score)
					}
				}
			}
			for _, th := range []scan.Thresholds{scan.Reference, scan.Exact, scan.Grid} {
				g, err := scan.Group(r, scan.GroupOptions{Score: sc, AlphaMax: aMax, Thresholds: th, Restarts: 3})
				if err != nil {
					continue
				}
				if !(g.Score >= 0) || math.IsInf(g.Score, 0) || len(g.Samples) == 0 || len(g.Nodes) == 0 {
					t.Fatalf("group result %+v", g)
				}
			}
		}
		// Activations as float32 bits: NaN and Inf must be errors, not panics.
		if len(raw) >= 8 {
			acts := make([]float32, len(raw)/4)
			for i := range acts {
				acts[i] = math.Float32frombits(uint32(raw[4*i]) | uint32(raw[4*i+1])<<8 | uint32(raw[4*i+2])<<16 | uint32(raw[4*i+3])<<24)
			}
			bg, err := scan.NewBackground(acts, len(acts), 1, 1)
			if err != nil {
				return
			}
			r, err := bg.PValues(acts, scan.TwoTailed, 1)
			if err != nil {
				t.Fatal(err)
			}
			for i := range r.Max {
				if !(r.Min[i] >= 0 && r.Min[i] <= r.Max[i] && r.Max[i] <= 1) {
					t.Fatalf("range [%v %v]", r.Min[i], r.Max[i])
				}
			}
		}
	})
}

// Reset and PValuesTo reusing memory of another size give the results of
// fresh allocations.
func TestReuseMatchesFresh(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	var bg scan.Background
	var r scan.Ranges
	for _, sz := range []struct{ b, j, n int }{{40, 70, 25}, {12, 33, 60}, {50, 5, 3}, {3, 90, 90}} {
		bgActs := randomActs(rng, sz.b, sz.j, true)
		ev := randomActs(rng, sz.n, sz.j, sz.n%2 == 0)
		if err := bg.Reset(bgActs, sz.b, sz.j, 2); err != nil {
			t.Fatal(err)
		}
		fresh, err := scan.NewBackground(bgActs, sz.b, sz.j, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, tail := range []scan.Tail{scan.Upper, scan.TwoTailed} {
			if err := bg.PValuesTo(&r, ev, tail, 2); err != nil {
				t.Fatal(err)
			}
			want, err := fresh.PValues(ev, tail, 1)
			if err != nil {
				t.Fatal(err)
			}
			if r.N != want.N || r.J != want.J || r.Denom != want.Denom || !slices.Equal(r.Min, want.Min) || !slices.Equal(r.Max, want.Max) {
				t.Fatalf("%+v tail %d: reused ranges differ from fresh ones", sz, tail)
			}
		}
	}
	// A failed Reset leaves the background empty, not half-updated.
	if err := bg.Reset([]float32{1, float32(math.Inf(-1))}, 2, 1, 1); err == nil {
		t.Fatal("Inf background: no error")
	}
	if bg.Samples() != 0 || bg.Nodes() != 0 {
		t.Errorf("after a failed Reset: %d samples, %d nodes", bg.Samples(), bg.Nodes())
	}
}

// The p-value ranges must equal a direct count for every kind of column
// the merge meets: ReLU zeros, heavy ties (quantised values), evaluation
// values equal to background values or beyond either end, negative values,
// constant nodes; with row and node counts that leave partial tiles and
// blocks, and both tails.
func TestPValuesMatchCounting(t *testing.T) {
	const b, n, j = 300, 37, 70
	rng := rand.New(rand.NewPCG(21, 21))
	draws := []struct {
		name string
		draw func() float32
	}{
		{"relu", func() float32 { return float32(max(rng.NormFloat64(), 0)) }},
		{"quantised", func() float32 { return float32(rng.IntN(9)) / 8 }},
		{"signed", func() float32 { return float32(rng.NormFloat64() * 100) }},
		{"constant", func() float32 { return 0.5 }},
		{"spread", func() float32 { return float32(math.Exp(rng.NormFloat64() * 10)) }},
	}
	for _, d := range draws {
		t.Run(d.name, func(t *testing.T) {
			bgActs := make([]float32, b*j)
			for i := range bgActs {
				bgActs[i] = d.draw()
			}
			ev := make([]float32, n*j)
			for i := range ev {
				switch rng.IntN(4) {
				case 0: // a background value of the same node: a tie
					ev[i] = bgActs[rng.IntN(b)*j+i%j]
				case 1: // beyond either end
					ev[i] = float32(rng.NormFloat64() * 1e6)
				default:
					ev[i] = d.draw()
				}
			}
			bg, err := scan.NewBackground(bgActs, b, j, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, tail := range []scan.Tail{scan.Upper, scan.TwoTailed} {
				r, err := bg.PValues(ev, tail, 0)
				if err != nil {
					t.Fatal(err)
				}
				for i := range n {
					for k := range j {
						x := ev[i*j+k]
						gt, ge := 0, 0
						for s := range b {
							v := bgActs[s*j+k]
							if v > x {
								gt++
							}
							if v >= x {
								ge++
							}
						}
						pmin, pmax := float64(gt)/(b+1), float64(ge+1)/(b+1)
						if tail == scan.TwoTailed {
							switch {
							case pmax < 0.5:
								pmin, pmax = 2*pmin, 2*pmax
							case pmin > 0.5:
								pmin, pmax = 2*(1-pmax), 2*(1-pmin)
							default:
								pmin, pmax = 2*min(pmin, 1-pmax), 1
							}
						}
						if got := [2]float64{r.Min[i*j+k], r.Max[i*j+k]}; got != [2]float64{pmin, pmax} {
							t.Fatalf("tail %d, sample %d, node %d (x = %v): got %v, want [%v %v]", tail, i, k, x, got, pmin, pmax)
						}
					}
				}
			}
		})
	}
}

// NaN and ±Inf anywhere in a background or an evaluation matrix (here in
// the second block of nodes and the last tile of rows) are errors naming
// their sample and node; the largest finite values and denormals are not.
func TestNonFiniteAnywhere(t *testing.T) {
	const n, j, row, node = 40, 70, 37, 65
	base := func() []float32 {
		x := make([]float32, n*j)
		for i := range x {
			x[i] = float32(i%7) / 7
		}
		return x
	}
	for _, v := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		x := base()
		x[row*j+node] = v
		var nf *scan.NonFiniteError
		if _, err := scan.NewBackground(x, n, j, 0); !errors.As(err, &nf) || nf.Sample != row || nf.Node != node {
			t.Errorf("%v in the background: got %v, want sample %d, node %d", v, err, row, node)
		}
		bg, err := scan.NewBackground(base(), n, j, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bg.PValues(x, scan.Upper, 0); !errors.As(err, &nf) || nf.Sample != row || nf.Node != node {
			t.Errorf("%v in the evaluation values: got %v, want sample %d, node %d", v, err, row, node)
		}
	}
	x := base()
	x[0], x[1], x[2] = math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32
	bg, err := scan.NewBackground(x, n, j, 0)
	if err != nil {
		t.Fatalf("finite extremes in the background: %v", err)
	}
	if _, err := bg.PValues(x, scan.TwoTailed, 0); err != nil {
		t.Fatalf("finite extremes in the evaluation values: %v", err)
	}
}
