package nn

import (
	"runtime"
	"sync"
	"sync/atomic"

	"subsetscan/data"
)

// chunkSize is the number of samples whose gradients one worker sums
// sequentially before the chunks are summed in order: the unit of the
// deterministic reduction, independent of the number of workers.
const chunkSize = 8

// reducer sums per-sample parameter gradients in a fixed order: the
// samples are split into chunks of chunkSize; one goroutine sums a chunk's
// samples in order into the chunk's buffers, and the chunks' sums are then
// added in chunk order, so the result does not depend on the number of
// workers or on their scheduling.
type reducer struct {
	asked   int // the workers asked for, as given to newReducer
	workers int
	chunks  []chunk
	total   [][]float32 // the sum, in the order of Params
	tapes   chan *tape
	gtapes  chan *gradTape
}

// chunk holds one chunk's gradient sums, per layer and as a flat list in
// the order of Params, and the sum of its samples' results.
type chunk struct {
	pg   [][][]float32
	flat [][]float32
	sum  float64
}

// newReducer allocates a reducer for up to maxSamples samples at a time
// on workers goroutines (0 means GOMAXPROCS).
func (m *Model) newReducer(maxSamples, workers int) *reducer {
	asked := workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	nc := (maxSamples + chunkSize - 1) / chunkSize
	workers = min(workers, nc)
	r := &reducer{asked: asked, workers: workers, chunks: make([]chunk, nc)}
	for c := range r.chunks {
		r.chunks[c].pg, r.chunks[c].flat = m.newGrads()
	}
	_, r.total = m.newGrads()
	r.tapes, r.gtapes = make(chan *tape, workers), make(chan *gradTape, workers)
	for range workers {
		r.tapes <- m.newTape()
		r.gtapes <- m.newGradTape()
	}
	return r
}

// sum runs sample(t, gt, s, pg) for each sample s of idx, which adds the
// sample's parameter gradients to pg and returns a number (its loss), and
// leaves the sum of the gradients in r.total; it returns the sum of the
// numbers, also reduced chunk by chunk in order. len(idx) must not exceed
// the reducer's maxSamples.
func (r *reducer) sum(idx []int, sample func(t *tape, gt *gradTape, s int, pg [][][]float32) float64) float64 {
	nc := (len(idx) + chunkSize - 1) / chunkSize
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(r.workers, nc) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t, gt := <-r.tapes, <-r.gtapes
			defer func() { r.tapes <- t; r.gtapes <- gt }()
			for c := int(next.Add(1)) - 1; c < nc; c = int(next.Add(1)) - 1 {
				ch := &r.chunks[c]
				for _, g := range ch.flat {
					clear(g)
				}
				ch.sum = 0
				for _, s := range idx[c*chunkSize : min((c+1)*chunkSize, len(idx))] {
					ch.sum += sample(t, gt, s, ch.pg)
				}
			}
		}()
	}
	wg.Wait()
	var total float64
	for k, g := range r.total {
		copy(g, r.chunks[0].flat[k])
		for c := 1; c < nc; c++ {
			src := r.chunks[c].flat[k]
			for j := range g {
				g[j] += src[j]
			}
		}
	}
	for c := range nc {
		total += r.chunks[c].sum
	}
	return total
}

// GradientOptions configures Gradients.
type GradientOptions struct {
	// Logits says that the upstream gradient is w.r.t. the last layer's
	// pre-activation output (the logits) rather than its output.
	Logits bool
	// Input asks for the gradient w.r.t. each sample's input too.
	Input bool
	// Workers is the number of goroutines (0 means GOMAXPROCS). The
	// gradients do not depend on it.
	Workers int
}

// Grads are the gradients that Gradients returns.
type Grads struct {
	// Params holds the gradients w.r.t. the params, summed over the
	// samples, in the order and lengths of Params.
	Params [][]float32
	// Input holds the gradient w.r.t. each sample's input, shaped like x;
	// nil unless GradientOptions.Input.
	Input *data.Array
}

// Gradients returns the gradients of Σ_s upstream_s ⊙ output_s w.r.t. the
// params and, if asked, w.r.t. the inputs x, where output_s is the last
// layer's output for sample s (its pre-activation with opt.Logits), and
// upstream ([n, outputs]) holds the gradient of the caller's loss w.r.t.
// the outputs: the backward half of a training step whose loss the caller
// computes (a GAN's discriminator and generator, a CTC loss). Apply the
// result with Step.
//
// The parameter gradients are reduced as Train reduces a batch's: in
// chunks of 8 samples, summed in order, then chunk after chunk, so they
// are the same bit for bit whatever the number of workers; Train's batch
// is Gradients of the loss gradient w.r.t. the logits, scaled by 1/n.
// The buffers of a call (a gradient sum per chunk, a tape per worker) are
// kept for the next call with as many samples and workers; the returned
// gradients are the caller's. A NaN in upstream propagates to the
// gradients.
func (m *Model) Gradients(x, upstream *data.Array, opt GradientOptions) (*Grads, error) {
	if err := m.checkUpstream(x, upstream, opt.Logits); err != nil {
		return nil, err
	}
	g, _ := m.gradients(x, opt, func(s int, _, _ []float32) ([]float32, float64) { return upstream.Row(s), 0 })
	return g, nil
}

// gradients runs, for each sample s of x, the training forward pass, then
// upstream(s, out, buf), which returns the gradient w.r.t. out, the last
// layer's output (its pre-activation with opt.Logits), and a number (the
// sample's loss), then the backward pass; buf is a buffer of out's length
// that upstream may fill and return. It returns the gradients, reduced in
// Gradients' fixed order, and the sum of the numbers, reduced likewise.
func (m *Model) gradients(x *data.Array, opt GradientOptions, upstream func(s int, out, buf []float32) ([]float32, float64)) (*Grads, float64) {
	g := &Grads{}
	if opt.Input {
		g.Input = data.NewArray(x.Shape...)
	}
	idx := make([]int, x.Len())
	for i := range idx {
		idx[i] = i
	}
	r, _ := m.reducers.Get().(*reducer)
	if r == nil || len(r.chunks) != (len(idx)+chunkSize-1)/chunkSize || r.asked != opt.Workers {
		r = m.newReducer(len(idx), opt.Workers)
	}
	last := len(m.nodes) - 1
	total := r.sum(idx, func(t *tape, gt *gradTape, s int, pg [][][]float32) float64 {
		m.forward(t, x.Row(s))
		out := m.output(t)
		if opt.Logits {
			out = m.last().layer.(activated).preActivation(t.rec[last])
		}
		up, v := upstream(s, out, gt.up)
		m.backward(t, gt, up, opt.Logits, pg, opt.Input)
		if opt.Input {
			copy(g.Input.Row(s), gt.in)
		}
		return v
	})
	g.Params = r.total
	_, r.total = m.newGrads()
	m.reducers.Put(r)
	return g, total
}
