package scan

import (
	"errors"
	"fmt"
	"math"
	"sync/atomic"

	"subsetscan/internal/mem"
	"subsetscan/internal/par"
)

// Counts holds the upper (one-tailed) empirical p-value bounds of n
// evaluation rows at j nodes as integers: pmax of sample i, node k is
// float64(K[i*J+k])/float64(Denom), with Denom = B+1, bit for bit the value
// Background.PValues stores in Ranges.Max. An individual scan needs nothing
// else (pmin plays no part in it), and a uint16 is an eighth of the two
// float64 bounds: less memory to map, write and read back.
type Counts struct {
	N, J, Denom int
	K           []uint16 // row-major n×j
}

// MaxCountSamples is the largest background UpperCounts takes: B+1 must fit
// in a uint16.
const MaxCountSamples = math.MaxUint16 - 1

// InputError reports an error in one of the two inputs of UpperCounts.
type InputError struct {
	Eval bool // the evaluation values; false for the background
	Err  error
}

func (e *InputError) Error() string {
	if e.Eval {
		return "scan: eval: " + e.Err.Error()
	}
	return "scan: background: " + e.Err.Error()
}

func (e *InputError) Unwrap() error { return e.Err }

// UpperCounts computes the one-tailed p-value bounds pmax of every value of
// eval, a row-major n×j matrix, against the background bg, a row-major b×j
// matrix, as NewBackground(bg, b, j, workers) followed by PValues(eval,
// Upper, workers) does, without either the sorted copy of the background
// or the float64 ranges: per block of nodes, the background's columns are
// sorted into a scratch buffer that stays in cache, and each evaluation
// value is looked up in its node's sorted column at once. Neither input is
// modified or retained.
//
// It returns an *InputError for b < 2 or b > MaxCountSamples, j < 1, or a
// NaN or infinite value (wrapping a *NonFiniteError naming the first one,
// in the background if it has one). It panics if len(bg) != b*j or
// len(eval) is not a multiple of j. workers bounds the parallelism (0
// means GOMAXPROCS); the result does not depend on it.
func UpperCounts(bg []float32, b int, eval []float32, j, workers int) (*Counts, error) {
	if b < 0 || j < 0 || b*j != len(bg) {
		panic("scan: background length mismatch")
	}
	switch {
	case b < 2:
		return nil, &InputError{Err: fmt.Errorf("%d samples, need at least 2", b)}
	case b > MaxCountSamples:
		return nil, &InputError{Err: fmt.Errorf("%d samples, more than UpperCounts' %d", b, MaxCountSamples)}
	case j < 1:
		return nil, &InputError{Err: errors.New("no nodes")}
	}
	if len(eval)%j != 0 {
		panic("scan: eval length is not a multiple of the node count")
	}
	n := len(eval) / j
	c := &Counts{N: n, J: j, Denom: b + 1, K: make([]uint16, n*j)}
	mem.Populate(c.K) // mapped in one call, not faulted in page by page
	var badBG, badEval atomic.Bool
	forBlocks(j, bgBlockNodes, workers, func() *countScratch {
		return &countScratch{keys: make([]uint32, bgBlockNodes*b), sorted: make([]uint32, bgBlockNodes*b)}
	}, func(sc *countScratch, j0, j1 int) {
		if !sc.sortBlock(bg, b, j, j0, j1) {
			badBG.Store(true)
			return
		}
		if !sc.lookupBlock(eval, n, j, j0, j1, c.K) {
			badEval.Store(true)
		}
	})
	switch {
	case badBG.Load():
		return nil, &InputError{Err: CheckFinite(bg, j)}
	case badEval.Load():
		return nil, &InputError{Eval: true, Err: CheckFinite(eval, j)}
	}
	return c, nil
}

// countScratch is a worker's memory in UpperCounts: a block's background
// keys, node-major, and their sorted columns.
type countScratch struct {
	rs           radixScratch
	keys, sorted []uint32
	// Node c of the block: its smallest background key low[c], held
	// nlow[c] times; its other keys, ascending, are cols[c].
	cols [bgBlockNodes][]uint32
	low  [bgBlockNodes]uint32
	nlow [bgBlockNodes]int
}

// sortBlock sorts the background values of nodes [j0, j1) into sc. It
// reports false if one is NaN or infinite.
func (sc *countScratch) sortBlock(bg []float32, b, j, j0, j1 int) bool {
	w := j1 - j0
	for c := range w {
		sc.low[c] = math.MaxUint32
	}
	if transpose(bg, b, func(r int) int { return r*j + j0 }, w, sc.keys, b, &sc.low) {
		return false
	}
	for c := range w {
		sc.cols[c] = sortLowFirst(&sc.rs, sc.keys[c*b:(c+1)*b], sc.sorted[c*b:(c+1)*b], sc.low[c])
		sc.nlow[c] = b - len(sc.cols[c])
	}
	return true
}

// lookupBlock writes the pmax numerators of nodes [j0, j1) of the n eval
// rows into k (row-major, j columns), looking each value up in its node's
// sorted background column: with lt background values below x, pmax =
// (B−lt+1)/(B+1). It reports false if a value is NaN or infinite.
func (sc *countScratch) lookupBlock(eval []float32, n, j, j0, j1 int, k []uint16) bool {
	w := j1 - j0
	b := len(sc.keys) / bgBlockNodes
	top := uint16(b + 1) // lt = 0: at or below every background value
	var acc uint32
	var next [1]int
	for t := range n {
		if t+evalPrefetchRows < n {
			next[0] = (t+evalPrefetchRows)*j + j0
			prefetchRows(&eval[0], next[:])
		}
		row := eval[t*j+j0 : t*j+j1]
		out := k[t*j+j0 : t*j+j1]
		for c, v := range row[:w] {
			u := math.Float32bits(v)
			acc |= u&expMask + 1<<23
			key := key32(v)
			if key <= sc.low[c] {
				out[c] = top
				continue
			}
			lt := sc.nlow[c] + lowerBound(sc.cols[c], key)
			out[c] = uint16(b - lt + 1)
		}
	}
	return acc>>31 == 0
}

// evalPrefetchRows is how many rows ahead lookupBlock prefetches: the rows
// are far apart, each a cache miss.
const evalPrefetchRows = 8

// lowerBound returns the number of values of the ascending a below x,
// without a data-dependent branch.
func lowerBound(a []uint32, x uint32) int {
	if len(a) == 0 {
		return 0
	}
	base, n := 0, len(a)
	for n > 1 {
		half := n / 2
		if a[base+half] < x {
			base += half
		}
		n -= half
	}
	if a[base] < x {
		base++
	}
	return base
}

// IndividualCounts runs Individual on every row of c, as IndividualAll does
// on the ranges whose Max c holds, with the same results bit for bit, in
// parallel over rows (workers; 0 means GOMAXPROCS). When alphaFixed > 0 it
// runs IndividualFixed at that α instead. It returns an error for an α out
// of range or a count outside [1, Denom].
func IndividualCounts(c *Counts, score Scorer, alphaMax, alphaFixed float64, workers int) ([]Result, error) {
	if alphaFixed != 0 {
		if err := checkAlpha("alpha fixed", alphaFixed); err != nil {
			return nil, err
		}
	} else if err := checkAlpha("alpha max", alphaMax); err != nil {
		return nil, err
	}
	out := make([]Result, c.N)
	errs := make([]error, c.N)
	par.For(c.N, workers, func() *IndividualScanner { return new(IndividualScanner) }, func(s *IndividualScanner, i int) {
		k := c.K[i*c.J : (i+1)*c.J]
		if !s.histCounts(k, c.Denom) {
			errs[i] = fmt.Errorf("scan: sample %d: a p-value count outside [1, %d]", i, c.Denom)
			return
		}
		var res Result
		var n, kBest int
		if alphaFixed != 0 {
			kBest = largestK(alphaFixed, c.Denom)
			for _, m := range s.hist[1 : kBest+1] {
				n += int(m)
			}
			res = Result{Score: score.Score(float64(n), float64(n), alphaFixed), Alpha: alphaFixed}
		} else {
			res, n, kBest = s.scanHist(c.Denom, score, alphaMax)
		}
		res.Nodes = s.carve(n)
		fillNodesCounts(res.Nodes, k, uint16(kBest))
		out[i] = res
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// histCounts sets s.hist to the histogram of k, whose values must lie in
// [1, denom]; it reports whether they do.
func (s *IndividualScanner) histCounts(k []uint16, denom int) bool {
	s.hist = resize(s.hist, max(denom+1, math.MaxUint16+1))
	clear(s.hist[:denom+1])
	lo, hi := uint16(math.MaxUint16), uint16(0)
	for _, v := range k {
		s.hist[v]++
		lo, hi = min(lo, v), max(hi, v)
	}
	if len(k) > 0 && (lo < 1 || int(hi) > denom) {
		clear(s.hist[denom+1:])
		return false
	}
	return true
}

// fillNodesCounts writes the nodes whose count is at most kBest into nodes,
// which must have exactly their number of elements and one of spare
// capacity: every node is stored, and the index advances past the selected
// ones, which is faster than a branch taken at random.
func fillNodesCounts(nodes []int, k []uint16, kBest uint16) {
	want := len(nodes)
	nodes = nodes[:cap(nodes)]
	n := 0
	for i, v := range k {
		nodes[n] = i
		inc := 0
		if v <= kBest {
			inc = 1
		}
		n = min(n+inc, want)
	}
}
