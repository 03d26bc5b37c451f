package scan_test

import (
	"math/rand/v2"
	"sync"
	"testing"

	"subsetscan/scan"
)

// The benchmark sizes are those of the first autoencoder layer (28×28×16 =
// 12544 nodes) in the published protocol: 7000 background images, 3000
// evaluation images, groups of 100.
const (
	benchB = 7000
	benchN = 3000
	benchJ = 12544
)

var benchData = sync.OnceValues(func() ([]float32, []float32) {
	rng := rand.New(rand.NewPCG(11, 11))
	return randomActs(rng, benchB, benchJ, true), randomActs(rng, benchN, benchJ, true)
})

var benchRanges = sync.OnceValue(func() *scan.Ranges {
	bgActs, ev := benchData()
	bg, err := scan.NewBackground(bgActs, benchB, benchJ, 0)
	if err != nil {
		panic(err)
	}
	r, err := bg.PValues(ev, scan.Upper, 0)
	if err != nil {
		panic(err)
	}
	return r
})

// BenchmarkPValues measures sorting the 7000×12544 background and the
// p-value ranges of 3000 evaluation rows (target ≤ 0.8 s on 2 cores).
func BenchmarkPValues(b *testing.B) {
	bgActs, ev := benchData()
	b.ReportAllocs()
	for b.Loop() {
		bg, err := scan.NewBackground(bgActs, benchB, benchJ, 0)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := bg.PValues(ev, scan.Upper, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIndividual measures Berk-Jones individual scans of the 3000 rows
// (target ≤ 0.3 s on 2 cores).
func BenchmarkIndividual(b *testing.B) {
	r := benchRanges()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := scan.IndividualAll(r, scan.BerkJones{}, 0.5, 0, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGroup measures one group scan of 100 rows × 12544 nodes with 2
// restarts and reference thresholds (target ≤ 30 ms).
func BenchmarkGroup(b *testing.B) {
	full := benchRanges()
	const n = 100
	r := &scan.Ranges{N: n, J: benchJ, Min: full.Min[:n*benchJ], Max: full.Max[:n*benchJ], Denom: full.Denom}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := scan.Group(r, scan.GroupOptions{Restarts: 2}); err != nil {
			b.Fatal(err)
		}
	}
}
