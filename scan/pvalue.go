package scan

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// Tail selects one- or two-tailed empirical p-values.
type Tail int

const (
	// Upper is the one-tailed test: large activations are anomalous.
	Upper Tail = 1
	// TwoTailed treats both unusually large and unusually small activations
	// as anomalous.
	TwoTailed Tail = 2
)

// ParseTail returns the Tail for 1 or 2.
func ParseTail(n int) (Tail, error) {
	switch n {
	case 1:
		return Upper, nil
	case 2:
		return TwoTailed, nil
	}
	return 0, fmt.Errorf("scan: tail must be 1 or 2, got %d", n)
}

// blockNodes is the number of nodes a worker handles at once: enough to read
// and write whole cache lines of row-major data, few enough to stay in cache.
const blockNodes = 32

// tileRows is the number of rows transposed at a time.
const tileRows = 16

// Background holds clean activations sorted per node, the reference
// distribution of the empirical p-values. It is safe for concurrent use.
type Background struct {
	b, j   int
	sorted []uint32 // j×b order-preserving keys (key32), node-major, ascending per node
}

// ErrNotFinite is wrapped by the errors reporting a NaN or infinite
// activation.
var ErrNotFinite = errors.New("activation is NaN or infinite")

// NonFiniteError reports a NaN or infinite activation.
type NonFiniteError struct {
	Sample, Node int
	Value        float32
}

func (e *NonFiniteError) Error() string {
	return fmt.Sprintf("sample %d, node %d: %v: %v", e.Sample, e.Node, e.Value, ErrNotFinite)
}

func (e *NonFiniteError) Unwrap() error { return ErrNotFinite }

// CheckFinite returns a *NonFiniteError for the first NaN or ±Inf of the
// row-major rows×cols matrix x, or nil.
func CheckFinite(x []float32, cols int) error {
	for i, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return &NonFiniteError{Sample: i / cols, Node: i % cols, Value: v}
		}
	}
	return nil
}

// NewBackground sorts the background activations acts, a row-major b×j
// matrix (b samples of j nodes), once per node. acts is not modified or
// retained. It returns an error when b < 2, j < 1, or an activation is NaN
// or infinite (a *NonFiniteError naming sample and node). It panics if
// len(acts) != b*j. workers bounds the parallelism; 0 means GOMAXPROCS.
func NewBackground(acts []float32, b, j, workers int) (*Background, error) {
	if b*j != len(acts) || b < 0 || j < 0 {
		panic("scan: background length mismatch")
	}
	if b < 2 {
		return nil, fmt.Errorf("scan: background has %d samples, need at least 2", b)
	}
	if j < 1 {
		return nil, errors.New("scan: background has no nodes")
	}
	bg := &Background{b: b, j: j, sorted: make([]uint32, j*b)}
	var bad atomic.Bool
	forBlocks(j, workers, func() any { return &bgScratch{tmp: make([]uint32, b)} }, func(s any, j0, j1 int) {
		sc := s.(*bgScratch)
		w := j1 - j0
		// Transpose the block into node-major keys, reading whole row
		// chunks, and look for NaN and Inf on the way (exponent all ones).
		nonFinite := false
		// Tiles of tileRows rows: reads stay in L1 and each node's keys
		// are written a cache line at a time.
		for r0 := 0; r0 < b; r0 += tileRows {
			r1 := min(r0+tileRows, b)
			for c := range w {
				dst := bg.sorted[(j0+c)*b+r0 : (j0+c)*b+r1]
				for r := range dst {
					v := acts[(r0+r)*j+j0+c]
					if math.Float32bits(v)&expMask == expMask {
						nonFinite = true
					}
					dst[r] = key32(v)
				}
			}
		}
		if nonFinite {
			bad.Store(true)
			return
		}
		for c := range w {
			col := bg.sorted[(j0+c)*b : (j0+c+1)*b]
			got, _ := sc.rs.sortKeys(col, sc.tmp, nil, nil)
			if &got[0] != &col[0] {
				copy(col, got)
			}
		}
	})
	if bad.Load() {
		return nil, fmt.Errorf("scan: background: %w", CheckFinite(acts, j))
	}
	return bg, nil
}

// expMask selects the exponent bits of a float32: all ones for NaN and Inf.
const expMask = 0x7f800000

type bgScratch struct {
	rs  radixScratch
	tmp []uint32
}

// Samples returns the number of background samples B.
func (bg *Background) Samples() int { return bg.b }

// Nodes returns the number of nodes J.
func (bg *Background) Nodes() int { return bg.j }

// Ranges holds the empirical p-value ranges of n evaluation samples at j
// nodes. Min and Max are row-major n×j: sample i, node k is at i*J+k.
type Ranges struct {
	N, J     int
	Min, Max []float64
	// Denom, when not 0, says that every pmax is exactly
	// float64(k)/float64(Denom) for an integer k in [1, Denom], as one-tailed
	// empirical p-values are (Denom = B+1). Scans then count instead of
	// sorting. Leave it 0 for p-values of any other origin.
	Denom int
}

// Row returns the p-value bounds of sample i (aliasing r).
func (r *Ranges) Row(i int) (pmin, pmax []float64) {
	return r.Min[i*r.J : (i+1)*r.J], r.Max[i*r.J : (i+1)*r.J]
}

// NewRanges allocates ranges for n samples and j nodes.
func NewRanges(n, j int) *Ranges {
	return &Ranges{N: n, J: j, Min: make([]float64, n*j), Max: make([]float64, n*j)}
}

// PValues computes the empirical p-value range of every value of eval, a
// row-major n×J matrix, against the background. For a value x at node k,
// with gt background values at k greater than x and ge greater than or equal
// to x, the one-tailed (upper) range is
//
//	pmin = gt/(B+1), pmax = (ge+1)/(B+1).
//
// Ties between x and background values are why a range, not a single value,
// is needed: ReLU zeros are everywhere. The two-tailed range doubles the
// smaller tail: [2·pmin, 2·pmax] if pmax < 0.5; [2(1−pmax), 2(1−pmin)] if
// pmin > 0.5; otherwise [2·min(pmin, 1−pmax), 1].
//
// Each node's values are sorted and merged with the sorted background, in
// parallel over blocks of nodes (workers; 0 means GOMAXPROCS); the result
// does not depend on workers. A NaN or infinite value is an error naming its
// sample and node. PValues panics if len(eval) is not a multiple of J.
func (bg *Background) PValues(eval []float32, tail Tail, workers int) (*Ranges, error) {
	if len(eval)%bg.j != 0 {
		panic("scan: eval length is not a multiple of the node count")
	}
	if tail != Upper && tail != TwoTailed {
		return nil, fmt.Errorf("scan: tail must be 1 or 2, got %d", tail)
	}
	n := len(eval) / bg.j
	r := NewRanges(n, bg.j)
	if tail == Upper {
		r.Denom = bg.b + 1
	}
	if !bg.fill(r, eval, nil, tail, workers) {
		return nil, fmt.Errorf("scan: eval: %w", CheckFinite(eval, bg.j))
	}
	return r, nil
}

// fill computes the ranges of the eval rows listed in rows (all rows when
// nil) into the same rows of r. It returns false if it met a NaN or Inf.
func (bg *Background) fill(r *Ranges, eval []float32, rows []int, tail Tail, workers int) bool {
	j, b := bg.j, bg.b
	n := len(eval) / j
	if rows != nil {
		n = len(rows)
	}
	if n == 0 {
		return true
	}
	denom := float64(b + 1)
	var bad atomic.Bool
	forBlocks(j, workers, func() any {
		return &evalScratch{
			keys: make([]uint32, blockNodes*n), tmp: make([]uint32, n),
			idx: make([]int32, n), tidx: make([]int32, n),
			pmin: make([]float64, blockNodes*n), pmax: make([]float64, blockNodes*n),
		}
	}, func(s any, j0, j1 int) {
		sc := s.(*evalScratch)
		w := j1 - j0
		nonFinite := false
		rowOf := func(t int) int {
			if rows != nil {
				return rows[t]
			}
			return t
		}
		for t0 := 0; t0 < n; t0 += tileRows {
			t1 := min(t0+tileRows, n)
			for c := range w {
				dst := sc.keys[c*n+t0 : c*n+t1]
				for t := range dst {
					v := eval[rowOf(t0+t)*j+j0+c]
					if math.Float32bits(v)&expMask == expMask {
						nonFinite = true
					}
					dst[t] = key32(v)
				}
			}
		}
		if nonFinite {
			bad.Store(true)
			return
		}
		for c := range w {
			node := j0 + c
			keys := sc.keys[c*n : (c+1)*n]
			for t := range sc.idx {
				sc.idx[t] = int32(t)
			}
			sk, si := sc.rs.sortKeys(keys, sc.tmp, sc.idx, sc.tidx)
			col := bg.sorted[node*b : (node+1)*b]
			pmins, pmaxs := sc.pmin[c*n:(c+1)*n], sc.pmax[c*n:(c+1)*n]
			lt, le := 0, 0 // background values < x and ≤ x
			for t, k := range sk {
				for lt < b && col[lt] < k {
					lt++
				}
				le = max(le, lt)
				for le < b && col[le] <= k {
					le++
				}
				pmin := float64(b-le) / denom   // gt/(B+1)
				pmax := float64(b-lt+1) / denom // (ge+1)/(B+1)
				if tail == TwoTailed {
					pmin, pmax = twoTailed(pmin, pmax)
				}
				pmins[si[t]] = pmin
				pmaxs[si[t]] = pmax
			}
		}
		// Write the block out row by row: contiguous stores, not one
		// page per value.
		for t0 := 0; t0 < n; t0 += tileRows {
			t1 := min(t0+tileRows, n)
			for t := t0; t < t1; t++ {
				row := rowOf(t)
				dmin := r.Min[row*j+j0 : row*j+j1]
				dmax := r.Max[row*j+j0 : row*j+j1]
				for c := range w {
					dmin[c] = sc.pmin[c*n+t]
					dmax[c] = sc.pmax[c*n+t]
				}
			}
		}
	})
	return !bad.Load()
}

// twoTailed converts a one-tailed (upper) range into a two-tailed one.
func twoTailed(pmin, pmax float64) (float64, float64) {
	switch {
	case pmax < 0.5:
		return 2 * pmin, 2 * pmax
	case pmin > 0.5:
		return 2 * (1 - pmax), 2 * (1 - pmin)
	default:
		return 2 * min(pmin, 1-pmax), 1
	}
}

type evalScratch struct {
	rs         radixScratch
	keys, tmp  []uint32
	idx, tidx  []int32
	pmin, pmax []float64
}

// forBlocks calls fn for consecutive blocks of nodes [j0, j1) covering
// [0, j), on up to workers goroutines (0 means GOMAXPROCS), each with its own
// scratch from newScratch. Blocks are independent, so the result does not
// depend on the number of workers.
func forBlocks(j, workers int, newScratch func() any, fn func(scratch any, j0, j1 int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	nblocks := (j + blockNodes - 1) / blockNodes
	workers = min(workers, nblocks)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := newScratch()
			for {
				blk := int(next.Add(1)) - 1
				if blk >= nblocks {
					return
				}
				j0 := blk * blockNodes
				fn(s, j0, min(j0+blockNodes, j))
			}
		}()
	}
	wg.Wait()
}

// forRows calls fn for every row in [0, n) on up to workers goroutines (0
// means GOMAXPROCS), each with its own scratch from newScratch.
func forRows(n, workers int, newScratch func() any, fn func(scratch any, i int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := newScratch()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(s, i)
			}
		}()
	}
	wg.Wait()
}
