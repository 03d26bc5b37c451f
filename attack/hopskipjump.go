package attack

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"subsetscan/data"
)

// Predictor is what a decision-based attack needs of a model: class scores
// whose argmax is the predicted class. Every Classifier is a Predictor.
type Predictor interface {
	Predict(x *data.Array, workers int) (*data.Array, error)
}

// ART's defaults for HopSkipJump (art/attacks/hop_skip_jump.py, ART 0.10.0).
const (
	HSJDefaultMaxIter  = 50
	HSJDefaultMaxEval  = 10000
	HSJDefaultInitEval = 100
	HSJDefaultInitSize = 100
)

// HopSkipJump is the untargeted L2 HopSkipJump attack (Chen, Jordan and
// Wainwright 2019) as ART implements it. It is decision-based: it queries
// only the predicted class. For each image x with class y (the model's
// prediction unless labels are given) in d dimensions, with θ = 0.01/√d:
//
//  1. Initialisation: up to InitSize images drawn uniformly in the clip
//     range until one is not classified y; a bisection on the segment from
//     x to it (to a tolerance of 0.001 in the interpolation weight) gives
//     the starting point. When none of them is adversarial, x is returned
//     unchanged.
//  2. Each iteration t = 0, 1, …, MaxIter−1 takes the current point x_t:
//     δ_t = 0.1·(max − min) at t = 0, else √d·θ·‖x_t − x‖₂ (computed before
//     the bisection); a bisection towards x to tolerance θ moves x_t onto
//     the boundary; n_t = min(⌊InitEval·√(t+1)⌋, MaxEval) unit-norm Gaussian
//     directions u_b give the points clip(x_t + δ_t·u_b), whose effective
//     directions u'_b = (point − x_t)/δ_t are averaged with weights
//     φ_b − mean(φ) (φ_b = +1 if adversarial, −1 if not; ±u'_b when all
//     agree) into the gradient estimate g, normalised to unit L2 norm;
//     then the geometric step search: ε = 2‖x_t − x‖₂/√(t+1), halved until
//     clip(x_t + ε·g) is adversarial, which becomes x_{t+1}.
//
// Every returned image that differs from its source is adversarial. The
// bisections and the step search query one point at a time; the n_t points
// of a gradient estimate are one batch through Predict. Images run in
// parallel, each with its own random stream (PCG seeded with Seed and the
// image's index), so results do not depend on Workers. Pixels are never NaN:
// a gradient estimate of zero norm leaves the point where it is.
//
// ART's iteration counter is an attribute of the attack object that, up to
// ART 1.0.1, is not reset between the images of one generate call, so there
// the schedule of an image depends on how many images came before it; here
// every image starts at t = 0, as ART does from 1.1.0 on.
type HopSkipJump struct {
	// MaxIter, MaxEval, InitEval and InitSize are ART's max_iter,
	// max_eval, init_eval and init_size; 0 means ART's default (50,
	// 10000, 100 and 100). InitEval must not exceed MaxEval.
	MaxIter, MaxEval, InitEval, InitSize int
	// Clip bounds the pixels; nil means the smallest and the largest pixel
	// of x, as ART does for a classifier without clip values (the authors'
	// classifier had none). Give it to make results independent of the
	// batch.
	Clip *[2]float32
	// Seed selects the random streams.
	Seed uint64
	// FirstIndex numbers the streams: image i of x uses stream
	// FirstIndex + i. Attacking a batch of a larger set with the index of
	// its first image there (and that set's Clip) gives the images the
	// whole set would, so a set can be attacked batch by batch.
	FirstIndex int
	// Workers bounds the parallelism; 0 means all cores.
	Workers int
	// Progress, when not nil, is called after each image with the number
	// of images done and the number still to do.
	Progress func(done, active int)
	// Trace, when not nil, is called after the initialisation (Iter 0) and
	// after each iteration of each image. It is called concurrently from
	// the workers.
	Trace func(HSJStep)
}

// HSJStep describes the state of one image during HopSkipJump.
type HSJStep struct {
	// Image is the index in x, Iter the number of iterations done.
	Image, Iter int
	// L2 is the distance of the current adversarial point from the image.
	L2 float64
	// Queries counts the model evaluations of this image so far.
	Queries int
}

// hsjParams holds the resolved parameters.
type hsjParams struct {
	maxIter, maxEval, initEval, initSize int
}

func (a HopSkipJump) params() (hsjParams, error) {
	def := func(v, d int) int {
		if v == 0 {
			return d
		}
		return v
	}
	p := hsjParams{
		maxIter:  def(a.MaxIter, HSJDefaultMaxIter),
		maxEval:  def(a.MaxEval, HSJDefaultMaxEval),
		initEval: def(a.InitEval, HSJDefaultInitEval),
		initSize: def(a.InitSize, HSJDefaultInitSize),
	}
	switch {
	case a.FirstIndex < 0:
		return p, fmt.Errorf("attack: HopSkipJump FirstIndex must be ≥ 0, got %d", a.FirstIndex)
	case p.maxIter < 0:
		return p, fmt.Errorf("attack: HopSkipJump max_iter must be ≥ 1 (0 for the default), got %d", p.maxIter)
	case p.maxEval < 0:
		return p, fmt.Errorf("attack: HopSkipJump max_eval must be ≥ 1 (0 for the default), got %d", p.maxEval)
	case p.initEval < 0:
		return p, fmt.Errorf("attack: HopSkipJump init_eval must be ≥ 1 (0 for the default), got %d", p.initEval)
	case p.initSize < 0:
		return p, fmt.Errorf("attack: HopSkipJump init_size must be ≥ 1 (0 for the default), got %d", p.initSize)
	case p.initEval > p.maxEval:
		return p, fmt.Errorf("attack: HopSkipJump init_eval %d exceeds max_eval %d", p.initEval, p.maxEval)
	}
	return p, nil
}

// Generate returns the adversarial images of x. labels, when not nil, are
// the classes the images must leave; nil means the model's own predictions,
// which is what ART's untargeted attack does.
func (a HopSkipJump) Generate(ctx context.Context, c Predictor, x *data.Array, labels []int) (*data.Array, error) {
	p, err := a.params()
	if err != nil {
		return nil, err
	}
	n := x.Len()
	if n == 0 || x.RowSize() == 0 {
		return nil, fmt.Errorf("attack: HopSkipJump: no images (shape %v)", x.Shape)
	}
	if err := x.CheckFinite(); err != nil {
		return nil, fmt.Errorf("attack: HopSkipJump input: %w", err)
	}
	var lo, hi float32
	if a.Clip != nil {
		lo, hi = a.Clip[0], a.Clip[1]
	} else {
		lo, hi = slices.Min(x.Data), slices.Max(x.Data)
	}
	if !(lo < hi) || math.IsInf(float64(lo), 0) || math.IsInf(float64(hi), 0) {
		return nil, fmt.Errorf("attack: HopSkipJump needs a clip range min < max, got [%v, %v]", lo, hi)
	}
	workers := a.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	outer := min(workers, n)
	inner := max(1, workers/outer)

	scores, err := predictChecked(c, x, workers)
	if err != nil {
		return nil, err
	}
	k := scores.RowSize()
	if labels == nil {
		labels = make([]int, n)
		for i := range n {
			labels[i] = argmax(scores.Row(i))
		}
	} else if len(labels) != n {
		return nil, fmt.Errorf("attack: HopSkipJump: %d labels for %d images", len(labels), n)
	}
	for i, y := range labels {
		if y < 0 || y >= k {
			return nil, fmt.Errorf("attack: HopSkipJump: label %d of image %d is not a class in [0, %d)", y, i, k)
		}
	}

	out := &data.Array{Shape: slices.Clone(x.Shape), Data: slices.Clone(x.Data)}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		progress sync.Mutex
		done     int
	)
	for range outer {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				if argmax(scores.Row(i)) != labels[i] {
					// Already on the other side: nothing to do (ART's
					// "attack satisfied").
				} else {
					r := &hsjRun{
						ctx: ctx, c: c, workers: inner, p: p, image: i,
						x: x.Row(i), shape: x.Shape[1:], target: labels[i],
						lo: lo, hi: hi, theta: 0.01 / math.Sqrt(float64(x.RowSize())),
						rng: rand.New(rand.NewPCG(a.Seed, uint64(a.FirstIndex+i))), trace: a.Trace,
					}
					if err := r.attack(out.Row(i)); err != nil {
						cancel(err)
						return
					}
				}
				if a.Progress != nil {
					progress.Lock()
					done++
					a.Progress(done, n-done)
					progress.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return out, nil
}

// predictChecked runs c.Predict and checks that it returns one finite row
// per image.
func predictChecked(c Predictor, x *data.Array, workers int) (*data.Array, error) {
	s, err := c.Predict(x, workers)
	if err != nil {
		return nil, err
	}
	if s.Len() != x.Len() || s.RowSize() < 1 || len(s.Data) != s.Len()*s.RowSize() {
		return nil, fmt.Errorf("attack: the classifier returned scores of shape %v for %d images", s.Shape, x.Len())
	}
	for i, v := range s.Data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("attack: the classifier returned a non-finite score %v for image %d", v, i/s.RowSize())
		}
	}
	return s, nil
}

// hsjRun attacks one image.
type hsjRun struct {
	ctx     context.Context
	c       Predictor
	workers int
	p       hsjParams
	image   int
	x       []float32 // the original image
	shape   []int     // the per-image shape
	target  int       // the class to leave
	lo, hi  float32
	theta   float64
	rng     *rand.Rand
	trace   func(HSJStep)
	queries int
}

// adversarial reports, for each image of b, whether the model's class
// differs from the target.
func (r *hsjRun) adversarial(b *data.Array) ([]bool, error) {
	if err := r.ctx.Err(); err != nil {
		return nil, err
	}
	s, err := predictChecked(r.c, b, r.workers)
	if err != nil {
		return nil, fmt.Errorf("attack: HopSkipJump image %d: %w", r.image, err)
	}
	r.queries += b.Len()
	adv := make([]bool, b.Len())
	for i := range adv {
		adv[i] = argmax(s.Row(i)) != r.target
	}
	return adv, nil
}

// one wraps a single image as a batch.
func (r *hsjRun) one(v []float32) *data.Array {
	return &data.Array{Shape: append([]int{1}, r.shape...), Data: v}
}

func (r *hsjRun) clip(v []float32) {
	for i, f := range v {
		v[i] = min(max(f, r.lo), r.hi)
	}
}

// attack writes the adversarial image into dst (which holds x) unless no
// starting point is found.
func (r *hsjRun) attack(dst []float32) error {
	cur, err := r.initial()
	if err != nil || cur == nil {
		return err
	}
	r.report(0, cur)
	d := len(r.x)
	upd := make([]float64, d)
	pot := make([]float32, d)
	for t := range r.p.maxIter {
		var delta float64
		if t == 0 {
			delta = 0.1 * float64(r.hi-r.lo)
		} else {
			delta = math.Sqrt(float64(d)) * r.theta * l2(cur, r.x)
		}
		if cur, err = r.bisect(cur, r.theta); err != nil {
			return err
		}
		nEval := min(int(float64(r.p.initEval)*math.Sqrt(float64(t+1))), r.p.maxEval)
		if err := r.gradient(upd, cur, nEval, delta); err != nil {
			return err
		}
		// Geometric step search: ε is halved until the step lands on the
		// adversarial side. It ends at the latest when x_t + ε·g rounds
		// to x_t, which is adversarial; the bound on halvings only guards
		// against a classifier that is not deterministic.
		eps := 2 * l2(cur, r.x) / math.Sqrt(float64(t+1))
		found := false
		for range 1100 {
			eps /= 2
			for p, c := range cur {
				pot[p] = float32(float64(c) + eps*upd[p])
			}
			r.clip(pot)
			adv, err := r.adversarial(r.one(pot))
			if err != nil {
				return err
			}
			if adv[0] {
				found = true
				break
			}
		}
		if found {
			copy(cur, pot)
		}
		r.report(t+1, cur)
	}
	copy(dst, cur)
	return nil
}

func (r *hsjRun) report(iter int, cur []float32) {
	if r.trace != nil {
		r.trace(HSJStep{Image: r.image, Iter: iter, L2: l2(cur, r.x), Queries: r.queries})
	}
}

// initial draws up to InitSize uniform random images, in batches of
// growing size (1, 2, 4, …), and bisects from the first adversarial one
// towards x. It returns nil when none is adversarial.
func (r *hsjRun) initial() ([]float32, error) {
	d := len(r.x)
	span := float64(r.hi - r.lo)
	for tried, size := 0, 1; tried < r.p.initSize; tried, size = tried+size, size*2 {
		size = min(size, r.p.initSize-tried)
		b := &data.Array{Shape: append([]int{size}, r.shape...), Data: make([]float32, size*d)}
		for p := range b.Data {
			b.Data[p] = float32(float64(r.lo) + span*r.rng.Float64())
		}
		r.clip(b.Data) // float32 rounding may reach past hi
		adv, err := r.adversarial(b)
		if err != nil {
			return nil, err
		}
		if j := slices.Index(adv, true); j >= 0 {
			return r.bisect(slices.Clone(b.Row(j)), 0.001)
		}
	}
	return nil, nil
}

// bisect searches the segment (1−α)·x + α·cur for the boundary, to a
// tolerance tol in α, and returns the point at the adversarial end (α = 1,
// cur itself, when no point of the search is adversarial).
func (r *hsjRun) bisect(cur []float32, tol float64) ([]float32, error) {
	lo, hi := 0.0, 1.0
	mid := make([]float32, len(cur))
	interp := func(dst []float32, a float64) {
		af := float32(a)
		for p, c := range cur {
			dst[p] = (1-af)*r.x[p] + af*c
		}
		r.clip(dst)
	}
	for hi-lo > tol {
		a := (hi + lo) / 2
		interp(mid, a)
		adv, err := r.adversarial(r.one(mid))
		if err != nil {
			return nil, err
		}
		if adv[0] {
			hi = a
		} else {
			lo = a
		}
	}
	interp(mid, hi)
	return mid, nil
}

// gradient estimates the direction towards the adversarial side at cur
// from n random points at distance δ, writing it with unit L2 norm (or
// zero) into g.
func (r *hsjRun) gradient(g []float64, cur []float32, n int, delta float64) error {
	d := len(cur)
	b := &data.Array{Shape: append([]int{n}, r.shape...), Data: make([]float32, n*d)}
	u := make([]float64, d)
	for s := range n {
		ss := 0.0
		for p := range u {
			u[p] = r.rng.NormFloat64()
			ss += u[p] * u[p]
		}
		scale := delta / math.Sqrt(ss)
		row := b.Row(s)
		for p, c := range cur {
			row[p] = float32(float64(c) + scale*u[p])
		}
		r.clip(row)
	}
	adv, err := r.adversarial(b)
	if err != nil {
		return err
	}
	nAdv := 0
	for _, v := range adv {
		if v {
			nAdv++
		}
	}
	// φ_b − mean(φ), or ±1 when all points agree.
	mean := (2*float64(nAdv) - float64(n)) / float64(n)
	if nAdv == 0 || nAdv == n {
		mean = 0
	}
	clear(g)
	for s, v := range adv {
		w := -1 - mean
		if v {
			w = 1 - mean
		}
		row := b.Row(s)
		for p, c := range cur {
			g[p] += w * (float64(row[p]) - float64(c))
		}
	}
	// The common factor 1/(n·δ) of ART's mean of (point − x_t)/δ does not
	// change the direction.
	ss := 0.0
	for _, v := range g {
		ss += v * v
	}
	norm := math.Sqrt(ss)
	if !(norm > 0) || math.IsInf(norm, 0) {
		clear(g)
		return nil
	}
	for p := range g {
		g[p] /= norm
	}
	return nil
}

// l2 is the Euclidean distance between a and b, in float64.
func l2(a, b []float32) float64 {
	s := 0.0
	for i, v := range a {
		e := float64(v) - float64(b[i])
		s += e * e
	}
	return math.Sqrt(s)
}
