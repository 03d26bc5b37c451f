package scan

import (
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"unsafe"

	"subsetscan/internal/par"
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

// bgBlockNodes and evalBlockNodes are the numbers of nodes a worker handles
// at once: enough to read whole cache lines of each row-major row, few
// enough that the block's transposed keys stay in cache while they are
// sorted and merged.
const (
	bgBlockNodes   = 32
	evalBlockNodes = 32
)

// tileRows is the number of rows transposed at a time.
const tileRows = 16

// Background holds clean activations sorted per node, the reference
// distribution of the empirical p-values. It is safe for concurrent use,
// except with Reset.
type Background struct {
	b, j int
	// Node k's smallest value is held once, as its key low[k] and its
	// count nlow[k] (ReLU zeros, typically, often half the values); its
	// other b−nlow[k] values are sorted[k*b:k*b+b−nlow[k]], as
	// order-preserving keys (key32), ascending. Evaluation values at or
	// below low[k] need no search, and the merges read only the rest.
	sorted []uint32
	low    []uint32
	nlow   []int32
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
	bg := new(Background)
	if err := bg.Reset(acts, b, j, workers); err != nil {
		return nil, err
	}
	return bg, nil
}

// Reset replaces the contents of bg by the background activations acts, as
// NewBackground does, reusing bg's memory when it is large enough: a caller
// that computes p-values for a sequence of backgrounds (layers, say) need
// not have the kernel hand out and zero fresh pages for each. On error bg
// is left empty. Reset must not run concurrently with other methods of bg.
func (bg *Background) Reset(acts []float32, b, j, workers int) error {
	if b*j != len(acts) || b < 0 || j < 0 {
		panic("scan: background length mismatch")
	}
	bg.b, bg.j = 0, 0
	if b < 2 {
		return fmt.Errorf("scan: background has %d samples, need at least 2", b)
	}
	if j < 1 {
		return errors.New("scan: background has no nodes")
	}
	bg.sorted = resizeU32(bg.sorted, j*b)
	bg.nlow = resize(bg.nlow, j)
	bg.low = resizeU32(bg.low, j)
	var bad atomic.Bool
	forBlocks(j, bgBlockNodes, workers, func() *bgScratch {
		return &bgScratch{keys: make([]uint32, bgBlockNodes*b), tmp: make([]uint32, b)}
	}, func(sc *bgScratch, j0, j1 int) {
		w := j1 - j0
		// Transpose the block into node-major keys, finding each node's
		// smallest and looking for NaN and Inf on the way.
		var lows [bgBlockNodes]uint32 // each node's smallest key
		if transpose(acts, b, func(r int) int { return r*j + j0 }, w, sc.keys, b, lows[:]) {
			bad.Store(true)
			return
		}
		for c := range w {
			node := j0 + c
			got := sortLowFirst(&sc.rs, sc.keys[c*b:(c+1)*b], sc.tmp, lows[c])
			streamCopy32(bg.sorted[node*b:(node+1)*b], got)
			bg.low[node], bg.nlow[node] = lows[c], int32(b-len(got))
		}
		storeFence()
	})
	if bad.Load() {
		return fmt.Errorf("scan: background: %w", CheckFinite(acts, j))
	}
	bg.b, bg.j = b, j
	return nil
}

// sortLowFirst sorts the keys above low, the smallest of keys, using tmp
// (len ≥ len(keys)) as scratch, and returns them; they are in tmp or keys.
// The copies of low — ReLU zeros, often half of them — are left out (the
// caller counts them as len(keys) − len(sorted)), and only the other keys
// go through the radix sort. keys is overwritten.
func sortLowFirst(rs *radixScratch, keys, tmp []uint32, low uint32) (sorted []uint32) {
	// Branch-free compaction of the other keys into tmp, finding their
	// range on the way: k − low − 1 wraps to the largest uint32 for k = low.
	n := 0
	above, hi := uint32(math.MaxUint32), low
	for _, k := range keys {
		tmp[n] = k
		if k != low {
			n++
		}
		above = min(above, k-low-1)
		hi = max(hi, k)
	}
	got, _ := rs.sortSpan(tmp[:n], keys, nil, nil, above+low+1, hi)
	return got
}

// transpose writes the keys of the w consecutive values starting at
// src[start(r)] for each row r < n node-major, value c of row r to
// keys[c*ld+r]. When lows is not nil, it sets lows[c] to the smallest key
// of node c. It reports whether a value is NaN or infinite.
//
// The values are moved as they are, a tile of tileRows rows at a time, so
// that reads stay in L1 and each node's keys are written a cache line at a
// time, prefetching the next tile's rows while it moves the current one
// (the rows are far apart, each a cache miss); then each node's values are
// converted in place. Converting them on the move took a third more time:
// the compiler ran out of registers.
func transpose(src []float32, n int, start func(r int) int, w int, keys []uint32, ld int, lows []uint32) bool {
	bits := unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(src))), len(src))
	var offs, next [tileRows]int
	for r := range min(tileRows, n) {
		next[r] = start(r)
	}
	for r0 := 0; r0 < n; r0 += tileRows {
		r1 := min(r0+tileRows, n)
		offs = next
		for r := r1; r < min(r1+tileRows, n); r++ {
			next[r-r1] = start(r)
		}
		prefetchRows(&src[0], next[:min(r1+tileRows, n)-r1], (w*4+63)/64)
		transposeTile(bits, offs[:r1-r0], w, keys[r0:], ld)
	}
	finite := true
	for c := range w {
		low, ok := toKeys(keys[c*ld : c*ld+n])
		finite = finite && ok
		if lows != nil {
			lows[c] = low
		}
	}
	return !finite
}

// transposeTile copies the w consecutive values starting at bits[off] for
// each off in offs (a tile of rows) node-major: value c of row r to
// dst[c*ld+r].
func transposeTile(bits []uint32, offs []int, w int, dst []uint32, ld int) {
	for c := range w {
		d := dst[c*ld : c*ld+len(offs)]
		for r, off := range offs {
			d[r] = bits[off+c]
		}
	}
}

// toKeys replaces the float32 bits in x by their keys (keyBits) and
// returns the smallest key, and whether every value is finite.
func toKeys(x []uint32) (low uint32, finite bool) {
	// An exponent of all ones, and only that, carries into the sign
	// bit when 1<<23 is added to it.
	var acc uint32
	low = math.MaxUint32
	for i, u := range x {
		acc |= u&expMask + 1<<23
		k := keyBits(u)
		x[i] = k
		low = min(low, k)
	}
	return low, acc>>31 == 0
}

// expMask selects the exponent bits of a float32: all ones for NaN and Inf.
const expMask = 0x7f800000

type bgScratch struct {
	rs        radixScratch
	keys, tmp []uint32 // the block's keys, node-major; sort scratch
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

// reset sizes r for n samples and j nodes, reusing its memory when large
// enough; the values are left as they were.
func (r *Ranges) reset(n, j int) {
	r.N, r.J, r.Denom = n, j, 0
	if cap(r.Min) < n*j || cap(r.Max) < n*j {
		r.Min, r.Max = nil, nil // let the old arrays go first
		r.Min, r.Max = make([]float64, n*j), make([]float64, n*j)
	}
	r.Min, r.Max = r.Min[:n*j], r.Max[:n*j]
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
	r := new(Ranges)
	if err := bg.PValuesTo(r, eval, tail, workers); err != nil {
		return nil, err
	}
	return r, nil
}

// PValuesTo is PValues writing into dst, whose Min and Max are reused when
// their capacity suffices (and replaced otherwise); dst's other fields are
// set. Computing the ranges of several evaluation sets into the same
// Ranges in turn saves the kernel's zeroing of fresh memory, which costs
// about as much as the computation itself at the sizes of a convolutional
// layer. On error dst's contents are unspecified.
func (bg *Background) PValuesTo(dst *Ranges, eval []float32, tail Tail, workers int) error {
	if bg.j == 0 {
		panic("scan: empty background")
	}
	if len(eval)%bg.j != 0 {
		panic("scan: eval length is not a multiple of the node count")
	}
	if tail != Upper && tail != TwoTailed {
		return fmt.Errorf("scan: tail must be 1 or 2, got %d", tail)
	}
	dst.reset(len(eval)/bg.j, bg.j)
	if tail == Upper {
		dst.Denom = bg.b + 1
	}
	if !bg.fill(dst, eval, nil, tail, workers) {
		return fmt.Errorf("scan: eval: %w", CheckFinite(eval, bg.j))
	}
	return nil
}

// fill computes the ranges of the eval rows listed in rows (all rows when
// nil) into the same rows of r. It returns false if it met a NaN or Inf.
//
// Per block of nodes: the block's eval values are transposed into keys;
// values at or below the node's smallest background value are settled at
// once (no background value is smaller); the others are radix-sorted with
// their row numbers and merged with the sorted background, giving the
// counts lt and le of background values < x and ≤ x; the block is then
// written out row by row as gt/(B+1) = (B−le)/(B+1) and
// (ge+1)/(B+1) = (B−lt+1)/(B+1), looked up in a table of k/(B+1).
func (bg *Background) fill(r *Ranges, eval []float32, rows []int, tail Tail, workers int) bool {
	j, b := bg.j, bg.b
	n := len(eval) / j
	if rows != nil {
		n = len(rows)
	}
	if n == 0 {
		return true
	}
	// frac[k] = k/(B+1), the same division as computing it in place.
	frac := make([]float64, b+2)
	denom := float64(b + 1)
	for k := range frac {
		frac[k] = float64(k) / denom
	}
	const w0 = evalBlockNodes
	// Each node's counts are held at a stride of ns ≥ n, an odd number of
	// cache lines: the write-out reads the block's nodes side by side, and
	// at a stride of a multiple of 4 KiB they would all fall into the
	// same L1 cache set.
	ns := (n+15)/16*16 | 16
	var bad atomic.Bool
	forBlocks(j, w0, workers, func() *evalScratch {
		return &evalScratch{
			keys: make([]uint32, w0*n), sk: make([]uint32, n), tmp: make([]uint32, n),
			idx: make([]int32, n), tidx: make([]int32, n),
			lt: make([]int32, w0*ns), le: make([]int32, w0*ns),
		}
	}, func(sc *evalScratch, j0, j1 int) {
		w := j1 - j0
		rowOf := func(t int) int {
			if rows != nil {
				return rows[t]
			}
			return t
		}
		if transpose(eval, n, func(t int) int { return rowOf(t)*j + j0 }, w, sc.keys, n, nil) {
			bad.Store(true)
			return
		}
		for c := range w {
			node := j0 + c
			low, nlow := bg.low[node], bg.nlow[node]
			col := bg.sorted[node*b : node*b+b-int(nlow)] // values above low
			// Values ≤ low: lt = 0, and le = nlow if equal, else 0. The
			// others are collected (branch-free) for sorting; their
			// counts are overwritten below.
			lts, les := sc.lt[c*ns:c*ns+n], sc.le[c*ns:c*ns+n]
			m := 0
			// The range of the keys above low, on the way: k − low − 1
			// wraps to a large number for k ≤ low.
			above, hi := uint32(math.MaxUint32), low
			for t, k := range sc.keys[c*n : (c+1)*n] {
				le := int32(0)
				if k == low {
					le = nlow
				}
				lts[t] = 0
				les[t] = le
				sc.sk[m] = k
				sc.idx[m] = int32(t)
				if k > low {
					m++
				}
				above = min(above, k-low-1)
				hi = max(hi, k)
			}
			if m == 0 {
				continue
			}
			sk, si := sc.rs.sortSpan(sc.sk[:m], sc.tmp, sc.idx[:m], sc.tidx, above+low+1, hi)
			merge(col, sk, si, nlow, lts, les)
		}
		// Write the block out row by row, through a row buffer in cache
		// and non-temporal stores: the ranges are read back only after
		// the whole pass (hundreds of MB), so reading their old contents
		// into the cache before overwriting them would be wasted.
		var bmin, bmax [w0]float64
		for t := range n {
			row := rowOf(t)
			lts, les := sc.lt[t:], sc.le[t:]
			if tail == TwoTailed {
				for c := range w {
					bmin[c], bmax[c] = twoTailed(frac[b-int(les[c*ns])], frac[b-int(lts[c*ns])+1])
				}
			} else {
				for c := range w {
					bmin[c] = frac[b-int(les[c*ns])]
					bmax[c] = frac[b-int(lts[c*ns])+1]
				}
			}
			streamCopy(r.Min[row*j+j0:row*j+j1], bmin[:w])
			streamCopy(r.Max[row*j+j0:row*j+j1], bmax[:w])
		}
		storeFence()
	})
	return !bad.Load()
}

// merge walks the sorted keys sk (eval rows si) along col, a node's sorted
// background keys above its smallest, nlow copies of which are not in col,
// and writes the counts of background values < x and ≤ x of each row t to
// lts[t] and les[t].
//
// The walk compares mergeWindow background keys at once and advances by
// the number below x, without a branch: the gap between two consecutive
// eval keys is a couple of background keys, unpredictably, and a
// mispredicted branch per eval key cost more than the comparisons.
func merge(col, sk []uint32, si []int32, nlow int32, lts, les []int32) {
	nb := len(col)
	lt, le := 0, 0 // values in col < x and ≤ x
	for t, k := range sk {
		for lt+mergeWindow <= nb {
			w := col[lt : lt+mergeWindow : lt+mergeWindow]
			c := b2i(w[0] < k) + b2i(w[1] < k) + b2i(w[2] < k) + b2i(w[3] < k) +
				b2i(w[4] < k) + b2i(w[5] < k) + b2i(w[6] < k) + b2i(w[7] < k)
			lt += c
			if c < mergeWindow {
				break
			}
		}
		for lt < nb && col[lt] < k {
			lt++
		}
		// More values ≤ x than < x only on a tie. le carries over from
		// the previous key (the keys ascend), so that a run of tied
		// background values is walked once, not once per equal key.
		le = max(le, lt)
		for le < nb && col[le] <= k {
			le++
		}
		lts[si[t]] = nlow + int32(lt)
		les[si[t]] = nlow + int32(le)
	}
}

// mergeWindow is the number of background keys merge compares at once.
const mergeWindow = 8

// b2i is 1 for true and 0 for false, compiled without a branch.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
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
	rs            radixScratch
	keys, sk, tmp []uint32
	idx, tidx     []int32
	lt, le        []int32 // counts of background values < x and ≤ x; node c, row t at c*ns+t
}

// forBlocks calls fn for consecutive blocks of blockNodes nodes [j0, j1)
// covering [0, j), on up to workers goroutines (0 means GOMAXPROCS), each
// with its own scratch from newScratch. Blocks are independent, so the
// result does not depend on the number of workers.
func forBlocks[S any](j, blockNodes, workers int, newScratch func() S, fn func(scratch S, j0, j1 int)) {
	par.For((j+blockNodes-1)/blockNodes, workers, newScratch, func(s S, blk int) {
		j0 := blk * blockNodes
		fn(s, j0, min(j0+blockNodes, j))
	})
}
