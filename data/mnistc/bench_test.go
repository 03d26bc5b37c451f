package mnistc

import (
	"testing"

	"subsetscan/internal/cputime"
)

// BenchmarkApply corrupts 1000 MNIST test digits with each corruption on
// one goroutine and reports the CPU time per image, which the load of a
// shared machine does not inflate as it does the wall time.
func BenchmarkApply(b *testing.B) {
	x := testDigits(b, 1000)
	for _, name := range Names() {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cputime.Used()
			n := 0
			for b.Loop() {
				if _, err := Apply(name, x, 1, 1); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.ReportMetric(float64((cputime.Used()-cpu0).Nanoseconds())/float64(n*x.Len()), "cpu-ns/image")
		})
	}
}
