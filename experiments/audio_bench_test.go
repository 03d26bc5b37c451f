package experiments

import (
	"math/rand/v2"
	"testing"

	"subsetscan/data"
)

// BenchmarkSummaryStats measures the summary nodes of ds-fsdd's background
// in one layer: 800 utterances of 179 time steps × 128 units, each with
// 50 to 179 own frames (the audio kind computes them for every scanned
// layer, of the background and the evaluation utterances).
func BenchmarkSummaryStats(b *testing.B) {
	const n, steps, units = 800, 179, 128
	rng := rand.New(rand.NewPCG(1, 2))
	a := data.NewArray(n, steps*units)
	for i := range a.Data {
		a.Data[i] = float32(rng.NormFloat64())
	}
	frames := make([]int, n)
	for i := range frames {
		frames[i] = 50 + rng.IntN(steps-50+1)
	}
	b.SetBytes(int64(len(a.Data) * 4))
	for b.Loop() {
		if _, err := summaryStats(a, frames, steps, 0); err != nil {
			b.Fatal(err)
		}
	}
}
