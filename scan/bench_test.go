package scan_test

import (
	"math/rand/v2"
	"subsetscan/internal/cputime"
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
// p-value ranges of 3000 evaluation rows (target ≤ 0.8 s on 2 cores), in
// the steady state of a caller that reuses its Background and Ranges
// (Background.Reset, Background.PValuesTo), as for a sequence of layers or
// evaluation sets: the memory is already mapped. BenchmarkPValuesFresh
// measures the same with fresh allocations.
func BenchmarkPValues(b *testing.B) {
	bgActs, ev := benchData()
	var bg scan.Background
	var r scan.Ranges
	run := func() {
		if err := bg.Reset(bgActs, benchB, benchJ, 0); err != nil {
			b.Fatal(err)
		}
		if err := bg.PValuesTo(&r, ev, scan.Upper, 0); err != nil {
			b.Fatal(err)
		}
	}
	run() // allocate, untimed
	b.ReportAllocs()
	defer cpuPerOp(b)()
	for b.Loop() {
		run()
	}
}

// BenchmarkPValuesFresh is BenchmarkPValues with NewBackground and
// PValues, which allocate the 350 MB of sorted background and the 600 MB
// of ranges anew each time: the kernel's zeroing of fresh pages (system
// time) comes on top.
func BenchmarkPValuesFresh(b *testing.B) {
	bgActs, ev := benchData()
	b.ReportAllocs()
	defer cpuPerOp(b)()
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

// BenchmarkPValuesTies measures the p-value ranges of pixel-like values,
// 256 levels shared by thousands of samples at every node (7000 background
// and 3000 evaluation rows of 784 nodes): a run of tied background values
// must be walked once per node, not once per tied evaluation value.
func BenchmarkPValuesTies(b *testing.B) {
	const j = 784
	rng := rand.New(rand.NewPCG(12, 12))
	quantised := func(n int) []float32 {
		x := make([]float32, n*j)
		for i := range x {
			x[i] = float32(min(rng.IntN(400), 255)) / 255 // 1.0 for 4 in 10
		}
		return x
	}
	bgActs, ev := quantised(benchB), quantised(benchN)
	var bg scan.Background
	var r scan.Ranges
	defer cpuPerOp(b)()
	for b.Loop() {
		if err := bg.Reset(bgActs, benchB, j, 0); err != nil {
			b.Fatal(err)
		}
		if err := bg.PValuesTo(&r, ev, scan.Upper, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBackground and BenchmarkPValuesEval split BenchmarkPValues into
// its two halves.
func BenchmarkBackground(b *testing.B) {
	bgActs, _ := benchData()
	var bg scan.Background
	if err := bg.Reset(bgActs, benchB, benchJ, 0); err != nil {
		b.Fatal(err)
	}
	defer cpuPerOp(b)()
	for b.Loop() {
		if err := bg.Reset(bgActs, benchB, benchJ, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPValuesEval(b *testing.B) {
	bgActs, ev := benchData()
	bg, err := scan.NewBackground(bgActs, benchB, benchJ, 0)
	if err != nil {
		b.Fatal(err)
	}
	var r scan.Ranges
	if err := bg.PValuesTo(&r, ev, scan.Upper, 0); err != nil {
		b.Fatal(err)
	}
	defer cpuPerOp(b)()
	for b.Loop() {
		if err := bg.PValuesTo(&r, ev, scan.Upper, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIndividual measures Berk-Jones individual scans of the 3000 rows
// (target ≤ 0.3 s on 2 cores).
func BenchmarkIndividual(b *testing.B) {
	r := benchRanges()
	b.ReportAllocs()
	defer cpuPerOp(b)()
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
	defer cpuPerOp(b)()
	for b.Loop() {
		if _, err := scan.Group(r, scan.GroupOptions{Restarts: 2}); err != nil {
			b.Fatal(err)
		}
	}
}

// cpuPerOp starts measuring the process's CPU time (user + system, all
// threads) and returns a function that reports it per operation as
// "cpu-ms/op": on a shared machine it is steadier than wall time, and
// wall time ≈ cpu-ms/op ÷ cores when the work is spread over all cores.
// Call it after the untimed setup, as defer cpuPerOp(b)().
func cpuPerOp(b *testing.B) func() {
	start := cputime.Used()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64((cputime.Used()-start).Microseconds())/1e3/float64(b.N), "cpu-ms/op")
		}
	}
}

// BenchmarkUpperCounts measures the one-tailed p-value counts of the 3000
// rows against the 7000 × 12544 background, sorting included: the p-value
// pass of a one-tailed individual scan (subsetscan scan), which makes no
// sorted copy of the background and no float64 ranges.
func BenchmarkUpperCounts(b *testing.B) {
	bgActs, ev := benchData()
	b.ReportAllocs()
	defer cpuPerOp(b)()
	for b.Loop() {
		if _, err := scan.UpperCounts(bgActs, benchB, ev, benchJ, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIndividualCounts is BenchmarkIndividual on the counts.
func BenchmarkIndividualCounts(b *testing.B) {
	bgActs, ev := benchData()
	c, err := scan.UpperCounts(bgActs, benchB, ev, benchJ, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	defer cpuPerOp(b)()
	for b.Loop() {
		if _, err := scan.IndividualCounts(c, scan.BerkJones{}, 0.5, 0, 0); err != nil {
			b.Fatal(err)
		}
	}
}
