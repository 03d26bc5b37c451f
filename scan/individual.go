package scan

import (
	"fmt"
	"math"
	"slices"

	"subsetscan/internal/mem"
	"subsetscan/internal/par"
)

// DefaultAlphaMax is the largest p-value threshold a scan considers unless
// told otherwise.
const DefaultAlphaMax = 0.5

func checkAlpha(name string, a float64) error {
	if !(a > 0 && a < 1) {
		return fmt.Errorf("scan: %s must be in (0, 1), got %v", name, a)
	}
	return nil
}

// Individual scans the nodes of one sample given their upper p-value bounds
// pmax. For an individual sample LTSS is exact: each candidate threshold α —
// a distinct pmax value ≤ alphaMax — defines one subset, the nodes with
// pmax ≤ α, scored with N_α = N = its size. Individual returns the best
// score, its α and its nodes; the first (smallest) α wins ties. With no
// candidate the score and α are 0 and the subset is empty. pmax is not
// modified. It returns an error when alphaMax is not in (0, 1) or a pmax is
// NaN or outside (0, 1].
func Individual(pmax []float64, score Scorer, alphaMax float64) (Result, error) {
	if err := checkAlpha("alpha max", alphaMax); err != nil {
		return Result{}, err
	}
	if err := checkPMax(pmax, 0, len(pmax)); err != nil {
		return Result{}, err
	}
	var s IndividualScanner
	return s.Scan(pmax, score, alphaMax), nil
}

// IndividualScanner runs individual scans reusing its scratch memory. The
// zero value is ready to use; it is not safe for concurrent use.
type IndividualScanner struct {
	vals []float64
	hist []int32
	// logs caches ln(1/α) at α = k/denom for the Berk-Jones fast path.
	logs      []float64
	logsDenom int
	// nodes is a chunk from which IndividualAll carves node subsets.
	nodes []int
}

// Scan is Individual without the argument checks: alphaMax must be in
// (0, 1) and every pmax in (0, 1].
func (s *IndividualScanner) Scan(pmax []float64, score Scorer, alphaMax float64) Result {
	res, n := s.scan(pmax, 0, score, alphaMax)
	res.Nodes = make([]int, n, n+1)
	fillAtOrBelow(res.Nodes, pmax, res.Alpha)
	res.Nodes = res.Nodes[:n:n]
	return res
}

// scan runs the scan and returns the result without its nodes, and their
// count; when denom > 0 every pmax is k/denom for an integer k, and a
// counting pass replaces the sort.
func (s *IndividualScanner) scan(pmax []float64, denom int, score Scorer, alphaMax float64) (Result, int) {
	if denom > 0 {
		// Every pmax is k/denom: histogram the k of all of them, without
		// a branch on α_max (it would be taken at random).
		s.hist = resize(s.hist, denom+1)
		clear(s.hist)
		d := float64(denom)
		for _, p := range pmax {
			s.hist[int(p*d+0.5)]++
		}
		res, n, _ := s.scanHist(denom, score, alphaMax)
		return res, n
	}
	best, bestAlpha, bestN := 0.0, 0.0, 0
	first := true
	s.vals = s.vals[:0]
	for _, p := range pmax {
		if p <= alphaMax {
			s.vals = append(s.vals, p)
		}
	}
	slices.Sort(s.vals)
	for i := 0; i < len(s.vals); {
		a := s.vals[i]
		for i < len(s.vals) && s.vals[i] == a {
			i++
		}
		if sc := score.Score(float64(i), float64(i), a); first || sc > best {
			best, bestAlpha, bestN, first = sc, a, i, false
		}
	}
	if first {
		return Result{}, 0
	}
	return Result{Score: best, Alpha: bestAlpha}, bestN
}

// scanHist runs the scan on the histogram s.hist of the numerators k of
// pmax = k/denom, considering k ≤ kA, the largest k with k/denom ≤
// alphaMax. It returns the result without its nodes, their count and the
// numerator of the best α (0 with no candidate).
func (s *IndividualScanner) scanHist(denom int, score Scorer, alphaMax float64) (Result, int, int) {
	best, bestK, bestN := 0.0, 0, 0
	first := true
	d := float64(denom)
	kMax := largestK(alphaMax, denom)
	for kMax > 0 && s.hist[kMax] == 0 {
		kMax--
	}
	if _, ok := score.(BerkJones); ok {
		// With N_α = N the statistic is N·ln(1/α): tabulate the
		// logarithms, computed exactly as BerkJones.Score does.
		if s.logsDenom != denom || len(s.logs) <= kMax {
			s.logs = s.logs[:0]
			s.logsDenom = denom
		}
		for k := len(s.logs); k <= kMax; k++ {
			s.logs = append(s.logs, math.Log(1/(float64(k)/d)))
		}
		n := 0
		for k := 1; k <= kMax; k++ {
			if c := int(s.hist[k]); c > 0 {
				n += c
				if sc := float64(n) * s.logs[k]; first || sc > best {
					best, bestK, bestN, first = sc, k, n, false
				}
			}
		}
	} else {
		n := 0
		for k := 1; k <= kMax; k++ {
			if c := int(s.hist[k]); c > 0 {
				n += c
				// The same division that produced the p-values, so α is
				// bit-for-bit one of them.
				if sc := score.Score(float64(n), float64(n), float64(k)/d); first || sc > best {
					best, bestK, bestN, first = sc, k, n, false
				}
			}
		}
	}
	if first {
		return Result{}, 0, 0
	}
	return Result{Score: best, Alpha: float64(bestK) / d}, bestN, bestK
}

// largestK returns the largest k in [0, denom] with float64(k)/denom ≤
// alpha: pmax = k/denom passes the threshold alpha if and only if k ≤
// largestK(alpha, denom).
func largestK(alpha float64, denom int) int {
	d := float64(denom)
	kA := min(int(alpha*d), denom)
	for kA < denom && float64(kA+1)/d <= alpha {
		kA++
	}
	for kA > 0 && float64(kA)/d > alpha {
		kA--
	}
	return kA
}

// carve returns a slice of n ints, with one element of spare capacity, from the scanner's current chunk,
// allocating chunks of at least 1<<18: far fewer allocations than one per
// row, and each row's subset is filled while its p-values are in cache.
func (s *IndividualScanner) carve(n int) []int {
	if len(s.nodes) < n+1 {
		s.nodes = make([]int, max(n+1, 1<<18))
		mem.Populate(s.nodes) // its pages mapped in one call, not one fault each
	}
	out := s.nodes[: n : n+1]
	s.nodes = s.nodes[n:] // the spare element is reused by the next row
	return out
}

// fillAtOrBelow fills nodes with the indices of the values of v at or
// below limit. nodes must have exactly their number of elements and one of
// spare capacity: the loop stores every index and advances past the
// selected ones, which is faster than a branch taken at random. v is the
// pmax of a row, or their numerators (Counts).
func fillAtOrBelow[T float64 | uint16](nodes []int, v []T, limit T) {
	want := len(nodes)
	nodes = nodes[:cap(nodes)]
	n := 0
	for k, p := range v {
		nodes[n] = k
		inc := 0
		if p <= limit {
			inc = 1
		}
		n = min(n+inc, want) // want is exact unless Ranges.Denom lies
	}
}

// IndividualFixed scores the nodes of one sample at the single threshold
// alpha: the subset is the nodes with pmax ≤ alpha, scored with
// N_α = N = its size. It returns an error when alpha is not in (0, 1).
func IndividualFixed(pmax []float64, score Scorer, alpha float64) (Result, error) {
	if err := checkAlpha("alpha", alpha); err != nil {
		return Result{}, err
	}
	nodes := nodesAtOrBelow(pmax, alpha)
	n := float64(len(nodes))
	return Result{Score: score.Score(n, n, alpha), Alpha: alpha, Nodes: nodes}, nil
}

// checkPMax reports the first pmax outside (0, 1] of the row-major
// matrix with j columns, naming its sample (offset by row0) and node.
func checkPMax(pmax []float64, row0, j int) error {
	for i, p := range pmax {
		if !(p > 0 && p <= 1) {
			return fmt.Errorf("scan: pmax of sample %d, node %d is %v, not in (0, 1]", row0+i/j, i%j, p)
		}
	}
	return nil
}

func nodesAtOrBelow(pmax []float64, alpha float64) []int {
	nodes := []int{}
	for k, p := range pmax {
		if p <= alpha {
			nodes = append(nodes, k)
		}
	}
	return nodes
}

// IndividualAll runs Individual on every row of r, in parallel over rows
// (workers; 0 means GOMAXPROCS). When alphaFixed > 0 it runs
// IndividualFixed at that α instead. It returns an error for an α out of
// range or a pmax outside (0, 1].
func IndividualAll(r *Ranges, score Scorer, alphaMax, alphaFixed float64, workers int) ([]Result, error) {
	return individualRows(r.N, alphaMax, alphaFixed, workers, func(sc *IndividualScanner, i int) (Result, error) {
		_, pmax := r.Row(i)
		if err := checkPMax(pmax, i, r.J); err != nil {
			return Result{}, err
		}
		if alphaFixed != 0 {
			return IndividualFixed(pmax, score, alphaFixed)
		}
		res, n := sc.scan(pmax, r.Denom, score, alphaMax)
		res.Nodes = sc.carve(n)
		fillAtOrBelow(res.Nodes, pmax, res.Alpha)
		res.Nodes = res.Nodes[:n:n]
		return res, nil
	})
}

// individualRows checks alphaMax, or alphaFixed when it is not 0, and
// returns row(s, i) for each i < n, computed in parallel (workers; 0 means
// GOMAXPROCS), each goroutine with its own scanner s; or the error of the
// first row that has one.
func individualRows(n int, alphaMax, alphaFixed float64, workers int, row func(s *IndividualScanner, i int) (Result, error)) ([]Result, error) {
	if alphaFixed != 0 {
		if err := checkAlpha("alpha fixed", alphaFixed); err != nil {
			return nil, err
		}
	} else if err := checkAlpha("alpha max", alphaMax); err != nil {
		return nil, err
	}
	out := make([]Result, n)
	errs := make([]error, n)
	par.For(n, workers, func() *IndividualScanner { return new(IndividualScanner) }, func(s *IndividualScanner, i int) {
		out[i], errs[i] = row(s, i)
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
