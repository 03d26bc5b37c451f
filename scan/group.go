package scan

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"

	"subsetscan/internal/par"
)

// Thresholds selects the candidate α thresholds of each group-scan step.
type Thresholds int

const (
	// Reference takes the distinct pmax values below α_max of the current
	// sub-array, every max(1, ⌊count/10⌋)-th of them from the smallest, plus
	// α_max: the authors' choice ("set_number"), needed for parity with their
	// published numbers.
	Reference Thresholds = iota
	// Exact takes every distinct pmax value ≤ α_max of the current
	// sub-array, plus α_max: the true LTSS optimum of each step.
	Exact
	// Grid takes 50 evenly spaced values α_max/50, …, α_max.
	Grid
)

var thresholdNames = []string{"reference", "exact", "grid"}

// String returns the name of the threshold mode.
func (t Thresholds) String() string {
	if t < 0 || int(t) >= len(thresholdNames) {
		return fmt.Sprintf("Thresholds(%d)", int(t))
	}
	return thresholdNames[t]
}

// ParseThresholds returns the threshold mode called name.
func ParseThresholds(name string) (Thresholds, error) {
	i := slices.Index(thresholdNames, strings.ToLower(name))
	if i < 0 {
		return 0, fmt.Errorf("scan: unknown threshold mode %q (want reference, exact or grid)", name)
	}
	return Thresholds(i), nil
}

// GroupOptions configures a group scan. The zero value of a field means the
// documented default.
type GroupOptions struct {
	// Score is the scan statistic; nil means BerkJones.
	Score Scorer
	// AlphaMax is the largest threshold; 0 means DefaultAlphaMax.
	AlphaMax float64
	// Restarts is the number of restarts; 0 means 2. Restart 0 seeds the
	// ascent with all samples, restart 1 with all nodes, later restarts with
	// a random non-empty subset of nodes of random size.
	Restarts int
	// Thresholds selects the candidate thresholds; the zero value is
	// Reference.
	Thresholds Thresholds
	// Seed drives the random restarts: restart r draws from
	// rand.NewPCG(Seed, r).
	Seed uint64
	// Classes, when not nil, holds a label (e.g. the predicted class) per
	// sample and constrains the sample subset to samples of one label: each
	// label is scanned and the best kept.
	Classes []int
}

// Group runs the Fast Generalized Subset Scan over samples × nodes of r
// (McFowland et al. 2013): an iterative ascent that alternately fixes one
// side and optimises the other exactly with LTSS. With the samples fixed,
// every node gets, for every threshold α, the priority "how many of the
// fixed samples have pmax ≤ α at this node"; LTSS says the best node subset
// for that α is the k nodes of highest priority, for some k, scored with
// N_α = their summed priority and N = k·(number of fixed samples). The same
// holds with the sides swapped. The ascent keeps the best (score, α,
// subset), switches sides, and stops when the score no longer increases.
// The best result over all restarts is returned; on equal scores the
// earlier restart, α and smaller subset win.
//
// It returns an error for an empty r, an option out of range, or a pmax
// that is NaN or outside (0, 1].
func Group(r *Ranges, opt GroupOptions) (Result, error) {
	if r.N == 0 || r.J == 0 {
		return Result{}, fmt.Errorf("scan: group scan of an empty %d×%d p-value array", r.N, r.J)
	}
	if opt.Score == nil {
		opt.Score = BerkJones{}
	}
	if opt.AlphaMax == 0 {
		opt.AlphaMax = DefaultAlphaMax
	}
	if err := checkAlpha("alpha max", opt.AlphaMax); err != nil {
		return Result{}, err
	}
	if opt.Restarts == 0 {
		opt.Restarts = 2
	}
	if opt.Restarts < 0 {
		return Result{}, fmt.Errorf("scan: restarts must be ≥ 1, got %d", opt.Restarts)
	}
	if opt.Thresholds < Reference || opt.Thresholds > Grid {
		return Result{}, fmt.Errorf("scan: unknown threshold mode %d", int(opt.Thresholds))
	}
	if opt.Classes != nil && len(opt.Classes) != r.N {
		return Result{}, fmt.Errorf("scan: %d class labels for %d samples", len(opt.Classes), r.N)
	}
	g, err := newGroupScanner(r, opt)
	if err != nil {
		return Result{}, err
	}
	return g.run(), nil
}

// groupScanner holds the state shared by the steps of one group scan.
type groupScanner struct {
	r   *Ranges
	opt GroupOptions
	// rank[i*J+k] is the rank of pmax among the distinct values ≤ α_max,
	// or len(unique) for larger values (so the hot loops need no branch).
	rank   []int32
	unique []float64 // distinct pmax values ≤ α_max, ascending
	// rowBits, when not nil, holds per sample a bitmap of the ranks in its
	// row (words per row): the distinct values of fixed samples × all
	// nodes are the union of their bitmaps, with no pass over the rows.
	rowBits []uint64
	words   int
	// classes lists the samples of each label, in label order.
	classes [][]int

	// Scratch reused by every step; stamps[p] marks the ranks part p of
	// the sub-array holds (see parts).
	stamps [2][]uint32
	gen    uint32
	bucket []int32
	union  []uint64
	hist   []int32
	cnt    []int32
	thr    []float64
}

// maxRowBits bounds the size of groupScanner.rowBits, in words.
const maxRowBits = 1 << 22

func newGroupScanner(r *Ranges, opt GroupOptions) (*groupScanner, error) {
	g := &groupScanner{r: r, opt: opt, rank: make([]int32, len(r.Max))}
	// Validate and rank in one parallel pass over the rows.
	var denom float64
	if r.Denom > 0 {
		// pmax = k/Denom: the rank of k/Denom among the grid values ≤ α_max
		// is k−1; grid values absent from r are never stamped.
		denom = float64(r.Denom)
		for k := 1; k <= r.Denom && float64(k)/denom <= opt.AlphaMax; k++ {
			g.unique = append(g.unique, float64(k)/denom)
		}
	}
	above := int32(len(g.unique))
	errs := make([]error, r.N)
	par.For(r.N, 0, func() struct{} { return struct{}{} }, func(_ struct{}, i int) {
		row := r.Max[i*r.J : (i+1)*r.J]
		ranks := g.rank[i*r.J : (i+1)*r.J]
		for k, p := range row {
			if !(p > 0 && p <= 1) {
				errs[i] = fmt.Errorf("scan: pmax of sample %d, node %d is %v, not in (0, 1]", i, k, p)
				return
			}
			if denom > 0 {
				// Branch-free: every value above α_max gets rank U.
				ranks[k] = min(int32(p*denom+0.5)-1, above)
			}
		}
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if r.Denom == 0 {
		g.rankBySorting()
	}
	if opt.Classes != nil {
		labels := slices.Clone(opt.Classes)
		slices.Sort(labels)
		labels = slices.Compact(labels)
		for _, l := range labels {
			var members []int
			for i, c := range opt.Classes {
				if c == l {
					members = append(members, i)
				}
			}
			g.classes = append(g.classes, members)
		}
	}
	for p := range g.stamps {
		g.stamps[p] = make([]uint32, len(g.unique)+1)
	}
	g.bucket = make([]int32, len(g.unique)+1)
	g.words = (len(g.unique) + 1 + 63) / 64
	if r.N*g.words <= maxRowBits {
		g.rowBits = make([]uint64, r.N*g.words)
		par.For(r.N, 0, func() struct{} { return struct{}{} }, func(_ struct{}, i int) {
			rb := g.rowBits[i*g.words : (i+1)*g.words]
			for _, rk := range g.rank[i*r.J : (i+1)*r.J] {
				rb[rk>>6] |= 1 << (rk & 63)
			}
		})
	}
	return g, nil
}

// rankBySorting ranks the pmax values ≤ α_max: a radix sort of their bit
// patterns, whose order is the value order for positive floats.
func (g *groupScanner) rankBySorting() {
	r := g.r
	keys := make([]uint64, 0, len(r.Max)/2)
	idx := make([]int32, 0, len(r.Max)/2)
	for i, p := range r.Max {
		if p > g.opt.AlphaMax {
			g.rank[i] = -1 // rank len(g.unique), set below
			continue
		}
		keys = append(keys, math.Float64bits(p))
		idx = append(idx, int32(i))
	}
	keys, idx = sortKeys64(keys, idx)
	var prev uint64
	for n, k := range keys {
		if n == 0 || k != prev {
			g.unique = append(g.unique, math.Float64frombits(k))
			prev = k
		}
		g.rank[idx[n]] = int32(len(g.unique) - 1)
	}
	above := int32(len(g.unique))
	for i, rk := range g.rank {
		if rk < 0 {
			g.rank[i] = above
		}
	}
}

// sortKeys64 sorts keys ascending with a 16-bit LSD radix sort, carrying
// idx along, skipping passes whose digit is constant.
func sortKeys64(keys []uint64, idx []int32) ([]uint64, []int32) {
	n := len(keys)
	if n == 0 {
		return keys, idx
	}
	var count [4][1 << 16]int32
	for _, k := range keys {
		count[0][k&0xffff]++
		count[1][(k>>16)&0xffff]++
		count[2][(k>>32)&0xffff]++
		count[3][k>>48]++
	}
	tk := make([]uint64, n)
	ti := make([]int32, n)
	for p := range 4 {
		shift := uint(16 * p)
		c := &count[p]
		if int(c[(keys[0]>>shift)&0xffff]) == n {
			continue
		}
		var sum int32
		for i := range c {
			v := c[i]
			c[i] = sum
			sum += v
		}
		for i, k := range keys {
			d := (k >> shift) & 0xffff
			tk[c[d]] = k
			ti[c[d]] = idx[i]
			c[d]++
		}
		keys, tk = tk, keys
		idx, ti = ti, idx
	}
	return keys, idx
}

// run executes every restart and returns the best result.
func (g *groupScanner) run() Result {
	r := g.r
	best := Result{Score: math.Inf(-1)}
	consider := func(res Result) {
		if res.Score > best.Score {
			best = res
		}
	}
	for restart := range g.opt.Restarts {
		switch restart {
		case 0:
			if g.classes != nil {
				for _, members := range g.classes {
					consider(g.ascend(true, members))
				}
			} else {
				consider(g.ascend(true, seq(r.N)))
			}
		case 1:
			consider(g.ascend(false, seq(r.J)))
		default:
			rng := rand.New(rand.NewPCG(g.opt.Seed, uint64(restart)))
			// A random size in [1, J]: the reference draws ⌊J·U⌋ and
			// redraws zeros, which never ends when J = 1.
			seeds := rng.Perm(r.J)[:1+rng.IntN(r.J)]
			slices.Sort(seeds)
			consider(g.ascend(false, seeds))
		}
	}
	return best
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// ascend runs one restart of the iterative ascent from the given seeds:
// samples when fixSamples, else nodes.
func (g *groupScanner) ascend(fixSamples bool, seeds []int) Result {
	var samples, nodes []int
	if fixSamples {
		samples = seeds
	} else {
		nodes = seeds
	}
	best := Result{Score: math.Inf(-1)}
	for {
		var res Result
		if fixSamples {
			score, alpha, sub := g.step(true, samples, nil)
			res = Result{Score: score, Alpha: alpha, Samples: samples, Nodes: sub}
		} else {
			res = Result{Score: math.Inf(-1)}
			groups := g.classes
			if groups == nil {
				groups = [][]int{nil}
			}
			for _, members := range groups {
				score, alpha, sub := g.step(false, nodes, members)
				if score > res.Score {
					res = Result{Score: score, Alpha: alpha, Samples: sub, Nodes: nodes}
				}
			}
		}
		if !(res.Score > best.Score) {
			return best
		}
		best = res
		samples, nodes = res.Samples, res.Nodes
		fixSamples = !fixSamples
	}
}

// step optimises one side with the other fixed. When fixSamples, fixed
// lists samples and the elements are all nodes; otherwise fixed lists nodes
// and the elements are the samples in elems (all samples when nil). It
// returns the best score, its α and the chosen elements, ascending.
func (g *groupScanner) step(fixSamples bool, fixed, elems []int) (float64, float64, []int) {
	r := g.r
	var nElem int
	if fixSamples {
		nElem = r.J
	} else if elems != nil {
		nElem = len(elems)
	} else {
		nElem = r.N
	}
	// The sub-array is fixed samples × all nodes, or elements × fixed
	// nodes; the loops below are written out for each case, since this is
	// the hot path.
	rowOf := func(e int) []int32 {
		i := e
		if elems != nil {
			i = elems[e]
		}
		return g.rank[i*r.J : (i+1)*r.J]
	}

	// Distinct pmax values of the sub-array, ascending, as ranks.
	g.gen++
	if g.gen == 0 { // wrapped: reset the stamps
		for _, st := range g.stamps {
			clear(st)
		}
		g.gen = 1
	}
	gen := g.gen
	if fixSamples && g.rowBits != nil {
		g.union = resizeU64(g.union, g.words)
		clear(g.union)
		for _, i := range fixed {
			for w, v := range g.rowBits[i*g.words : (i+1)*g.words] {
				g.union[w] |= v
			}
		}
		stamp := g.stamps[0]
		for w, v := range g.union {
			for v != 0 {
				stamp[w*64+bits.TrailingZeros64(v)] = gen
				v &= v - 1
			}
		}
	} else {
		g.parts(nElem, len(fixed), func(part, lo, hi int) {
			stamp := g.stamps[part]
			if fixSamples {
				for _, i := range fixed {
					for _, rk := range g.rank[i*r.J+lo : i*r.J+hi] {
						stamp[rk] = gen
					}
				}
				return
			}
			for e := lo; e < hi; e++ {
				row := rowOf(e)
				for _, k := range fixed {
					stamp[row[k]] = gen
				}
			}
		})
	}
	thr := g.thresholds()
	nt := len(thr)

	// bucket[rank] = index of the first threshold ≥ the value: the value
	// counts towards the priority of every threshold from there on.
	t := 0
	for rk, v := range g.unique {
		for t < nt && thr[t] < v {
			t++
		}
		g.bucket[rk] = int32(t)
	}
	g.bucket[len(g.unique)] = int32(nt) // values above α_max
	// hist[e*(nt+1)+b] counts the entries of element e in bucket b; bucket
	// nt collects values above every threshold.
	g.hist = resize(g.hist, nElem*(nt+1))
	clear(g.hist)
	hist, bucket, stride := g.hist, g.bucket, nt+1
	g.parts(nElem, len(fixed), func(_, lo, hi int) {
		if fixSamples {
			for _, i := range fixed {
				h := hist[lo*stride : hi*stride]
				for e, rk := range g.rank[i*r.J+lo : i*r.J+hi] {
					h[e*stride+int(bucket[rk])]++
				}
			}
			return
		}
		// Four interleaved histograms: most values fall in the same
		// bucket, and one histogram would serialise on its increments.
		h4 := make([]int32, 4*stride)
		for e := lo; e < hi; e++ {
			row := rowOf(e)
			clear(h4)
			h0, h1, h2, h3 := h4[:stride], h4[stride:2*stride], h4[2*stride:3*stride], h4[3*stride:]
			f := fixed
			for ; len(f) >= 4; f = f[4:] {
				h0[bucket[row[f[0]]]]++
				h1[bucket[row[f[1]]]]++
				h2[bucket[row[f[2]]]]++
				h3[bucket[row[f[3]]]]++
			}
			for _, k := range f {
				h0[bucket[row[k]]]++
			}
			h := hist[e*stride : (e+1)*stride]
			for b := range h {
				h[b] = h0[b] + h1[b] + h2[b] + h3[b]
			}
		}
	})
	// Turn the histograms into cumulative priorities per threshold.
	for e := range nElem {
		h := g.hist[e*(nt+1) : (e+1)*(nt+1)]
		for b := 1; b < nt; b++ {
			h[b] += h[b-1]
		}
	}

	nFixed := len(fixed)
	g.cnt = resize(g.cnt, nFixed+1)
	bestScore := math.Inf(-1)
	bestT, bestCut, bestOne := 0, 0, false
	for t := range nt {
		alpha := thr[t]
		clear(g.cnt)
		for e := range nElem {
			g.cnt[g.hist[e*(nt+1)+t]]++
		}
		// Elements in decreasing priority; ties are all in or all out (the
		// statistics are quasi-convex along a block of equal priority), so
		// only block ends are scored, plus k = 1, which the reference
		// picks when every score is equal.
		var nAlpha, n float64
		k := 0
		first := true
		for p := nFixed; p >= 0; p-- {
			c := int(g.cnt[p])
			if c == 0 {
				continue
			}
			if first && c > 1 {
				if s := g.opt.Score.Score(float64(p), float64(nFixed), alpha); s > bestScore {
					bestScore, bestT, bestCut, bestOne = s, t, p, true
				}
			}
			first = false
			k += c
			nAlpha += float64(p) * float64(c)
			n += float64(nFixed) * float64(c)
			if s := g.opt.Score.Score(nAlpha, n, alpha); s > bestScore {
				bestScore, bestT, bestCut, bestOne = s, t, p, false
			}
		}
	}

	// The subset: elements with priority ≥ the cut at the best threshold,
	// or the single first element of the top block.
	var sub []int
	for e := range nElem {
		if int(g.hist[e*(nt+1)+bestT]) >= bestCut {
			i := e
			if elems != nil {
				i = elems[e]
			}
			sub = append(sub, i)
			if bestOne {
				break
			}
		}
	}
	return bestScore, thr[bestT], sub
}

// parts splits the elements [0, nElem) in two halves processed
// concurrently when the sub-array is large enough to pay for a goroutine.
// fn gets the part number (0 or 1) and its element range.
func (g *groupScanner) parts(nElem, nFixed int, fn func(part, lo, hi int)) {
	if nElem*nFixed < 1<<16 || nElem < 2 {
		fn(0, 0, nElem)
		return
	}
	mid := nElem / 2
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		fn(1, mid, nElem)
	}()
	fn(0, 0, mid)
	wg.Wait()
}

// thresholds returns the candidate thresholds for the stamped ranks.
func (g *groupScanner) thresholds() []float64 {
	aMax := g.opt.AlphaMax
	thr := g.thr[:0]
	switch g.opt.Thresholds {
	case Grid:
		// As numpy.linspace(aMax/50, aMax, 50).
		start := aMax / 50
		step := (aMax - start) / 49
		for i := range 49 {
			thr = append(thr, start+float64(i)*step)
		}
		thr = append(thr, aMax)
	case Exact:
		for rk, v := range g.unique {
			if (g.stamps[0][rk] == g.gen || g.stamps[1][rk] == g.gen) && v < aMax {
				thr = append(thr, v)
			}
		}
		thr = append(thr, aMax)
	default: // Reference
		for rk, v := range g.unique {
			if (g.stamps[0][rk] == g.gen || g.stamps[1][rk] == g.gen) && v < aMax {
				thr = append(thr, v)
			}
		}
		step := max(1, len(thr)/10)
		m := 0
		for i := 0; i < len(thr); i += step {
			thr[m] = thr[i]
			m++
		}
		thr = append(thr[:m], aMax)
	}
	g.thr = thr
	return thr
}

func resize(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}

func resizeU64(s []uint64, n int) []uint64 {
	if cap(s) < n {
		return make([]uint64, n)
	}
	return s[:n]
}
