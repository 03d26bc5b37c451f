package scan_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"subsetscan/scan"
)

// countCases are inputs for UpperCounts with the shapes and values that
// take its different paths: ReLU zeros, negative values and -0, heavy
// ties, a node whose background is constant, a block of fewer than 32
// nodes, the smallest background.
var countCases = []countCase{
	{"relu", 60, 25, 70, func(rng *rand.Rand) float32 { return max(0, float32(rng.NormFloat64())) }},
	{"signed", 40, 10, 33, func(rng *rand.Rand) float32 {
		if rng.IntN(10) == 0 {
			return float32(math.Copysign(0, -1))
		}
		return float32(rng.NormFloat64())
	}},
	{"ties", 30, 20, 45, func(rng *rand.Rand) float32 { return float32(rng.IntN(4)) - 1 }},
	{"constant", 5, 8, 3, func(rng *rand.Rand) float32 { return 2 }},
	{"two", 2, 6, 1, func(rng *rand.Rand) float32 { return float32(rng.IntN(3)) }},
}

type countCase struct {
	name    string
	b, n, j int
	value   func(rng *rand.Rand) float32
}

// inputs draws the case's background and evaluation values from seed.
func (tc countCase) inputs(seed uint64) (bg, eval []float32) {
	rng := rand.New(rand.NewPCG(seed, seed))
	bg, eval = make([]float32, tc.b*tc.j), make([]float32, tc.n*tc.j)
	for _, x := range [][]float32{bg, eval} {
		for i := range x {
			x[i] = tc.value(rng)
		}
	}
	return bg, eval
}

// The counts are the ranges' upper bounds, bit for bit, whatever the
// number of workers.
func TestUpperCountsMatchPValues(t *testing.T) {
	for _, tc := range countCases {
		bgActs, ev := tc.inputs(3)
		bg, err := scan.NewBackground(bgActs, tc.b, tc.j, 1)
		if err != nil {
			t.Fatal(err)
		}
		r, err := bg.PValues(ev, scan.Upper, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []int{1, 2, 3} {
			c, err := scan.UpperCounts(bgActs, tc.b, ev, tc.j, w)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if c.N != tc.n || c.J != tc.j || c.Denom != tc.b+1 {
				t.Fatalf("%s: N, J, Denom = %d, %d, %d, want %d, %d, %d", tc.name, c.N, c.J, c.Denom, tc.n, tc.j, tc.b+1)
			}
			for i, k := range c.K {
				if got := float64(k) / float64(c.Denom); got != r.Max[i] {
					t.Fatalf("%s, %d workers: sample %d, node %d: pmax %v, want %v", tc.name, w, i/tc.j, i%tc.j, got, r.Max[i])
				}
			}
		}
	}
}

// IndividualCounts gives IndividualAll's results on the same p-values.
func TestIndividualCountsMatchIndividualAll(t *testing.T) {
	scorers := []scan.Scorer{scan.BerkJones{}, scan.HigherCriticism{}, scan.KolmogorovSmirnov{}}
	for _, tc := range countCases {
		bgActs, ev := tc.inputs(4)
		bg, err := scan.NewBackground(bgActs, tc.b, tc.j, 0)
		if err != nil {
			t.Fatal(err)
		}
		r, err := bg.PValues(ev, scan.Upper, 0)
		if err != nil {
			t.Fatal(err)
		}
		c, err := scan.UpperCounts(bgActs, tc.b, ev, tc.j, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, sc := range scorers {
			for _, a := range []struct{ max, fixed float64 }{{0.5, 0}, {0.123, 0}, {0.5, 0.3}, {0.5, 1.0 / float64(tc.b+1)}} {
				want, err := scan.IndividualAll(r, sc, a.max, a.fixed, 0)
				if err != nil {
					t.Fatal(err)
				}
				got, err := scan.IndividualCounts(c, sc, a.max, a.fixed, 2)
				if err != nil {
					t.Fatal(err)
				}
				for i := range want {
					w, g := want[i], got[i]
					if g.Score != w.Score || g.Alpha != w.Alpha || !slices.Equal(g.Nodes, w.Nodes) || g.Nodes == nil || cap(g.Nodes) != len(g.Nodes) {
						t.Fatalf("%s %s %v row %d: got %v, want %v", tc.name, sc.Name(), a, i, g, w)
					}
				}
			}
		}
	}
}

func TestUpperCountsErrors(t *testing.T) {
	const b, n, j, row, node = 40, 12, 70, 37, 65
	base := func(rows int) []float32 {
		x := make([]float32, rows*j)
		for i := range x {
			x[i] = float32(i%7) / 7
		}
		return x
	}
	for _, v := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		for _, eval := range []bool{false, true} {
			bg, ev := base(b), base(n)
			if eval {
				ev[9*j+node] = v
			} else {
				bg[row*j+node] = v
				ev[3*j] = v // reported after the background's
			}
			_, err := scan.UpperCounts(bg, b, ev, j, 2)
			var in *scan.InputError
			var nf *scan.NonFiniteError
			if !errors.As(err, &in) || in.Eval != eval || !errors.As(err, &nf) || !errors.Is(err, scan.ErrNotFinite) {
				t.Fatalf("%v, eval %v: got %v, want an InputError wrapping a NonFiniteError", v, eval, err)
			}
			if wantRow := map[bool]int{false: row, true: 9}[eval]; nf.Sample != wantRow || nf.Node != node {
				t.Errorf("%v, eval %v: got %v, want sample %d, node %d", v, eval, err, wantRow, node)
			}
		}
	}
	for _, bad := range []struct{ b, j int }{{1, 3}, {scan.MaxCountSamples + 1, 1}, {5, 0}} {
		var in *scan.InputError
		if _, err := scan.UpperCounts(make([]float32, bad.b*bad.j), bad.b, nil, bad.j, 0); !errors.As(err, &in) || in.Eval {
			t.Errorf("b %d, j %d: got %v, want a background InputError", bad.b, bad.j, err)
		}
	}
	for _, k := range []uint16{0, 12} {
		c := &scan.Counts{N: 2, J: 2, Denom: 11, K: []uint16{1, 11, 5, k}}
		if _, err := scan.IndividualCounts(c, scan.BerkJones{}, 0.5, 0, 0); err == nil {
			t.Errorf("count %d of 11: got no error", k)
		}
	}
}
