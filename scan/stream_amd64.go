package scan

// streamCopy copies src into dst[:len(src)] with non-temporal stores, which
// bypass the cache. It panics if dst is shorter than src.
func streamCopy(dst, src []float64) {
	if len(dst) < len(src) {
		panic("scan: streamCopy: dst shorter than src")
	}
	streamCopyNT(dst, src)
}

// streamCopy32 is streamCopy for uint32.
func streamCopy32(dst, src []uint32) {
	if len(dst) < len(src) {
		panic("scan: streamCopy32: dst shorter than src")
	}
	streamCopy32NT(dst, src)
}

//go:noescape
func streamCopyNT(dst, src []float64)

//go:noescape
func streamCopy32NT(dst, src []uint32)

// storeFence orders the non-temporal stores before it with every later
// store, so that other goroutines synchronised afterwards see them.
func storeFence()

// prefetchRows asks the CPU to load the 128 bytes at base[off] for each off
// in offs into the cache, without waiting for them. Prefetches never fault,
// so the addresses need not be valid.
//
//go:noescape
func prefetchRows(base *float32, offs []int)
