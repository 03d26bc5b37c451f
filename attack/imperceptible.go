package attack

import (
	"context"
	"fmt"
	"math"
	"slices"

	"subsetscan/data"
	"subsetscan/internal/par"
	"subsetscan/nn"
)

// Imperceptible is the two-stage targeted audio attack of Qin, Carlini,
// Cottrell, Goodfellow and Raffel (2019, "Imperceptible, robust, and
// targeted adversarial examples for automatic speech recognition").
// Stage 1 is Stage1, a CWAudio. Stage 2 starts from each of its
// successes and minimises
//
//	CTC(x + δ, target) + α·ℓ_θ(x, δ)
//
// by Adam on δ, ℓ_θ the masking loss of Masker (Masking.Loss: the power
// of δ above the frequency-masking threshold θ_x, averaged over the STFT's
// frames and bins), δ bounded by Stage1's starting bound τ₀ (StartDB; the
// paper's code keeps its initial bound in stage 2 rather than stage 1's
// last, so the perturbation may grow where x masks it) and x + δ by
// [−1, 1]. Each utterance has its own α, adapted as the paper does: every
// Raise steps, if x + δ is transcribed as the target, α grows by Up and
// δ is kept if its masking loss is the lowest so far; every Lower steps,
// if it is not, α shrinks by Down, to no less than MinAlpha. The result
// is the kept δ of lowest masking loss, stage 1's example when none beats
// it, so every stage-1 success stays a success.
type Imperceptible struct {
	Stage1   CWAudio
	Steps    int     // stage-2 Adam steps, at least 0
	LR       float32 // stage-2 learning rate
	Alpha    float64 // the first α, positive
	Raise    int     // steps between two raises of α on success, at least 1
	Lower    int     // steps between two cuts of α on failure, at least 1
	Up, Down float64 // α's factors: Up > 1, Down in (0, 1)
	MinAlpha float64 // α's floor, at least 0
	Masker   Psychoacoustic
}

// NewImperceptible returns the attack with Qin et al.'s stage-2 schedule
// on samples scaled to [−1, 1): learning rate 1/32768, α from 0.05, up by
// 1.2 every 20 steps of success, down by 0.8 (to at least 0.0005) every
// 50 steps of failure, the masking model of NewPsychoacoustic(rate), and
// NewCWAudio(blank) as stage 1. Steps is 300, not the paper's 4000: on
// ds-fsdd 300 already cut the masking loss a median 430-fold
// (attack/doc.go) at about 5 CPU-seconds per utterance.
func NewImperceptible(blank, rate int) Imperceptible {
	return Imperceptible{Stage1: NewCWAudio(blank), Steps: 300, LR: 1.0 / 32768, Alpha: 0.05, Raise: 20, Lower: 50,
		Up: 1.2, Down: 0.8, MinAlpha: 0.0005, Masker: NewPsychoacoustic(rate)}
}

// IAResult is what Imperceptible.Generate returns. Stage 2 runs on the
// successes of stage 1 only; the other utterances keep x, NaN losses and
// α, and step 0.
type IAResult struct {
	Stage1      *CWResult
	Adversarial *data.Array // the kept x + δ of each stage-1 success; x where none
	Success     []bool      // stage 1's successes (stage 2 keeps them all)
	DBx         []float64   // dB_x(δ) of the kept δ; NaN where none
	Loss0       []float64   // masking loss of stage 1's δ
	Loss        []float64   // masking loss of the kept δ (≤ Loss0), before its rounding to 16 bits
	Alpha       []float64   // α after the last step
	Step        []int       // the stage-2 step of the kept example (0: stage 1's)
}

func (a Imperceptible) check() error {
	if a.Steps < 0 || !(a.LR > 0) || !(a.Alpha > 0) || a.Raise < 1 || a.Lower < 1 ||
		!(a.Up > 1) || !(a.Down > 0 && a.Down < 1) || !(a.MinAlpha >= 0) {
		return fmt.Errorf("attack: Imperceptible: steps %d, lr %v, alpha %v, raise %d, lower %d, up %v, down %v, min alpha %v",
			a.Steps, a.LR, a.Alpha, a.Raise, a.Lower, a.Up, a.Down, a.MinAlpha)
	}
	if err := a.Masker.check(); err != nil {
		return fmt.Errorf("attack: Imperceptible: %w", err)
	}
	return nil
}

// Generate runs stage 1 (Stage1.Generate, whose arguments and errors are
// the same) and then stage 2 on its successes.
func (a Imperceptible) Generate(ctx context.Context, m *nn.Model, x *data.Array, lengths, frames []int, targets [][]int) (*IAResult, error) {
	if err := a.check(); err != nil {
		return nil, err
	}
	s1, err := a.Stage1.Generate(ctx, m, x, lengths, frames, targets)
	if err != nil {
		return nil, err
	}
	n := x.Len()
	res := &IAResult{Stage1: s1, Adversarial: &data.Array{Shape: slices.Clone(x.Shape), Data: slices.Clone(s1.Adversarial.Data)},
		Success: slices.Clone(s1.Success), DBx: slices.Clone(s1.DBx), Loss0: nanSlice(n), Loss: nanSlice(n),
		Alpha: nanSlice(n), Step: make([]int, n)}
	var idx []int
	for i, ok := range s1.Success {
		if ok {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return res, nil
	}
	st, err := a.newStage2(x, s1.Adversarial, idx, lengths, frames, targets, m)
	if err != nil {
		return nil, err
	}
	if err := st.run(ctx, m); err != nil {
		return nil, err
	}
	st.fill(res)
	return res, nil
}

func nanSlice(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}

// stage2 is the state of stage 2 on the stage-1 successes idx.
type stage2 struct {
	a          Imperceptible
	idx        []int
	r          *cwRun // x, δ, τ₀, the CTC gradient; its result unused
	masks      []*Masking
	alpha      []float64
	best, loss []float64
	loss0      []float64 // the masking loss of stage 1's example
	bestStep   []int
	bestX      *data.Array
	mgrad      [][]float32
}

func (a Imperceptible) newStage2(x, adv *data.Array, idx, lengths, frames []int, targets [][]int, m *nn.Model) (*stage2, error) {
	k, rs := len(idx), x.RowSize()
	sx := data.NewArray(append([]int{k}, x.Shape[1:]...)...)
	sl, sf, sts := make([]int, k), make([]int, k), make([][]int, k)
	for j, i := range idx {
		copy(sx.Row(j), x.Row(i))
		sl[j], sf[j], sts[j] = lengths[i], frames[i], targets[i]
	}
	c1 := a.Stage1
	c1.C = 0
	classes, _ := checkOutput(m, sf, sts, c1.Blank)
	st := &stage2{a: a, idx: idx, r: newCWRun(c1, sx, sl, sf, sts, classes), masks: make([]*Masking, k),
		alpha: make([]float64, k), best: make([]float64, k), loss: make([]float64, k), loss0: make([]float64, k), bestStep: make([]int, k),
		bestX: data.NewArray(sx.Shape...), mgrad: make([][]float32, k)}
	errs := make([]error, k)
	par.For(k, a.Stage1.Workers, func() struct{} { return struct{}{} }, func(_ struct{}, j int) {
		st.masks[j], errs[j] = a.Masker.Threshold(sx.Row(j)[:sl[j]])
		if errs[j] != nil {
			return
		}
		i := idx[j]
		d := st.r.params[j]
		for t := range d {
			d[t] = adv.Row(i)[t] - x.Row(i)[t]
		}
		st.mgrad[j] = make([]float32, sl[j])
		st.best[j] = st.masks[j].Loss(d, nil)
		st.loss0[j] = st.best[j]
		st.alpha[j] = a.Alpha
		copy(st.bestX.Row(j), adv.Row(i)[:rs])
	})
	for j, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("attack: Imperceptible: utterance %d: %w", idx[j], err)
		}
	}
	return st, nil
}

// run takes the stage-2 steps, then a last check.
func (st *stage2) run(ctx context.Context, m *nn.Model) error {
	a := st.a
	adam := nn.NewAdam()
	adam.LR = a.LR
	for it := 0; it <= a.Steps; it++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		xa := st.r.current()
		logits, err := m.Predict(xa, a.Stage1.Workers)
		if err != nil {
			return err
		}
		st.maskLosses(it < a.Steps)
		st.check(logits, xa, it, it == a.Steps)
		if it == a.Steps {
			return nil
		}
		grads, err := st.r.gradients(m, xa, logits)
		if err != nil {
			return err
		}
		for j, g := range grads {
			al := float32(st.alpha[j])
			for t, v := range st.mgrad[j] {
				g[t] += al * v
			}
		}
		adam.Step(st.r.params, grads)
		st.r.clip()
	}
	return nil
}

// maskLosses computes each utterance's masking loss of its current δ and,
// if grad, its gradient.
func (st *stage2) maskLosses(grad bool) {
	par.For(len(st.masks), st.a.Stage1.Workers, func() struct{} { return struct{}{} }, func(_ struct{}, j int) {
		var g []float32
		if grad {
			g = st.mgrad[j]
		}
		st.loss[j] = st.masks[j].Loss(st.r.params[j], g)
	})
}

// check adapts α after step it (the number of steps taken) and keeps each
// successful δ of a lower masking loss; last checks success only.
func (st *stage2) check(logits, xa *data.Array, it int, last bool) {
	a, r := st.a, st.r
	raise, lower := it%a.Raise == 0 || last, it%a.Lower == 0 && !last
	if !raise && !lower {
		return
	}
	for j, t := range r.targets {
		got := nn.GreedyDecode(logits.Row(j)[:r.frames[j]*r.classes], r.classes, a.Stage1.Blank)
		ok := slices.Equal(got, t)
		switch {
		case ok && raise:
			if !last {
				st.alpha[j] *= a.Up
			}
			if st.loss[j] < st.best[j] {
				st.best[j], st.bestStep[j] = st.loss[j], it
				copy(st.bestX.Row(j), xa.Row(j))
			}
		case !ok && lower:
			st.alpha[j] = max(st.alpha[j]*a.Down, a.MinAlpha)
		}
	}
}

// fill writes the kept examples into res.
func (st *stage2) fill(res *IAResult) {
	for j, i := range st.idx {
		copy(res.Adversarial.Row(i), st.bestX.Row(j))
		n, x := st.r.lengths[j], st.r.x.Row(j)
		var d float64
		for t, v := range st.bestX.Row(j)[:n] {
			d = max(d, math.Abs(float64(v)-float64(x[t])))
		}
		res.DBx[i] = 20*math.Log10(d) - 20*math.Log10(st.r.peak[j])
		res.Loss0[i], res.Loss[i], res.Alpha[i], res.Step[i] = st.loss0[j], st.best[j], st.alpha[j], st.bestStep[j]
	}
}
