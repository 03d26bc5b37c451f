package asr

import (
	"context"
	"errors"
	"fmt"
	"math"

	"subsetscan/data/fsdd"
	"subsetscan/nn"
)

// TrainOptions configures Train. The zero value of a field means the
// default it states.
type TrainOptions struct {
	Epochs    int     // at least 1
	EpochSize int     // strings drawn per epoch, before Fit (0: 1000)
	BatchSize int     // utterances per step (0: 32); the last batch of an epoch holds the rest
	LR        float32 // Adam's learning rate (0: 0.002, as ds-fsdd was trained; Keras' other defaults)
	// ClipNorm caps the global L2 norm of each step's gradient (0: 5;
	// negative: no clipping).
	ClipNorm float64
	Seed     uint64 // seeds the strings of each epoch (EpochStrings)
	// Workers is the number of goroutines (0 means GOMAXPROCS); the
	// weights do not depend on it.
	Workers int
	// Progress, if not nil, is called after every step and at the end of
	// every epoch, from Train's goroutine.
	Progress func(Progress)
}

// Progress reports training progress.
type Progress struct {
	Epoch, Epochs  int     // 1-based epoch, and the number of epochs
	Batch, Batches int     // 1-based step within the epoch, and the steps of the epoch
	BatchLoss      float64 // mean CTC loss of the step's utterances
	Loss           float64 // mean CTC loss over the epoch's utterances so far
	EpochDone      bool    // the epoch has finished; Loss is its training loss
}

func (o *TrainOptions) defaults() error {
	if o.Epochs < 1 {
		return fmt.Errorf("asr: %d epochs, want at least 1", o.Epochs)
	}
	if o.EpochSize == 0 {
		o.EpochSize = 1000
	}
	if o.BatchSize == 0 {
		o.BatchSize = 32
	}
	if o.LR == 0 {
		o.LR = 0.002
	}
	if o.ClipNorm == 0 {
		o.ClipNorm = 5
	}
	if o.EpochSize < 1 || o.BatchSize < 1 || !(o.LR > 0) {
		return fmt.Errorf("asr: epoch size %d, batch size %d and learning rate %v must be positive", o.EpochSize, o.BatchSize, o.LR)
	}
	return nil
}

// Train fits m (initialised by the caller, say with InitGlorot) to digit
// strings of the recordings pool of c by minimising the mean CTC loss of
// each mini-batch with Adam, and returns each epoch's training loss (the
// mean over its utterances). Epoch e draws its strings with EpochStrings
// (seed opt.Seed, epoch e) and takes them in order, BatchSize at a time;
// each step is m.LossGradients of nn.CTCLoss on each utterance's own
// frames (Assemble), one forward and one backward pass per utterance, the
// gradient scaled to a global norm of at
// most ClipNorm, and one Adam step. The weights are the same bit for bit
// for any number of workers. Train stops with ctx's error when it is
// cancelled (checked between steps), leaving the weights of the last step.
func Train(ctx context.Context, m *nn.Model, c *fsdd.Corpus, pool []int, opt TrainOptions) ([]float64, error) {
	if err := opt.defaults(); err != nil {
		return nil, err
	}
	if _, err := MelOf(m.Arch); err != nil {
		return nil, err
	}
	adam := nn.NewAdam()
	adam.LR = opt.LR
	var losses []float64
	for epoch := 1; epoch <= opt.Epochs; epoch++ {
		us, err := EpochStrings(c, pool, opt.EpochSize, m.Arch.Input[0], opt.Seed, epoch)
		if err != nil {
			return losses, err
		}
		if len(us) == 0 {
			return losses, errors.New("asr: no training string fits the model's input")
		}
		p := Progress{Epoch: epoch, Epochs: opt.Epochs, Batches: (len(us) + opt.BatchSize - 1) / opt.BatchSize}
		var sum float64
		for at := 0; at < len(us); at += opt.BatchSize {
			if err := ctx.Err(); err != nil {
				return losses, err
			}
			part := us[at:min(at+opt.BatchSize, len(us))]
			loss, err := step(m, adam, part, opt)
			if err != nil {
				return losses, fmt.Errorf("asr: epoch %d step %d: %w", epoch, p.Batch+1, err)
			}
			sum += loss * float64(len(part))
			p.Batch++
			p.BatchLoss, p.Loss = loss, sum/float64(at+len(part))
			if opt.Progress != nil {
				opt.Progress(p)
			}
		}
		losses = append(losses, p.Loss)
		p.EpochDone = true
		if opt.Progress != nil {
			opt.Progress(p)
		}
	}
	return losses, nil
}

// step takes one Adam step on the mean CTC loss of us and returns that
// loss.
func step(m *nn.Model, adam *nn.Adam, us []fsdd.Utterance, opt TrainOptions) (float64, error) {
	b, err := Assemble(m.Arch, us)
	if err != nil {
		return 0, err
	}
	total, g, err := m.LossGradients(b.X, ctcLoss(b), nn.GradientOptions{Workers: opt.Workers})
	if err != nil {
		return 0, err
	}
	loss := total / float64(len(us))
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return 0, fmt.Errorf("CTC loss %v", loss)
	}
	clip(g.Params, opt.ClipNorm)
	m.Step(adam, g.Params)
	return loss, nil
}

// ctcLoss returns the loss of a step for LossGradients: the CTC loss of
// each utterance of b on its own frames, its gradient divided by the
// batch's size (the gradient of the mean, as nn.CTCBatch computes it), no
// gradient on the padding's frames.
func ctcLoss(b *Batch) nn.SampleLoss {
	n := float32(len(b.Labels))
	return func(s int, out, up []float32) (float64, error) {
		l, g, err := nn.CTCLoss(out[:b.Frames[s]*Classes], Classes, b.Labels[s], Blank)
		if err != nil {
			return 0, err
		}
		for j, v := range g {
			up[j] = v / n
		}
		clear(up[len(g):])
		return l, nil
	}
}

// clip scales grads so that their global L2 norm (summed in order, in
// float64) is at most maxNorm; a negative maxNorm leaves them.
func clip(grads [][]float32, maxNorm float64) {
	if maxNorm < 0 {
		return
	}
	var ss float64
	for _, g := range grads {
		for _, v := range g {
			ss += float64(v) * float64(v)
		}
	}
	norm := math.Sqrt(ss)
	if norm <= maxNorm {
		return
	}
	s := float32(maxNorm / norm)
	for _, g := range grads {
		for i := range g {
			g[i] *= s
		}
	}
}
