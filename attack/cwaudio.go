package attack

import (
	"context"
	"fmt"
	"math"
	"slices"

	"subsetscan/data"
	"subsetscan/nn"
)

// CWAudio is the targeted audio attack of Carlini and Wagner (2018,
// "Audio adversarial examples: targeted attacks on speech-to-text") on a
// CTC recogniser whose last layer gives linear logits [T, classes] from a
// waveform: for each utterance x it looks for a perturbation δ of its
// own samples (the padding after them is left alone) minimising
//
//	CTC(x + δ, target) + C·‖δ‖²   subject to ‖δ‖∞ ≤ τ,
//
// by Adam on δ (clipped to [−τ, τ] and x + δ to [−1, 1] after each step).
// τ starts at StartDB decibels relative to the utterance, dB_x(δ) =
// 20·log10 max|δ| − 20·log10 max|x|, and every Check steps the greedy
// transcription of x + δ (over the utterance's own frames) is compared
// with the target: on success the example is kept and τ shrinks to
// Shrink·max|δ|, so the attack goes on looking for a quieter one. The
// result is the quietest successful example of Steps steps.
//
// The network sees x + δ rounded to 16 bits (Quantize16; the gradient
// passes straight through the rounding), as Carlini and Wagner require
// valid 16-bit audio: a success is then one as a 16-bit WAV file too
// (checking the float waveform instead, 4 of 19 successes on 20 strings
// of ds-fsdd's attack pool failed once rounded). Each utterance's CTC
// loss is its own, not the batch's mean, so its example does not depend
// on the utterances attacked with it.
type CWAudio struct {
	Steps   int     // Adam steps, at least 1
	Check   int     // steps between two checks of success, at least 1
	LR      float32 // Adam's learning rate on δ (samples are in [−1, 1))
	C       float64 // weight of ‖δ‖², at least 0
	StartDB float64 // the first bound τ, in dB relative to max|x| (below 0)
	Shrink  float64 // factor of τ after a success, in (0, 1)
	Blank   int     // the CTC blank class
	Workers int     // goroutines (0 means GOMAXPROCS); the result does not depend on it
}

// NewCWAudio returns the attack with Carlini and Wagner's schedule scaled
// to samples in [−1, 1), learning rate 10/32768, checks every 10 steps,
// τ from −10 dB shrinking by 0.8, and C 0, but 400 steps rather than
// their 1000: a step costs some 14 CPU-ms per utterance of ds-fsdd (a
// forward pass, then a forward and a backward pass; BenchmarkAudioStep),
// so 400 keep the 120 utterances of an experiment within about 15
// CPU-minutes; attack/doc.go has the success rate measured.
func NewCWAudio(blank int) CWAudio {
	return CWAudio{Steps: 400, Check: 10, LR: 10.0 / 32768, StartDB: -10, Shrink: 0.8, Blank: blank}
}

// CWResult is what CWAudio.Generate returns.
type CWResult struct {
	Adversarial *data.Array // x + δ of the quietest success; x where none
	Success     []bool
	DBx         []float64 // dB_x(δ) of each success; NaN where none
	Step        []int     // the step at which each success was found (0 after none)
}

// Generate attacks each utterance x.Row(i), of lengths[i] samples and
// frames[i] frames before its padding, towards the labelling targets[i].
// It returns an error for a malformed argument or a target the frames
// cannot hold, and ctx's error when ctx is cancelled (between steps).
func (a CWAudio) Generate(ctx context.Context, m *nn.Model, x *data.Array, lengths, frames []int, targets [][]int) (*CWResult, error) {
	if err := a.check(x, lengths, frames, targets); err != nil {
		return nil, err
	}
	classes, err := checkOutput(m, frames, targets, a.Blank)
	if err != nil {
		return nil, fmt.Errorf("attack: CWAudio: %w", err)
	}
	r := newCWRun(a, x, lengths, frames, targets, classes)
	adam := nn.NewAdam()
	adam.LR = a.LR
	for it := 1; it <= a.Steps; it++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		xa := r.current()
		logits, err := m.Predict(xa, a.Workers)
		if err != nil {
			return nil, err
		}
		if it%a.Check == 0 {
			r.checkSuccess(logits, xa, it-1)
		}
		grads, err := r.gradients(m, xa, logits)
		if err != nil {
			return nil, err
		}
		adam.Step(r.params, grads)
		r.clip()
	}
	xa := r.current()
	logits, err := m.Predict(xa, a.Workers)
	if err != nil {
		return nil, err
	}
	r.checkSuccess(logits, xa, a.Steps)
	return &r.res, nil
}

// check checks Generate's arguments.
func (a CWAudio) check(x *data.Array, lengths, frames []int, targets [][]int) error {
	switch {
	case a.Steps < 1 || a.Check < 1 || !(a.LR > 0) || !(a.C >= 0):
		return fmt.Errorf("attack: CWAudio: steps %d, check %d, lr %v, c %v", a.Steps, a.Check, a.LR, a.C)
	case !(a.StartDB < 0) || !(a.Shrink > 0 && a.Shrink < 1):
		return fmt.Errorf("attack: CWAudio: start %v dB must be below 0 and shrink %v in (0, 1)", a.StartDB, a.Shrink)
	}
	if err := checkUtterances(x, lengths, frames, targets); err != nil {
		return fmt.Errorf("attack: CWAudio: %w", err)
	}
	return nil
}

// checkUtterances checks that there are as many lengths, frame counts
// and targets as utterances, and that each utterance fits its row and is
// not silent.
func checkUtterances(x *data.Array, lengths, frames []int, targets [][]int) error {
	n := x.Len()
	if len(lengths) != n || len(frames) != n || len(targets) != n {
		return fmt.Errorf("%d utterances, %d lengths, %d frame counts, %d targets", n, len(lengths), len(frames), len(targets))
	}
	for i, l := range lengths {
		if l < 1 || l > x.RowSize() {
			return fmt.Errorf("utterance %d of %d samples in an input of %d", i, l, x.RowSize())
		}
		if maxAbs(x.Row(i)[:l]) == 0 {
			return fmt.Errorf("utterance %d is silent: dB_x is not defined", i)
		}
	}
	return nil
}

// checkOutput checks that m gives logits [T, classes] with the blank
// among the classes, that each utterance's frames are in [1, T], and that
// each target is a labelling of non-blank classes its frames can hold. It
// returns the classes.
func checkOutput(m *nn.Model, frames []int, targets [][]int, blank int) (int, error) {
	names := m.LayerNames()
	shape, _ := m.OutputShape(names[len(names)-1])
	if len(shape) != 2 || blank < 0 || blank >= shape[1] {
		return 0, fmt.Errorf("%s gives output %v, want [frames, classes] with the blank %d among the classes", m.Arch.Name, shape, blank)
	}
	T, classes := shape[0], shape[1]
	for i, f := range frames {
		if f < 1 || f > T {
			return 0, fmt.Errorf("utterance %d: %d frames of the model's %d", i, f, T)
		}
		need := len(targets[i])
		for j, k := range targets[i] {
			if k < 0 || k >= classes || k == blank {
				return 0, fmt.Errorf("utterance %d: target label %d is not a class of [0, %d) other than the blank", i, k, classes)
			}
			if j > 0 && k == targets[i][j-1] {
				need++
			}
		}
		if need > f {
			return 0, fmt.Errorf("utterance %d: target %v needs %d frames, it has %d", i, targets[i], need, f)
		}
	}
	return classes, nil
}

// cwRun is the state of one CWAudio.Generate.
type cwRun struct {
	a               CWAudio
	x, delta        *data.Array
	lengths, frames []int
	targets         [][]int
	classes         int
	tau, peak       []float64   // the bound of each δ, max|x| of each utterance
	params          [][]float32 // δ of each utterance's own samples
	res             CWResult
}

func newCWRun(a CWAudio, x *data.Array, lengths, frames []int, targets [][]int, classes int) *cwRun {
	n := x.Len()
	r := &cwRun{a: a, x: x, delta: data.NewArray(x.Shape...), lengths: lengths, frames: frames, targets: targets,
		classes: classes, tau: make([]float64, n), peak: make([]float64, n), params: make([][]float32, n)}
	r.res = CWResult{Adversarial: &data.Array{Shape: slices.Clone(x.Shape), Data: slices.Clone(x.Data)},
		Success: make([]bool, n), DBx: make([]float64, n), Step: make([]int, n)}
	for i := range n {
		r.peak[i] = maxAbs(x.Row(i)[:lengths[i]])
		r.tau[i] = r.peak[i] * math.Pow(10, a.StartDB/20)
		r.params[i] = r.delta.Row(i)[:lengths[i]]
		r.res.DBx[i] = math.NaN()
	}
	return r
}

// current returns x + δ on each utterance's own samples, rounded to 16
// bits (round16), and x on the padding.
func (r *cwRun) current() *data.Array {
	xa := &data.Array{Shape: slices.Clone(r.x.Shape), Data: slices.Clone(r.x.Data)}
	for i, d := range r.params {
		row, x := xa.Row(i), r.x.Row(i)
		for j, v := range d {
			row[j] = round16(x[j] + v)
		}
	}
	return xa
}

// round16 rounds v to the nearest 16-bit sample value (Quantize16).
func round16(v float32) float32 {
	return float32(min(max(math.Round(float64(v)*32768), -32768), 32767) / 32768)
}

// checkSuccess keeps each utterance whose greedy transcription is its
// target and shrinks its bound; step is the number of steps taken.
func (r *cwRun) checkSuccess(logits, xa *data.Array, step int) {
	for i, t := range r.targets {
		got := nn.GreedyDecode(logits.Row(i)[:r.frames[i]*r.classes], r.classes, r.a.Blank)
		if !slices.Equal(got, t) {
			continue
		}
		x, n := r.x.Row(i), r.lengths[i]
		db := DBx(x[:n], xa.Row(i)[:n])
		d := r.peak[i] * math.Pow(10, db/20)
		if r.res.Success[i] && !(db < r.res.DBx[i]) {
			continue
		}
		r.res.Success[i], r.res.DBx[i], r.res.Step[i] = true, db, step
		copy(r.res.Adversarial.Row(i), xa.Row(i))
		r.tau[i] = r.a.Shrink * d
	}
	r.clip()
}

// gradients returns the gradient of each utterance's CTC loss plus
// C·‖δ‖² w.r.t. its δ. Each utterance's CTC loss is its own (not the
// batch's mean), so an utterance's trajectory does not depend on the
// others of its batch: the driver's chunk size does not change results.
func (r *cwRun) gradients(m *nn.Model, xa, logits *data.Array) ([][]float32, error) {
	up := data.NewArray(logits.Shape...)
	for i, t := range r.targets {
		_, g, err := nn.CTCLoss(logits.Row(i)[:r.frames[i]*r.classes], r.classes, t, r.a.Blank)
		if err != nil {
			return nil, fmt.Errorf("attack: utterance %d: %w", i, err)
		}
		copy(up.Row(i), g)
	}
	g, err := m.InputGradient(xa, up, false, r.a.Workers)
	if err != nil {
		return nil, err
	}
	grads := make([][]float32, len(r.params))
	for i, d := range r.params {
		gi := g.Row(i)[:len(d)]
		for j, v := range d {
			gi[j] += float32(2*r.a.C) * v
		}
		grads[i] = gi
	}
	return grads, nil
}

// clip bounds each δ by its τ and each x + δ by [−1, 1].
func (r *cwRun) clip() {
	for i, d := range r.params {
		tau, x := float32(r.tau[i]), r.x.Row(i)
		for j, v := range d {
			v = min(max(v, -tau), tau)
			d[j] = min(max(x[j]+v, -1), 1) - x[j]
		}
	}
}

// maxAbs returns max |v| over v, 0 for an empty v.
func maxAbs(v []float32) float64 {
	var m float64
	for _, x := range v {
		m = max(m, math.Abs(float64(x)))
	}
	return m
}
