package mnistc

import (
	"testing"
	"time"
)

// BenchmarkApply corrupts 1000 MNIST test digits with each corruption on
// one goroutine and reports the time per image.
func BenchmarkApply(b *testing.B) {
	x := testDigits(b, 1000)
	for _, name := range Names() {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			start := time.Now()
			n := 0
			for b.Loop() {
				if _, err := Apply(name, x, 1, 1); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(n*x.Len()), "ns/image")
		})
	}
}
