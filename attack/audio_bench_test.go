package attack_test

import (
	"testing"

	"subsetscan/attack"
	"subsetscan/data"
	"subsetscan/internal/cputime"
	"subsetscan/nn"
	"subsetscan/nn/asr"
)

// benchUtterances returns a ds-fsdd model of seeded random weights (the
// cost does not depend on them) and n utterances of 2 s of tone and
// noise, each with its own frames and, as target, the model's own greedy
// transcription of it: stage 1 then succeeds at once and stage 2 runs on
// every utterance.
func benchUtterances(b *testing.B, n int) (*nn.Model, *data.Array, []int, []int, [][]int) {
	m, err := nn.New(asr.DSArch)
	if err != nil {
		b.Fatal(err)
	}
	m.InitGlorot(7)
	x := data.NewArray(n, asr.DSSamples)
	lengths, frames := make([]int, n), make([]int, n)
	mel, _ := asr.MelOf(asr.DSArch)
	for i := range n {
		lengths[i] = 16000
		copy(x.Row(i), tone(lengths[i], 300+100*float64(i), 0.3, 0.02, uint64(i)))
		frames[i] = asr.Frames(mel, lengths[i], asr.DSSamples)
	}
	logits, err := m.Predict(x, 0)
	if err != nil {
		b.Fatal(err)
	}
	targets := make([][]int, n)
	for i := range n {
		targets[i] = nn.GreedyDecode(logits.Row(i)[:frames[i]*asr.Classes], asr.Classes, asr.Blank)
	}
	return m, x, lengths, frames, targets
}

// BenchmarkAudioStep measures one step of CWAudio and of Imperceptible's
// stage 2 on ds-fsdd (input 28800 samples) for 4 utterances of 16000
// samples at a time, on every core: each step is a forward pass, a
// forward and backward pass (the CTC gradient w.r.t. the waveform) and,
// in stage 2, the masking loss and its gradient; cw-one-at-a-time attacks
// the 4 utterances one after the other instead. It reports CPU
// milliseconds per utterance-step; ×steps×utterances is an attack's cost.
func BenchmarkAudioStep(b *testing.B) {
	const n, steps = 4, 10
	m, x, lengths, frames, targets := benchUtterances(b, n)
	cw := attack.NewCWAudio(asr.Blank)
	cw.Steps, cw.Check = steps, steps
	b.Run("cw", func(b *testing.B) {
		benchSteps(b, n*(steps+1), func() error {
			_, err := cw.Generate(b.Context(), m, x, lengths, frames, targets)
			return err
		})
	})
	b.Run("cw-one-at-a-time", func(b *testing.B) {
		benchSteps(b, n*(steps+1), func() error {
			for i := range n {
				xi := &data.Array{Shape: []int{1, asr.DSSamples}, Data: x.Row(i)}
				if _, err := cw.Generate(b.Context(), m, xi, lengths[i:i+1], frames[i:i+1], targets[i:i+1]); err != nil {
					return err
				}
			}
			return nil
		})
	})
	ia := attack.NewImperceptible(asr.Blank, 8000)
	ia.Stage1.Steps, ia.Stage1.Check, ia.Steps = 1, 1, steps
	b.Run("ia-stage2", func(b *testing.B) {
		// stage 1: 2 forward passes and a backward pass; stage 2: steps
		// of them and a last forward pass.
		benchSteps(b, n*(steps+2), func() error {
			r, err := ia.Generate(b.Context(), m, x, lengths, frames, targets)
			if err == nil && !r.Success[0] {
				b.Fatal("stage 1 failed: stage 2 did not run")
			}
			return err
		})
	})
	b.Run("masking-loss", func(b *testing.B) {
		mk, err := ia.Masker.Threshold(x.Row(0)[:lengths[0]])
		if err != nil {
			b.Fatal(err)
		}
		d, g := make([]float32, lengths[0]), make([]float32, lengths[0])
		for i := range d {
			d[i] = 0.01 * x.Row(1)[i]
		}
		benchSteps(b, 1, func() error { mk.Loss(d, g); return nil })
	})
	b.Run("threshold", func(b *testing.B) {
		benchSteps(b, 1, func() error { _, err := ia.Masker.Threshold(x.Row(0)[:lengths[0]]); return err })
	})
}

// benchSteps runs f, which takes k utterance-steps, b.N times and reports
// CPU milliseconds per utterance-step.
func benchSteps(b *testing.B, k int, f func() error) {
	cpu0 := cputime.Used()
	for b.Loop() {
		if err := f(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cputime.Used()-cpu0).Milliseconds())/float64(k*b.N), "cpu-ms/utt-step")
}
