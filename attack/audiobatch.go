package attack

import (
	"context"
	"encoding/gob"
	"fmt"
	"io"
	"math"
	"slices"

	"subsetscan/data"
	"subsetscan/internal/par"
	"subsetscan/nn"
)

// AudioAttack is a targeted attack on waveforms that AttackAudio runs:
// CWAudio or Imperceptible (its methods are unexported: the driver relies
// on how those two report their results).
type AudioAttack interface {
	generateAudio(ctx context.Context, m *nn.Model, x *data.Array, lengths, frames []int, targets [][]int) (*audioOut, error)
	blank() int
	workers() int
	masker() (Psychoacoustic, bool)
}

// audioOut is an attack's result on one chunk, before quantisation.
type audioOut struct {
	adv, stage1 *data.Array // stage1: stage 1's examples (Imperceptible), else nil
	found       []bool
	alpha       []float64
	step        []int
}

func (a CWAudio) generateAudio(ctx context.Context, m *nn.Model, x *data.Array, lengths, frames []int, targets [][]int) (*audioOut, error) {
	r, err := a.Generate(ctx, m, x, lengths, frames, targets)
	if err != nil {
		return nil, err
	}
	return &audioOut{adv: r.Adversarial, found: r.Success, alpha: nanSlice(x.Len()), step: r.Step}, nil
}

func (a CWAudio) blank() int                     { return a.Blank }
func (a CWAudio) workers() int                   { return a.Workers }
func (a CWAudio) masker() (Psychoacoustic, bool) { return Psychoacoustic{}, false }

func (a Imperceptible) generateAudio(ctx context.Context, m *nn.Model, x *data.Array, lengths, frames []int, targets [][]int) (*audioOut, error) {
	r, err := a.Generate(ctx, m, x, lengths, frames, targets)
	if err != nil {
		return nil, err
	}
	return &audioOut{adv: r.Adversarial, stage1: r.Stage1.Adversarial, found: r.Success, alpha: r.Alpha, step: r.Step}, nil
}

func (a Imperceptible) blank() int                     { return a.Stage1.Blank }
func (a Imperceptible) workers() int                   { return a.Stage1.Workers }
func (a Imperceptible) masker() (Psychoacoustic, bool) { return a.Masker, true }

// AudioExample is the outcome of attacking one utterance, its example
// quantised to 16 bits (Quantize16), as a WAV file would hold it.
type AudioExample struct {
	// Found: the attack kept an example (the float waveform was
	// transcribed as the target).
	Found bool
	// Success: the 16-bit example is transcribed as the target.
	Success bool
	// DBx is dB_x of the 16-bit perturbation, NaN where not Found.
	DBx float64
	// Loss0 and Loss are the masking losses (Masking.Loss) of the 16-bit
	// stage-1 and final examples, Alpha the final α: Imperceptible's
	// Found examples only, NaN otherwise.
	Loss0, Loss, Alpha float64
	// Step is the step at which the example was found (for
	// Imperceptible, its stage-2 step; 0 is stage 1's example).
	Step int
	// Samples is the 16-bit example, the utterance's own samples, where
	// Found; nil otherwise.
	Samples []int16
}

// AudioChunk is the examples of one chunk of AttackAudio: utterances
// Start to Start+len(Examples)−1.
type AudioChunk struct {
	Index, Start int
	Examples     []AudioExample
}

// AudioBatch configures AttackAudio.
type AudioBatch struct {
	// Chunk is the number of utterances attacked together (0: 16). The
	// examples do not depend on it: each utterance's loss is its own.
	Chunk int
	// Resume, if not nil, is asked for each chunk before it is attacked:
	// a chunk it returns (from the caller's cache) is taken as done; nil
	// means attack it. It must be a chunk of the same utterances.
	Resume func(index int) (*AudioChunk, error)
	// Done, if not nil, is called with each chunk attacked (not those
	// resumed), in order, from AttackAudio's goroutine: the place to
	// persist progress. Its error stops AttackAudio.
	Done func(*AudioChunk) error
}

// AttackAudio attacks the utterances x.Row(i) (lengths[i] samples, then
// padding, frames[i] frames of their own) towards targets[i] with a,
// Chunk at a time, in order, and returns one example per utterance. The
// results are the same for any number of workers and any chunk size.
// Arguments are checked up front, errors naming the utterance; it returns
// ctx's error when ctx is cancelled (between steps), and the chunks done
// so far have then been passed to Done.
func AttackAudio(ctx context.Context, a AudioAttack, m *nn.Model, x *data.Array, lengths, frames []int, targets [][]int, opt AudioBatch) ([]AudioExample, error) {
	if err := checkUtterances(x, lengths, frames, targets); err != nil {
		return nil, fmt.Errorf("attack: %w", err)
	}
	classes, err := checkOutput(m, frames, targets, a.blank())
	if err != nil {
		return nil, fmt.Errorf("attack: %w", err)
	}
	job := audioJob{a: a, m: m, x: x, lengths: lengths, frames: frames, targets: targets, classes: classes}
	size := opt.Chunk
	if size == 0 {
		size = 16
	}
	if size < 1 {
		return nil, fmt.Errorf("attack: chunk of %d utterances", size)
	}
	n := x.Len()
	out := make([]AudioExample, 0, n)
	for c, start := 0, 0; start < n; c, start = c+1, start+size {
		end := min(start+size, n)
		chunk, err := resumed(opt.Resume, c, start, lengths[start:end])
		if err == nil && chunk == nil {
			chunk, err = job.attackChunk(ctx, c, start, end)
			if err == nil && opt.Done != nil {
				err = opt.Done(chunk)
			}
		}
		if err != nil {
			return nil, err
		}
		out = append(out, chunk.Examples...)
	}
	return out, nil
}

// resumed returns the chunk resume gives for index, checked against the
// utterances' lengths, or nil.
func resumed(resume func(int) (*AudioChunk, error), index, start int, lengths []int) (*AudioChunk, error) {
	if resume == nil {
		return nil, nil
	}
	c, err := resume(index)
	if err != nil || c == nil {
		return nil, err
	}
	if c.Index != index || c.Start != start || len(c.Examples) != len(lengths) {
		return nil, fmt.Errorf("attack: resumed chunk %d is chunk %d from utterance %d with %d examples, want utterance %d with %d",
			index, c.Index, c.Start, len(c.Examples), start, len(lengths))
	}
	for i, e := range c.Examples {
		if e.Samples != nil && len(e.Samples) != lengths[i] || e.Found != (e.Samples != nil) {
			return nil, fmt.Errorf("attack: resumed chunk %d: utterance %d has %d samples (found %v), want %d", index, start+i, len(e.Samples), e.Found, lengths[i])
		}
	}
	return c, nil
}

// rows returns rows [start, end) of x, sharing its data.
func rows(x *data.Array, start, end int) *data.Array {
	rs := x.RowSize()
	return &data.Array{Shape: append([]int{end - start}, x.Shape[1:]...), Data: x.Data[start*rs : end*rs]}
}

// audioJob is the arguments of AttackAudio.
type audioJob struct {
	a               AudioAttack
	m               *nn.Model
	x               *data.Array
	lengths, frames []int
	targets         [][]int
	classes         int
}

// attackChunk attacks utterances [start, end) and quantises the examples.
func (j audioJob) attackChunk(ctx context.Context, index, start, end int) (*AudioChunk, error) {
	a, m := j.a, j.m
	cx := rows(j.x, start, end)
	cl, cf, ct := j.lengths[start:end], j.frames[start:end], j.targets[start:end]
	res, err := a.generateAudio(ctx, m, cx, cl, cf, ct)
	if err != nil {
		return nil, fmt.Errorf("attack: chunk %d (utterances %d to %d): %w", index, start, end-1, err)
	}
	c := &AudioChunk{Index: index, Start: start, Examples: make([]AudioExample, end-start)}
	xq := &data.Array{Shape: slices.Clone(cx.Shape), Data: slices.Clone(cx.Data)}
	for i := range c.Examples {
		e := &c.Examples[i]
		e.Found, e.Step, e.Alpha = res.found[i], res.step[i], res.alpha[i]
		e.DBx, e.Loss0, e.Loss = math.NaN(), math.NaN(), math.NaN()
		if !e.Found {
			e.Step = 0
			continue
		}
		e.Samples = Quantize16(res.adv.Row(i)[:cl[i]])
		copy(xq.Row(i), Dequantize16(e.Samples))
		e.DBx = DBx(cx.Row(i)[:cl[i]], xq.Row(i)[:cl[i]])
	}
	if err := recheck(m, xq, cf, ct, j.classes, a.blank(), a.workers(), c.Examples); err != nil {
		return nil, fmt.Errorf("attack: chunk %d: %w", index, err)
	}
	if p, ok := a.masker(); ok {
		if err := maskLosses16(p, cx, res.stage1, xq, cl, a.workers(), c.Examples); err != nil {
			return nil, fmt.Errorf("attack: chunk %d (utterances %d to %d): %w", index, start, end-1, err)
		}
	}
	return c, nil
}

// recheck sets the Success of each Found example: its 16-bit waveform
// (a row of xq) is transcribed as its target.
func recheck(m *nn.Model, xq *data.Array, frames []int, targets [][]int, classes, blank, workers int, es []AudioExample) error {
	logits, err := m.Predict(xq, workers)
	if err != nil {
		return err
	}
	for i := range es {
		got := nn.GreedyDecode(logits.Row(i)[:frames[i]*classes], classes, blank)
		es[i].Success = es[i].Found && slices.Equal(got, targets[i])
	}
	return nil
}

// maskLosses16 sets Loss0 and Loss of each Found example: the masking
// losses of its 16-bit stage-1 and final perturbations.
func maskLosses16(p Psychoacoustic, x, stage1, xq *data.Array, lengths []int, workers int, es []AudioExample) error {
	errs := make([]error, len(es))
	par.For(len(es), workers, func() struct{} { return struct{}{} }, func(_ struct{}, i int) {
		if !es[i].Found {
			return
		}
		xi := x.Row(i)[:lengths[i]]
		mk, err := p.Threshold(xi)
		if err != nil {
			errs[i] = fmt.Errorf("utterance %d: %w", i, err)
			return
		}
		d := make([]float32, len(xi))
		for j, v := range Dequantize16(Quantize16(stage1.Row(i)[:lengths[i]])) {
			d[j] = v - xi[j]
		}
		es[i].Loss0 = mk.Loss(d, nil)
		for j, v := range xq.Row(i)[:lengths[i]] {
			d[j] = v - xi[j]
		}
		es[i].Loss = mk.Loss(d, nil)
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// DBx returns dB_x(xa − x) = 20·log10 max|xa − x| − 20·log10 max|x|:
// −Inf for xa = x, +Inf for a silent x.
func DBx(x, xa []float32) float64 {
	var d float64
	for i, v := range xa {
		d = max(d, math.Abs(float64(v)-float64(x[i])))
	}
	return 20*math.Log10(d) - 20*math.Log10(maxAbs(x))
}

// Quantize16 returns the 16-bit samples of the waveform x: round(32768·v)
// clipped to [−32768, 32767], as a 16-bit WAV file holds audio in
// [−1, 1).
func Quantize16(x []float32) []int16 {
	q := make([]int16, len(x))
	for i, v := range x {
		q[i] = int16(min(max(math.Round(float64(v)*32768), -32768), 32767))
	}
	return q
}

// Dequantize16 returns the waveform of 16-bit samples, v/32768.
func Dequantize16(q []int16) []float32 {
	x := make([]float32, len(q))
	for i, v := range q {
		x[i] = float32(v) / 32768
	}
	return x
}

// EncodeAudioChunk writes c in gob encoding (NaN and infinite values
// survive, unlike JSON): the same chunk gives the same bytes.
func EncodeAudioChunk(w io.Writer, c *AudioChunk) error {
	if err := gob.NewEncoder(w).Encode(c); err != nil {
		return fmt.Errorf("attack: encoding chunk %d: %w", c.Index, err)
	}
	return nil
}

// DecodeAudioChunk reads a chunk written by EncodeAudioChunk.
func DecodeAudioChunk(r io.Reader) (*AudioChunk, error) {
	var c AudioChunk
	if err := gob.NewDecoder(r).Decode(&c); err != nil {
		return nil, fmt.Errorf("attack: decoding an audio chunk: %w", err)
	}
	return &c, nil
}
