package scan

import (
	"fmt"
	"slices"
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
}

// Scan is Individual without the argument check: alphaMax must be in (0, 1).
func (s *IndividualScanner) Scan(pmax []float64, score Scorer, alphaMax float64) Result {
	s.vals = s.vals[:0]
	for _, p := range pmax {
		if p <= alphaMax {
			s.vals = append(s.vals, p)
		}
	}
	if len(s.vals) == 0 {
		return Result{Nodes: []int{}}
	}
	sortFloats(s.vals)
	best, bestAlpha := 0.0, 0.0
	first := true
	for i := 0; i < len(s.vals); {
		a := s.vals[i]
		for i < len(s.vals) && s.vals[i] == a {
			i++
		}
		n := float64(i)
		if sc := score.Score(n, n, a); first || sc > best {
			best, bestAlpha, first = sc, a, false
		}
	}
	return Result{Score: best, Alpha: bestAlpha, Nodes: nodesAtOrBelow(pmax, bestAlpha)}
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
	if alphaFixed != 0 {
		if err := checkAlpha("alpha fixed", alphaFixed); err != nil {
			return nil, err
		}
	} else if err := checkAlpha("alpha max", alphaMax); err != nil {
		return nil, err
	}
	if err := checkPMax(r.Max, 0, max(r.J, 1)); err != nil {
		return nil, err
	}
	out := make([]Result, r.N)
	forRows(r.N, workers, func() any { return new(IndividualScanner) }, func(s any, i int) {
		_, pmax := r.Row(i)
		if alphaFixed != 0 {
			out[i], _ = IndividualFixed(pmax, score, alphaFixed)
			return
		}
		out[i] = s.(*IndividualScanner).Scan(pmax, score, alphaMax)
	})
	return out, nil
}

// sortFloats sorts non-negative-or-any finite float64 values ascending.
func sortFloats(x []float64) { slices.Sort(x) }
