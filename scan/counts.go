package scan

import (
	"errors"
	"fmt"
	"math"
	"sync/atomic"

	"subsetscan/internal/mem"
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
	mem.PopulateHuge(c.K) // mapped in one call, not faulted in page by page
	var badBG, badEval atomic.Bool
	forBlocks(j, countBlockNodes, workers, func() *countScratch {
		return &countScratch{
			keys: make([]uint32, countBlockNodes*b), sorted: make([]uint32, countBlockNodes*b),
			ekeys: make([]uint32, countBlockNodes*n), cnt: make([]uint16, countBlockNodes*countStride(n)),
		}
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

// countBlockNodes is the number of nodes UpperCounts handles at once: the
// more, the fewer passes over the rows of both inputs, each of whose rows
// is far from the last (a TLB miss, on a VM a costly one), and the fewer
// TLB misses; the fewer, the better the block's keys fit in the cache.
const countBlockNodes = 128

// countScratch is a worker's memory in UpperCounts: a block's background
// keys, node-major, and their sorted columns; its eval keys, node-major,
// and their pmax numerators (node c, row t at c*countStride(n)+t).
type countScratch struct {
	rs           radixScratch
	keys, sorted []uint32
	ekeys        []uint32
	cnt          []uint16
	// Node c of the block: its smallest background key low[c], held
	// nlow[c] times; its other keys, ascending, are cols[c].
	cols [countBlockNodes][]uint32
	low  [countBlockNodes]uint32
	nlow [countBlockNodes]int
}

// sortBlock sorts the background values of nodes [j0, j1) into sc. It
// reports false if one is NaN or infinite.
func (sc *countScratch) sortBlock(bg []float32, b, j, j0, j1 int) bool {
	w := j1 - j0
	if transpose(bg, b, func(r int) int { return r*j + j0 }, w, sc.keys, b, sc.low[:]) {
		return false
	}
	for c := range w {
		sc.cols[c] = sortLowFirst(&sc.rs, sc.keys[c*b:(c+1)*b], sc.sorted[c*b:(c+1)*b], sc.low[c])
		sc.nlow[c] = b - len(sc.cols[c])
	}
	return true
}

// lookupBlock writes the pmax numerators of nodes [j0, j1) of the n eval
// rows into k (row-major, j columns): the block's eval values are
// transposed into node-major keys, each node's keys are looked up in its
// sorted background column (kept in L1 cache while they are), and the
// block is written out row by row. It reports false if a value is NaN or
// infinite.
func (sc *countScratch) lookupBlock(eval []float32, n, j, j0, j1 int, k []uint16) bool {
	w := j1 - j0
	if transpose(eval, n, func(t int) int { return t*j + j0 }, w, sc.ekeys, n, nil) {
		return false
	}
	ns := len(sc.cnt) / countBlockNodes
	for c := range w {
		lookupColumn(sc.cols[c], sc.low[c], sc.nlow[c], sc.ekeys[c*n:(c+1)*n], sc.cnt[c*ns:c*ns+n])
	}
	// Each row's numerators are gathered in a buffer and written with
	// non-temporal stores when they are a whole number of 4-byte words:
	// the rows are far apart, and reading each line of k into the cache
	// before overwriting it cost as much as the gather.
	nt := w%2 == 0 && j%2 == 0
	var buf [countBlockNodes]uint16
	for t := range n {
		out := k[t*j+j0 : t*j+j1]
		for c := range out {
			buf[c] = sc.cnt[c*ns+t]
		}
		if nt {
			streamCopy16(out, buf[:w])
		} else {
			copy(out, buf[:w])
		}
	}
	storeFence()
	return true
}

// countStride returns the stride at which lookupBlock holds each node's
// numerators for n rows: an odd number of cache lines, since at a multiple
// of 4 KiB the block's nodes, read side by side on the write-out, would
// all fall into the same L1 cache set.
func countStride(n int) int { return (n+31)/32*32 | 32 }

// lookupColumn writes the pmax numerator of each key into out: with lt
// background values below x, B+1−lt. The background is nlow copies of low,
// its smallest key, and the keys of col, ascending. Keys at or below low
// have lt = 0, and lowerBound finds none of col below them either, so
// every key takes the same branch-free path; four at a time, since one
// binary search is a chain of dependent loads.
func lookupColumn(col []uint32, low uint32, nlow int, keys []uint32, out []uint16) {
	top := len(col) + nlow + 1
	numer := func(x uint32, lb int) uint16 {
		return uint16(top - (-b2i(x > low) & nlow) - lb)
	}
	t := 0
	for ; t+4 <= len(keys); t += 4 {
		x := (*[4]uint32)(keys[t : t+4])
		l0, l1, l2, l3 := lowerBound4(col, x)
		o := (*[4]uint16)(out[t : t+4])
		o[0], o[1], o[2], o[3] = numer(x[0], l0), numer(x[1], l1), numer(x[2], l2), numer(x[3], l3)
	}
	for ; t < len(keys); t++ {
		var x [4]uint32
		x[0] = keys[t]
		l0, _, _, _ := lowerBound4(col, &x)
		out[t] = numer(x[0], l0)
	}
}

// lowerBound4Go returns the number of values of the ascending a below each
// of x, searching for the four side by side without a data-dependent
// branch. lowerBound4 is it, in assembly on amd64.
func lowerBound4Go(a []uint32, x *[4]uint32) (int, int, int, int) {
	if len(a) == 0 {
		return 0, 0, 0, 0
	}
	x0, x1, x2, x3 := x[0], x[1], x[2], x[3]
	b0, b1, b2, b3 := 0, 0, 0, 0
	for n := len(a); n > 1; {
		half := n / 2
		b0 += -b2i(a[b0+half] < x0) & half
		b1 += -b2i(a[b1+half] < x1) & half
		b2 += -b2i(a[b2+half] < x2) & half
		b3 += -b2i(a[b3+half] < x3) & half
		n -= half
	}
	return b0 + b2i(a[b0] < x0), b1 + b2i(a[b1] < x1), b2 + b2i(a[b2] < x2), b3 + b2i(a[b3] < x3)
}

// IndividualCounts runs Individual on every row of c, as IndividualAll does
// on the ranges whose Max c holds, with the same results bit for bit, in
// parallel over rows (workers; 0 means GOMAXPROCS). When alphaFixed > 0 it
// runs IndividualFixed at that α instead. It returns an error for an α out
// of range or a count outside [1, Denom].
func IndividualCounts(c *Counts, score Scorer, alphaMax, alphaFixed float64, workers int) ([]Result, error) {
	return individualRows(c.N, alphaMax, alphaFixed, workers, func(s *IndividualScanner, i int) (Result, error) {
		k := c.K[i*c.J : (i+1)*c.J]
		if !s.histCounts(k, c.Denom) {
			return Result{}, fmt.Errorf("scan: sample %d: a p-value count outside [1, %d]", i, c.Denom)
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
		fillAtOrBelow(res.Nodes, k, uint16(kBest))
		res.Nodes = res.Nodes[:n:n] // the spare element is the next row's
		return res, nil
	})
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
