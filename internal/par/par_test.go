package par_test

import (
	"sync/atomic"
	"testing"

	"subsetscan/internal/par"
)

// Every iteration runs exactly once, for any number of workers, and each
// goroutine gets its own scratch.
func TestFor(t *testing.T) {
	for _, n := range []int{0, 1, 7, 1000} {
		for _, w := range []int{0, 1, 2, 5, 2000} {
			runs := make([]int32, n)
			var scratches atomic.Int32
			par.For(n, w, func() *int { scratches.Add(1); return new(int) }, func(s *int, i int) {
				*s++ // the scratch is this goroutine's alone (the race detector checks)
				atomic.AddInt32(&runs[i], 1)
			})
			for i, r := range runs {
				if r != 1 {
					t.Fatalf("n=%d, workers=%d: iteration %d ran %d times", n, w, i, r)
				}
			}
			if n > 0 && w > 0 && int(scratches.Load()) > min(w, n) {
				t.Fatalf("n=%d, workers=%d: %d scratches", n, w, scratches.Load())
			}
		}
	}
}
