package nn_test

import (
	"math/rand/v2"
	"testing"

	"subsetscan/data"
	"subsetscan/internal/cputime"
	"subsetscan/nn"
)

// BenchmarkRecurrent runs a recurrent layer (LSTM, BiLSTM, GRU) of 128
// units over 100 frames of 64 features, returning sequences, on 16
// samples: forward (Predict), and forward and backward (Gradients of the
// params and the input), on every core. It reports samples (sequences)
// per second and per CPU second.
func BenchmarkRecurrent(b *testing.B) {
	for _, kind := range []string{nn.LSTM, nn.BiLSTM, nn.GRU} {
		arch := nn.Arch{Name: kind, Input: []int{100, 64}, Layers: []nn.LayerSpec{{Name: "l", Kind: kind, Units: 128, ReturnSequences: true}}}
		m, err := nn.New(arch)
		if err != nil {
			b.Fatal(err)
		}
		m.InitGlorot(1)
		const n = 16
		rng := rand.New(rand.NewPCG(1, 1))
		out, _ := m.OutputShape("l")
		x, up := randomArray(rng, n, 100, 64), randomArray(rng, append([]int{n}, out...)...)
		b.Run(kind+"/forward", func(b *testing.B) {
			benchSamples(b, n, func() error { _, err := m.Predict(x, 0); return err })
		})
		b.Run(kind+"/backward", func(b *testing.B) {
			benchSamples(b, n, func() error {
				_, err := m.Gradients(x, up, nn.GradientOptions{Input: true})
				return err
			})
		})
	}
}

// randomArray returns an array of the shape with seeded values in [−1, 1).
func randomArray(rng *rand.Rand, shape ...int) *data.Array {
	a := data.NewArray(shape...)
	for i := range a.Data {
		a.Data[i] = 2*rng.Float32() - 1
	}
	return a
}

// benchSamples runs f, which processes n samples, b.N times and reports
// samples per second and per CPU second.
func benchSamples(b *testing.B, n int, f func() error) {
	b.ReportAllocs()
	cpu0 := cputime.Used()
	for b.Loop() {
		if err := f(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "samples/s")
	b.ReportMetric(float64(n*b.N)/(cputime.Used()-cpu0).Seconds(), "samples/cpu-s")
}

// BenchmarkCTC computes the CTC loss and its gradient for 100 frames of
// 28 classes (a blank, 26 letters and a space: DeepSpeech's alphabet) and
// a labelling of 15 labels, and decodes the frames greedily and with a
// beam of 16.
func BenchmarkCTC(b *testing.B) {
	const T, C = 100, 28
	rng := rand.New(rand.NewPCG(2, 2))
	logits := randomArray(rng, T, C).Data
	labels := make([]int, 15)
	for i := range labels {
		labels[i] = 1 + rng.IntN(C-1)
	}
	b.Run("loss", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := nn.CTCLoss(logits, C, labels, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("greedy", func(b *testing.B) {
		for b.Loop() {
			nn.GreedyDecode(logits, C, 0)
		}
	})
	b.Run("beam16", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			nn.BeamDecode(logits, C, 0, 16)
		}
	})
}
