package gan

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"

	"subsetscan/data"
	"subsetscan/nn"
)

// Options configures Train and NewTrainer. Zero values mean the documented
// defaults.
type Options struct {
	// Epochs is the number of passes over the real samples (at least 1).
	Epochs int
	// BatchSize is the number of real samples, and of generated ones, per
	// step (0 means 64). The last step of an epoch takes the remainder.
	BatchSize int
	// Seed seeds the shuffling of the real samples (one permutation per
	// epoch) and the latent vectors (BatchSize standard normal vectors
	// per step), two PCG streams.
	Seed uint64
	// Workers is the number of goroutines (0 means GOMAXPROCS). The
	// weights do not depend on it.
	Workers int
	// G and D are the optimizers of the generator and the discriminator
	// (nil means DCGAN's Adam: NewDCGANAdam). Each serves one model.
	G, D nn.Optimizer
	// Loss scores D's outputs (nil means NonSaturating).
	Loss Loss
	// Every, if positive, calls Progress every Every steps too, with the
	// mean losses since the previous call.
	Every int
	// Progress, if not nil, is called at the end of every epoch (and
	// every Every steps) from the goroutine that called Train.
	Progress func(Progress)
}

// Progress reports training progress.
type Progress struct {
	Epoch, Epochs int // 1-based epoch, and the number of epochs
	Step, Steps   int // 1-based step within the epoch, and its number of steps
	// DLoss and GLoss are the mean losses of the steps since the previous
	// report (of the whole epoch when EpochDone).
	DLoss, GLoss float64
	EpochDone    bool
}

// History holds the mean losses of the steps of each epoch.
type History struct {
	DLoss, GLoss []float64
}

// NewDCGANAdam returns Adam with DCGAN's settings (Radford et al. 2016,
// §4): learning rate 2e-4, β₁ 0.5, and Keras' β₂ 0.999 and ε 1e-7.
func NewDCGANAdam() *nn.Adam {
	o := nn.NewAdam()
	o.LR, o.Beta1 = 2e-4, 0.5
	return o
}

// Trainer updates a generator and a discriminator, one batch at a time.
type Trainer struct {
	g, d    *nn.Model
	gOpt    nn.Optimizer
	dOpt    nn.Optimizer
	loss    Loss
	workers int
}

// NewTrainer returns a Trainer of g against d with the optimizers, loss
// and workers of opt (its other fields are Train's). It is an error if g's
// output shape is not d's input shape.
func NewTrainer(g, d *nn.Model, opt Options) (*Trainer, error) {
	gOut, _ := g.OutputShape(g.LayerNames()[len(g.LayerNames())-1])
	if !slices.Equal(gOut, d.Arch.Input) {
		return nil, fmt.Errorf("gan: generator %s outputs %v, discriminator %s takes %v", g.Arch.Name, gOut, d.Arch.Name, d.Arch.Input)
	}
	t := &Trainer{g: g, d: d, gOpt: opt.G, dOpt: opt.D, loss: opt.Loss, workers: opt.Workers}
	if t.gOpt == nil {
		t.gOpt = NewDCGANAdam()
	}
	if t.dOpt == nil {
		t.dOpt = NewDCGANAdam()
	}
	if t.loss == nil {
		t.loss = NonSaturating
	}
	return t, nil
}

// Step updates both models once, from the real samples real and the
// generator inputs gIn (one per generated sample), and returns D's and G's
// losses before the update. The two updates are simultaneous: both
// gradients are taken at the current weights (as TensorFlow's DCGAN
// tutorial does), D's from its outputs on real ∪ G(gIn), G's through D's
// input gradient on G(gIn). A non-finite gradient is an error, and then
// neither model changes. The result does not depend on the number of
// workers.
func (t *Trainer) Step(real, gIn *data.Array) (dLoss, gLoss float64, err error) {
	return t.step(real, gIn, t.loss, nil)
}

// genTerm is a term of G's loss that is computed from the generated
// samples fake directly rather than through D (StarGAN's reconstruction
// loss). It returns the term, adds its gradient w.r.t. fake into dFake,
// and returns its gradient w.r.t. G's params along the paths that do not
// go through fake (nil if none), in the order of Params.
type genTerm func(fake, dFake *data.Array) (loss float64, params [][]float32, err error)

// step is Step with the loss given, and G's extra loss term if not nil.
func (t *Trainer) step(real, gIn *data.Array, loss Loss, extra genTerm) (dLoss, gLoss float64, err error) {
	w := t.workers
	fake, err := t.g.Predict(gIn, w)
	if err != nil {
		return 0, 0, fmt.Errorf("gan: generator: %w", err)
	}
	x, err := data.Concat(real, fake)
	if err != nil {
		return 0, 0, fmt.Errorf("gan: real and generated samples: %w", err)
	}
	out, err := t.d.Predict(x, w)
	if err != nil {
		return 0, 0, fmt.Errorf("gan: discriminator: %w", err)
	}
	nr := real.Len()
	up := data.NewArray(out.Shape...)
	dLoss = loss.Discriminator(out.Slice(0, nr), out.Slice(nr, out.Len()), up.Slice(0, nr), up.Slice(nr, out.Len()))
	gD, err := t.d.Gradients(x, up, nn.GradientOptions{Workers: w})
	if err != nil {
		return 0, 0, err
	}
	upG := data.NewArray(out.Slice(nr, out.Len()).Shape...)
	gLoss = loss.Generator(out.Slice(nr, out.Len()), upG)
	throughD, err := t.d.Gradients(fake, upG, nn.GradientOptions{Input: true, Workers: w})
	if err != nil {
		return 0, 0, err
	}
	var extraParams [][]float32
	if extra != nil {
		l, pg, err := extra(fake, throughD.Input)
		if err != nil {
			return 0, 0, err
		}
		gLoss, extraParams = gLoss+l, pg
	}
	gG, err := t.g.Gradients(gIn, throughD.Input, nn.GradientOptions{Workers: w})
	if err != nil {
		return 0, 0, err
	}
	addGrads(gG.Params, extraParams)
	if !finite(gD.Params) || !finite(gG.Params) {
		return dLoss, gLoss, errors.New("gan: non-finite gradient")
	}
	t.d.Step(t.dOpt, gD.Params)
	t.g.Step(t.gOpt, gG.Params)
	return dLoss, gLoss, nil
}

// addGrads adds src into dst, param by param (nothing if src is nil).
func addGrads(dst, src [][]float32) {
	for i, s := range src {
		for j, v := range s {
			dst[i][j] += v
		}
	}
}

// finite reports whether every gradient is finite.
func finite(grads [][]float32) bool {
	for _, g := range grads {
		a := data.Array{Shape: []int{len(g)}, Data: g}
		if a.CheckFinite() != nil {
			return false
		}
	}
	return true
}

// Latent returns n latent vectors of dim standard normal values, [n, dim],
// drawn from rng in order.
func Latent(rng *rand.Rand, n, dim int) *data.Array {
	z := data.NewArray(n, dim)
	for i := range z.Data {
		z.Data[i] = float32(rng.NormFloat64())
	}
	return z
}

// PCG streams of the generators Train draws from.
const (
	streamShuffle = 0x73687566666c65 // "shuffle"
	streamLatent  = 0x6c6174656e74   // "latent"
)

// Train trains the generator g (input: a latent vector [z]) against the
// discriminator d (input: a sample shaped like g's output and like the
// rows of real; output: what opt.Loss scores, a logit for NonSaturating)
// for opt.Epochs passes over real, with Trainer.Step on shuffled batches
// of real samples and as many latent vectors, and returns the mean losses
// of each epoch. Both models must be initialised (nn.Model.InitGlorot).
// Train stops with ctx's error when ctx is cancelled (checked between
// steps), leaving the weights of the last finished step.
func Train(ctx context.Context, g, d *nn.Model, real *data.Array, opt Options) (History, error) {
	var h History
	bs, dim, err := checkTrain(g, d, real, opt)
	if err != nil {
		return h, err
	}
	t, err := NewTrainer(g, d, opt)
	if err != nil {
		return h, err
	}
	latent := rand.New(rand.NewPCG(opt.Seed, streamLatent))
	return epochLoop(ctx, real.Len(), bs, opt, func(idx []int) (float64, float64, error) {
		return t.Step(real.Gather(idx), Latent(latent, len(idx), dim))
	})
}

// epochLoop runs opt.Epochs passes over n samples: each epoch shuffles
// them (a PCG generator seeded with opt.Seed, streamShuffle), calls step
// with the indices of each batch of bs, and reports the mean losses to
// opt.Progress. It stops with ctx's error when ctx is cancelled (checked
// between steps), and with step's first error. Train's loop, and
// TrainStarGAN's.
func epochLoop(ctx context.Context, n, bs int, opt Options, step func(idx []int) (dLoss, gLoss float64, err error)) (History, error) {
	var h History
	shuffle := rand.New(rand.NewPCG(opt.Seed, streamShuffle))
	steps := (n + bs - 1) / bs
	perm := make([]int, n)
	for epoch := 1; epoch <= opt.Epochs; epoch++ {
		for i := range perm {
			perm[i] = i
		}
		shuffle.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		var ep, since meanLosses
		for s := range steps {
			if err := ctx.Err(); err != nil {
				return h, err
			}
			dl, gl, err := step(perm[s*bs : min((s+1)*bs, n)])
			if err != nil {
				return h, fmt.Errorf("gan: epoch %d step %d: %w", epoch, s+1, err)
			}
			ep.add(dl, gl)
			since.add(dl, gl)
			if opt.Progress != nil && opt.Every > 0 && (s+1)%opt.Every == 0 {
				opt.Progress(Progress{Epoch: epoch, Epochs: opt.Epochs, Step: s + 1, Steps: steps, DLoss: since.d(), GLoss: since.g()})
				since = meanLosses{}
			}
		}
		h.DLoss, h.GLoss = append(h.DLoss, ep.d()), append(h.GLoss, ep.g())
		if opt.Progress != nil {
			opt.Progress(Progress{Epoch: epoch, Epochs: opt.Epochs, Step: steps, Steps: steps, DLoss: ep.d(), GLoss: ep.g(), EpochDone: true})
		}
	}
	return h, nil
}

// meanLosses accumulates losses, in order.
type meanLosses struct {
	dSum, gSum float64
	n          int
}

func (m *meanLosses) add(d, g float64) { m.dSum, m.gSum, m.n = m.dSum+d, m.gSum+g, m.n+1 }
func (m *meanLosses) d() float64       { return m.dSum / float64(m.n) }
func (m *meanLosses) g() float64       { return m.gSum / float64(m.n) }

// checkTrain checks Train's arguments and returns the batch size, at most
// the number of real samples, and the latent dimension.
func checkTrain(g, d *nn.Model, real *data.Array, opt Options) (bs, dim int, err error) {
	if len(g.Arch.Input) != 1 {
		return 0, 0, fmt.Errorf("gan: generator %s takes %v, want a latent vector [z]", g.Arch.Name, g.Arch.Input)
	}
	if real.Len() == 0 || !slices.Equal(real.Shape[1:], d.Arch.Input) {
		return 0, 0, fmt.Errorf("gan: real samples of shape %v for discriminator %s taking %v", real.Shape, d.Arch.Name, d.Arch.Input)
	}
	if err := real.CheckFinite(); err != nil {
		return 0, 0, fmt.Errorf("gan: real samples: %w", err)
	}
	if opt.Epochs < 1 {
		return 0, 0, fmt.Errorf("gan: epochs %d must be at least 1", opt.Epochs)
	}
	bs = opt.BatchSize
	if bs == 0 {
		bs = 64
	}
	if bs < 1 {
		return 0, 0, fmt.Errorf("gan: batch size %d must be positive", opt.BatchSize)
	}
	return min(bs, real.Len()), g.Arch.Input[0], nil
}
