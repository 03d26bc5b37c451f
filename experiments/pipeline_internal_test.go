package experiments

import (
	"math/rand/v2"
	"slices"
	"testing"

	"subsetscan/data"
	"subsetscan/scan"
)

// TestIndividualScansPaths checks individualScans against the ranges
// path it stands for (im.pvalues, then scan.IndividualAll): the same
// results bit for bit, scores, α and nodes, on activations with heavy
// ties (ReLU zeros, a few levels), for each tail, unconditional and
// conditional p-values and a background larger than the counts path
// takes (scan.MaxCountSamples), with 1 and 2 workers.
func TestIndividualScansPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	tied := func(rows, j int) *data.Array {
		a := data.NewArray(rows, j)
		for i := range a.Data {
			a.Data[i] = float32(max(0, rng.IntN(5)-2)) // 0 three times in five, then 1 and 2
		}
		return a
	}
	labels := func(n int) []int {
		l := make([]int, n)
		for i := range l {
			l[i] = i % 2
		}
		return l
	}
	for _, tc := range []struct {
		name  string
		b, j  int
		tail  scan.Tail
		class bool // conditional p-values: the ranges path must be taken
	}{
		{"upper", 40, 37, scan.Upper, false},
		{"two-tailed", 40, 37, scan.TwoTailed, false},
		{"upper, conditional", 40, 37, scan.Upper, true},
		{"upper, background beyond the counts", scan.MaxCountSamples + 1, 2, scan.Upper, false},
	} {
		b, e := tied(tc.b, tc.j), tied(15, tc.j)
		im := &Images{}
		if tc.class {
			im.bgLabels, im.evalLabels = labels(tc.b), labels(15)
		}
		ranges, err := im.pvalues(b, e, tc.tail, 1, new(pvalueBuffers))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		want, err := scan.IndividualAll(ranges, scan.BerkJones{}, 0.5, 0, 1)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for _, workers := range []int{1, 2} {
			got, err := im.individualScans(b, e, tc.tail, scan.BerkJones{}, 0.5, workers, new(pvalueBuffers))
			if err != nil {
				t.Fatalf("%s, %d workers: %v", tc.name, workers, err)
			}
			for i := range want {
				if g, w := got[i], want[i]; g.Score != w.Score || g.Alpha != w.Alpha || !slices.Equal(g.Nodes, w.Nodes) {
					t.Errorf("%s, %d workers, row %d: got %+v, want %+v", tc.name, workers, i, g, w)
				}
			}
		}
	}
}

// TestIndividualScansConditional checks that conditional p-values are
// not replaced by the unconditional counts: each evaluation row is
// compared with its own class's background only (as in
// TestConditionalPValues), so its score differs from the unconditional
// one.
func TestIndividualScansConditional(t *testing.T) {
	bg := &data.Array{Shape: []int{6, 2}, Data: []float32{0, 0, 1, 1, 2, 2, 10, 10, 11, 11, 12, 12}}
	eval := &data.Array{Shape: []int{1, 2}, Data: []float32{5, 5}}
	cond := &Images{bgLabels: []int{0, 0, 0, 1, 1, 1}, evalLabels: []int{0}}
	c, err := cond.individualScans(bg, eval, scan.Upper, scan.BerkJones{}, 0.5, 1, new(pvalueBuffers))
	if err != nil {
		t.Fatal(err)
	}
	u, err := (&Images{}).individualScans(bg, eval, scan.Upper, scan.BerkJones{}, 0.5, 1, new(pvalueBuffers))
	if err != nil {
		t.Fatal(err)
	}
	// Conditionally both nodes have pmax 1/4 (no class-0 value ≥ 5),
	// unconditionally 4/7: only the first is within α_max 0.5 at 1/4.
	if c[0].Alpha != 0.25 || u[0].Alpha == 0.25 || !(c[0].Score > u[0].Score) {
		t.Errorf("conditional %+v, unconditional %+v: want α 1/4 and a higher score conditionally", c[0], u[0])
	}
}
