package experiments

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"subsetscan/scan"
)

// groupScans must give, for any number of workers, each group's own scan
// of its rows: the result that scan.Group gives on those rows' ranges
// gathered with both bounds.
func TestGroupScansIndependentOfWorkers(t *testing.T) {
	const n, j = 30, 40
	rng := rand.New(rand.NewPCG(5, 5))
	r := scan.NewRanges(n, j)
	r.Denom = 101
	for i := range r.Max {
		k := 1 + rng.IntN(101)
		r.Max[i] = float64(k) / 101
		r.Min[i] = float64(k-1) / 101
	}
	var groups []group
	for range 7 {
		groups = append(groups, group{rows: rng.Perm(n)[:10], seed: rng.Uint64()})
	}
	opts := scan.GroupOptions{Score: scan.BerkJones{}, AlphaMax: 0.5, Restarts: 3, Thresholds: scan.Reference}
	want := make([]scan.Result, len(groups))
	for k, g := range groups {
		sub := scan.NewRanges(len(g.rows), j)
		sub.Denom = r.Denom
		for s, i := range g.rows {
			copy(sub.Min[s*j:(s+1)*j], r.Min[i*j:(i+1)*j])
			copy(sub.Max[s*j:(s+1)*j], r.Max[i*j:(i+1)*j])
		}
		res, err := scan.Group(sub, scan.GroupOptions{Score: scan.BerkJones{}, AlphaMax: 0.5, Restarts: 3, Seed: g.seed})
		if err != nil {
			t.Fatal(err)
		}
		want[k] = res
	}
	for _, w := range []int{1, 2, 3} {
		got, err := groupScans(r, groups, opts, w)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("workers=%d: results differ from scanning each group alone", w)
		}
	}
}
