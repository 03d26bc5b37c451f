package scan

// streamCopy copies src into dst[:len(src)] with non-temporal stores, which
// bypass the cache. len(dst) must be at least len(src).
//
//go:noescape
func streamCopy(dst, src []float64)

// storeFence orders the non-temporal stores before it with every later
// store, so that other goroutines synchronised afterwards see them.
func storeFence()

// streamCopy32 is streamCopy for uint32.
//
//go:noescape
func streamCopy32(dst, src []uint32)

// prefetchRows asks the CPU to load the 128 bytes at base[off] for each off
// in offs into the cache, without waiting for them.
//
//go:noescape
func prefetchRows(base *float32, offs []int)
