package asr_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"subsetscan/data"
	"subsetscan/internal/cputime"
	"subsetscan/nn"
	"subsetscan/nn/asr"
)

// BenchmarkLV runs lv-fsdd on one utterance (a waveform of DSSamples, a
// chirp in noise) per operation, forward (Predict) and forward and
// backward (Gradients of the params, as a training step needs, and of the
// input, as an attack needs), on one worker: the whole model, and its
// convolutions alone (the front end to conv2d_4), to see what dominates.
// It reports utterances per CPU second.
func BenchmarkLV(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 7))
	x := data.NewArray(1, asr.DSSamples)
	for i := range x.Data {
		t := float64(i) / 8000
		x.Data[i] = float32(0.3*math.Sin(2*math.Pi*(200+300*t)*t)) + 0.01*(2*rng.Float32()-1)
	}
	convs := asr.LVArch
	convs.Layers = convs.Layers[:slices.IndexFunc(convs.Layers, func(l nn.LayerSpec) bool { return l.Name == "conv2d_4" })+1]
	for _, tc := range []struct {
		name string
		arch nn.Arch
	}{{"model", asr.LVArch}, {"convs", convs}} {
		m, err := nn.New(tc.arch)
		if err != nil {
			b.Fatal(err)
		}
		m.InitGlorot(1)
		out, _ := m.OutputShape(tc.arch.Layers[len(tc.arch.Layers)-1].Name)
		up := data.NewArray(append([]int{1}, out...)...)
		for i := range up.Data {
			up.Data[i] = 2*rng.Float32() - 1
		}
		b.Run(tc.name+"/forward", func(b *testing.B) {
			benchUtterances(b, func() error { _, err := m.Predict(x, 1); return err })
		})
		b.Run(tc.name+"/backward", func(b *testing.B) {
			benchUtterances(b, func() error {
				_, err := m.Gradients(x, up, nn.GradientOptions{Input: true, Workers: 1})
				return err
			})
		})
	}
}

// benchUtterances runs f, which processes one utterance, b.N times and
// reports utterances per CPU second.
func benchUtterances(b *testing.B, f func() error) {
	b.ReportAllocs()
	cpu0 := cputime.Used()
	for b.Loop() {
		if err := f(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/(cputime.Used()-cpu0).Seconds(), "utt/cpu-s")
}
