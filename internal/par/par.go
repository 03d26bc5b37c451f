// Package par runs independent iterations on a bounded number of
// goroutines.
package par

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// For calls fn(s, i) for every i in [0, n) on up to workers goroutines (0
// or less means GOMAXPROCS). Each goroutine gets its own scratch s from
// newScratch, called once per goroutine, and takes the next i from a shared
// counter. Which goroutine runs an iteration is not fixed, so fn must
// write its result where only i decides (results[i], say) and leave any
// reduction to the caller, in order, afterwards.
func For[S any](n, workers int, newScratch func() S, fn func(s S, i int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := newScratch()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(s, i)
			}
		}()
	}
	wg.Wait()
}
