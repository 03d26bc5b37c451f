package fsdd_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"subsetscan/data/fsdd"
	"subsetscan/internal/cputime"
)

// TestShared loads the shared copy of v1.0.10 and builds the utterances of
// issue 9 from it: the demo of the package on the real data set.
func TestShared(t *testing.T) {
	c, err := fsdd.Load(sharedDir(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Recordings) != 6*fsdd.Digits*fsdd.Takes {
		t.Fatalf("%d recordings, want 3000", len(c.Recordings))
	}
	if first := c.Recordings[0].Name(); first != "0_george_0.wav" {
		t.Errorf("first recording %s, want 0_george_0.wav", first)
	}
	var total int
	for i, x := range c.Samples {
		// 0.14 to 2.28 s, as the data set's README in shared/datasets says.
		if d := float64(len(x)) / fsdd.SampleRate; d < 0.14 || d > 2.29 {
			t.Errorf("%s: %.3f s", c.Recordings[i].Name(), d)
		}
		if lo, hi := slices.Min(x), slices.Max(x); !(lo >= -1 && hi < 1 && hi > lo) {
			t.Errorf("%s: samples in [%v, %v]", c.Recordings[i].Name(), lo, hi)
		}
		total += len(x)
	}
	t.Logf("%d recordings, %.1f minutes", len(c.Recordings), float64(total)/fsdd.SampleRate/60)
	pools, err := fsdd.Split(c.Recordings, experimentPools, rand.New(rand.NewPCG(1, 0)))
	if err != nil {
		t.Fatal(err)
	}
	for p := range pools {
		us, err := c.Strings(pools[p].Index, 100, fsdd.DefaultStrings, rand.New(rand.NewPCG(1, uint64(1+p))))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fsdd.AddNoise(us, 10, 30, rand.New(rand.NewPCG(1, uint64(10+p)))); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d recordings, %d utterances, first %s %q", pools[p].Name, len(pools[p].Index), len(us), us[0].Speaker, us[0].Transcript)
	}
}

// BenchmarkLoad loads the 3000 recordings of the shared copy. Besides wall
// time it reports the process's CPU time per load, which a busy machine
// does not inflate.
func BenchmarkLoad(b *testing.B) {
	dir := sharedDir(b)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.ReportAllocs()
			loopCPU(b, func() error {
				_, err := fsdd.Load(dir, workers)
				return err
			})
		})
	}
}

// BenchmarkVerify checks the 3000 recordings of the shared copy against the
// manifest (on GOMAXPROCS goroutines: compare -cpu 1,2).
func BenchmarkVerify(b *testing.B) {
	dir := sharedDir(b)
	loopCPU(b, func() error { return fsdd.Verify(dir) })
}

// loopCPU runs fn in b.Loop and reports the CPU time per call.
func loopCPU(b *testing.B, fn func() error) {
	cpu0 := cputime.Used()
	for b.Loop() {
		if err := fn(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cputime.Used()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
}
