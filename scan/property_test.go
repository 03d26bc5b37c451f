package scan

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// randomRanges returns n×j p-value ranges whose pmax values come from a
// small grid, so that ties (as with ReLU activations) are common.
func randomRanges(rng *rand.Rand, n, j int) *Ranges {
	r := NewRanges(n, j)
	grid := 2 + rng.IntN(20)
	for i := range r.Max {
		r.Max[i] = float64(1+rng.IntN(grid)) / float64(grid+1)
		r.Min[i] = max(0, r.Max[i]-1/float64(grid+1))
	}
	return r
}

var allScorers = []Scorer{BerkJones{}, HigherCriticism{}, KolmogorovSmirnov{}}

const propTol = 1e-12 // scores computed along different paths agree to rounding

func TestIndividualMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for trial := range 300 {
		j := 1 + rng.IntN(12)
		r := randomRanges(rng, 1, j)
		_, pmax := r.Row(0)
		alphaMax := []float64{0.5, 0.3, 0.9}[trial%3]
		for _, sc := range allScorers {
			got, err := Individual(pmax, sc, alphaMax)
			if err != nil {
				t.Fatal(err)
			}
			// Every non-empty node subset S at every candidate α.
			want := 0.0
			for _, a := range pmax {
				if a > alphaMax {
					continue
				}
				for mask := 1; mask < 1<<j; mask++ {
					n, na := 0.0, 0.0
					for k := range j {
						if mask&(1<<k) != 0 {
							n++
							if pmax[k] <= a {
								na++
							}
						}
					}
					want = max(want, sc.Score(na, n, a))
				}
			}
			if math.Abs(got.Score-want) > propTol*max(1, want) {
				t.Fatalf("trial %d %s: pmax %v: got %v, brute force %v", trial, sc.Name(), pmax, got.Score, want)
			}
			if got.Score < 0 {
				t.Fatalf("negative score %v", got.Score)
			}
		}
	}
}

// bruteStep returns the best score over every non-empty subset of elements
// and every exact threshold, with the other side fixed.
func bruteStep(g *groupScanner, fixSamples bool, fixed []int) float64 {
	r := g.r
	nElem := r.N
	if fixSamples {
		nElem = r.J
	}
	at := func(e, f int) float64 {
		if fixSamples {
			return r.Max[f*r.J+e]
		}
		return r.Max[e*r.J+f]
	}
	// Thresholds: distinct pmax of the sub-array below α_max, plus α_max.
	var thr []float64
	for e := range nElem {
		for _, f := range fixed {
			if v := at(e, f); v < g.opt.AlphaMax {
				thr = append(thr, v)
			}
		}
	}
	thr = append(thr, g.opt.AlphaMax)
	best := math.Inf(-1)
	for _, a := range thr {
		for mask := 1; mask < 1<<nElem; mask++ {
			na, n := 0.0, 0.0
			for e := range nElem {
				if mask&(1<<e) == 0 {
					continue
				}
				for _, f := range fixed {
					n++
					if at(e, f) <= a {
						na++
					}
				}
			}
			best = max(best, g.opt.Score.Score(na, n, a))
		}
	}
	return best
}

func TestGroupStepExactMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for trial := range 150 {
		n, j := 1+rng.IntN(8), 1+rng.IntN(12)
		r := randomRanges(rng, n, j)
		for _, sc := range allScorers {
			g, err := newGroupScanner(r, GroupOptions{Score: sc, AlphaMax: 0.5, Restarts: 2, Thresholds: Exact})
			if err != nil {
				t.Fatal(err)
			}
			for _, fixSamples := range []bool{true, false} {
				side := j
				if fixSamples {
					side = n
				}
				fixed := randomSubset(rng, side)
				want := bruteStep(g, fixSamples, fixed)
				// With the per-sample rank bitmaps and without them (the
				// path taken when they would be too large).
				rowBits := g.rowBits
				for _, bitmaps := range []bool{true, false} {
					g.rowBits = nil
					if bitmaps {
						g.rowBits = rowBits
					}
					got, _, sub := g.step(fixSamples, fixed, nil)
					if math.Abs(got-want) > propTol*max(1, want) {
						t.Fatalf("trial %d %s fixSamples=%v fixed=%v bitmaps=%v: got %v, brute force %v", trial, sc.Name(), fixSamples, fixed, bitmaps, got, want)
					}
					if len(sub) == 0 || !slices.IsSorted(sub) {
						t.Fatalf("subset %v: want non-empty and sorted", sub)
					}
				}
				g.rowBits = rowBits
			}
		}
	}
}

func randomSubset(rng *rand.Rand, n int) []int {
	var s []int
	for len(s) == 0 {
		for i := range n {
			if rng.IntN(2) == 0 {
				s = append(s, i)
			}
		}
	}
	return s
}

func TestGroupExactNotBelowReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for trial := range 200 {
		r := randomRanges(rng, 2+rng.IntN(30), 2+rng.IntN(60))
		for _, sc := range allScorers {
			ref, err := Group(r, GroupOptions{Score: sc, Thresholds: Reference})
			if err != nil {
				t.Fatal(err)
			}
			ex, err := Group(r, GroupOptions{Score: sc, Thresholds: Exact})
			if err != nil {
				t.Fatal(err)
			}
			if ex.Score < ref.Score-propTol*max(1, ref.Score) {
				t.Fatalf("trial %d %s: exact %v < reference %v", trial, sc.Name(), ex.Score, ref.Score)
			}
			if ref.Score < 0 || ex.Score < 0 {
				t.Fatalf("negative score")
			}
		}
	}
}

func TestScoresInvariantToNodePermutation(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for trial := range 100 {
		n, j := 1+rng.IntN(20), 2+rng.IntN(40)
		r := randomRanges(rng, n, j)
		perm := rng.Perm(j)
		p := NewRanges(n, j)
		for i := range n {
			for k := range j {
				p.Max[i*j+perm[k]] = r.Max[i*j+k]
				p.Min[i*j+perm[k]] = r.Min[i*j+k]
			}
		}
		for _, sc := range allScorers {
			a, _ := IndividualAll(r, sc, 0.5, 0, 1)
			b, _ := IndividualAll(p, sc, 0.5, 0, 1)
			for i := range a {
				if a[i].Score != b[i].Score || a[i].Alpha != b[i].Alpha {
					t.Fatalf("trial %d %s row %d: %v vs permuted %v", trial, sc.Name(), i, a[i], b[i])
				}
				mapped := make([]int, len(a[i].Nodes))
				for x, k := range a[i].Nodes {
					mapped[x] = perm[k]
				}
				slices.Sort(mapped)
				if !slices.Equal(mapped, b[i].Nodes) {
					t.Fatalf("trial %d row %d: nodes %v map to %v, permuted scan found %v", trial, i, a[i].Nodes, mapped, b[i].Nodes)
				}
			}
			// The group scan visits thresholds and blocks independently of
			// node order, so its score is invariant too.
			ga, err := Group(r, GroupOptions{Score: sc})
			if err != nil {
				t.Fatal(err)
			}
			gb, err := Group(p, GroupOptions{Score: sc})
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(ga.Score-gb.Score) > propTol*max(1, ga.Score) || ga.Alpha != gb.Alpha {
				t.Fatalf("trial %d %s group: %v vs permuted %v", trial, sc.Name(), ga, gb)
			}
		}
	}
}

func TestGroupRandomRestartsDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	r := randomRanges(rng, 20, 50)
	a, err := Group(r, GroupOptions{Restarts: 6, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Group(r, GroupOptions{Restarts: 6, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	if a.Score != b.Score || !slices.Equal(a.Nodes, b.Nodes) || !slices.Equal(a.Samples, b.Samples) {
		t.Errorf("same seed, different results: %v vs %v", a, b)
	}
	two, err := Group(r, GroupOptions{Restarts: 2})
	if err != nil {
		t.Fatal(err)
	}
	if a.Score < two.Score {
		t.Errorf("6 restarts scored %v < 2 restarts %v: restarts 0 and 1 must be kept", a.Score, two.Score)
	}
}

// The counting paths (Ranges.Denom set) must agree with the sorting paths.
func TestDenomPathsMatchSorting(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	for trial := range 50 {
		b, n, j := 2+rng.IntN(40), 1+rng.IntN(15), 1+rng.IntN(30)
		acts := make([]float32, (b+n)*j)
		for i := range acts {
			acts[i] = float32(rng.IntN(5)) // many ties
		}
		bg, err := NewBackground(acts[:b*j], b, j, 1)
		if err != nil {
			t.Fatal(err)
		}
		r, err := bg.PValues(acts[b*j:], Upper, 1)
		if err != nil {
			t.Fatal(err)
		}
		if r.Denom != b+1 {
			t.Fatalf("Denom = %d, want %d", r.Denom, b+1)
		}
		plain := *r
		plain.Denom = 0
		// α_max on and off the grid k/(B+1).
		aMax := []float64{0.5, 0.3, 0.123, 0.9, float64(1+rng.IntN(b)) / float64(b+1)}[trial%5]
		for _, sc := range allScorers {
			a, err := IndividualAll(r, sc, aMax, 0, 1)
			if err != nil {
				t.Fatal(err)
			}
			c, err := IndividualAll(&plain, sc, aMax, 0, 1)
			if err != nil {
				t.Fatal(err)
			}
			for i := range a {
				if a[i].Score != c[i].Score || a[i].Alpha != c[i].Alpha || !slices.Equal(a[i].Nodes, c[i].Nodes) {
					t.Fatalf("trial %d row %d: counting %v, sorting %v", trial, i, a[i], c[i])
				}
			}
			for _, th := range []Thresholds{Reference, Exact, Grid} {
				ga, err := Group(r, GroupOptions{Score: sc, Thresholds: th, Restarts: 3, Seed: 9})
				if err != nil {
					t.Fatal(err)
				}
				gc, err := Group(&plain, GroupOptions{Score: sc, Thresholds: th, Restarts: 3, Seed: 9})
				if err != nil {
					t.Fatal(err)
				}
				if ga.Score != gc.Score || ga.Alpha != gc.Alpha || !slices.Equal(ga.Nodes, gc.Nodes) || !slices.Equal(ga.Samples, gc.Samples) {
					t.Fatalf("trial %d %s %v: counting %v, sorting %v", trial, sc.Name(), th, ga, gc)
				}
			}
		}
	}
}

// key32 must order keys as the floats they come from, with -0 equal to +0.
func TestKey32Order(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	special := []float32{0, float32(math.Copysign(0, -1)), 1, -1, math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32,
		math.MaxFloat32, -math.MaxFloat32, 1e-40, -1e-40}
	vals := slices.Clone(special)
	for range 2000 {
		vals = append(vals, math.Float32frombits(rng.Uint32()&^0x7f800000|uint32(rng.IntN(255))<<23))
	}
	for _, a := range vals {
		for _, b := range vals[:40] {
			ka, kb := key32(a), key32(b)
			if (a < b) != (ka < kb) || (a == b) != (ka == kb) {
				t.Fatalf("%v vs %v: keys %#x vs %#x", a, b, ka, kb)
			}
		}
	}
}

// sortSpan must sort keys of any span — every number of radix passes,
// including none — and carry the indices along, as a comparison sort does.
func TestSortSpan(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 13))
	var rs radixScratch
	for _, tc := range []struct {
		name string
		base uint32
		span uint32 // keys in [base, base+span]
	}{
		{"equal", 1 << 31, 0},
		{"two", 5, 1},
		{"one pass", 1 << 31, 1<<radixBits - 1},
		{"two passes", 1<<31 + 12345, 1<<(2*radixBits) - 1},
		{"three passes", 1 << 30, 1<<(3*radixBits) - 1},
		{"full range", 0, math.MaxUint32},
	} {
		for _, n := range []int{1, 2, 17, 1000, 5000} {
			keys := make([]uint32, n)
			for i := range keys {
				keys[i] = tc.base + uint32(rng.Uint64N(uint64(tc.span)+1))
			}
			if rng.IntN(2) == 0 && n > 1 {
				keys[0], keys[1] = tc.base, tc.base+tc.span // the extremes
			}
			idx := make([]int32, n)
			for i := range idx {
				idx[i] = int32(i)
			}
			want := slices.Clone(keys)
			slices.Sort(want)
			orig := slices.Clone(keys)
			lo, hi := slices.Min(keys), slices.Max(keys)
			got, gidx := rs.sortSpan(keys, make([]uint32, n), idx, make([]int32, n), lo, hi)
			if !slices.Equal(got, want) {
				t.Fatalf("%s, n=%d: keys not sorted", tc.name, n)
			}
			for i, k := range got {
				if orig[gidx[i]] != k {
					t.Fatalf("%s, n=%d: index %d carries key %#x, not %#x", tc.name, n, gidx[i], orig[gidx[i]], k)
				}
			}
			plain, _ := rs.sortSpan(slices.Clone(orig), make([]uint32, n), nil, nil, lo, hi)
			if !slices.Equal(plain, want) {
				t.Fatalf("%s, n=%d: keys not sorted without indices", tc.name, n)
			}
		}
	}
}
