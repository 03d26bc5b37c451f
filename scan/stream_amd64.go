package scan

import "unsafe"

// streamCopy copies src into dst[:len(src)] with non-temporal stores, which
// bypass the cache. It panics if dst is shorter than src.
func streamCopy(dst, src []float64) {
	if len(dst) < len(src) {
		panic("scan: streamCopy: dst shorter than src")
	}
	streamCopyNT(unsafe.Pointer(unsafe.SliceData(dst)), unsafe.Pointer(unsafe.SliceData(src)), len(src)*8)
}

// streamCopy32 is streamCopy for uint32.
func streamCopy32(dst, src []uint32) {
	if len(dst) < len(src) {
		panic("scan: streamCopy32: dst shorter than src")
	}
	streamCopyNT(unsafe.Pointer(unsafe.SliceData(dst)), unsafe.Pointer(unsafe.SliceData(src)), len(src)*4)
}

// streamCopy16 is streamCopy for uint16; len(src) must be even and dst
// 4-byte aligned.
func streamCopy16(dst, src []uint16) {
	if len(dst) < len(src) || len(src)%2 != 0 {
		panic("scan: streamCopy16: dst shorter than src, or an odd length")
	}
	streamCopyNT(unsafe.Pointer(unsafe.SliceData(dst)), unsafe.Pointer(unsafe.SliceData(src)), len(src)*2)
}

// streamCopyNT copies n bytes, a multiple of 4, from src to dst with
// non-temporal stores.
//
//go:noescape
func streamCopyNT(dst, src unsafe.Pointer, n int)

// storeFence orders the non-temporal stores before it with every later
// store, so that other goroutines synchronised afterwards see them.
func storeFence()

// prefetchRows asks the CPU to load the lines (≥ 1) cache lines from
// base[off] for each off in offs into the cache, without waiting for them.
// Prefetches never fault, so the addresses need not be valid.
//
//go:noescape
func prefetchRows(base *float32, offs []int, lines int)

// lowerBound4 is lowerBound4Go.
//
//go:noescape
func lowerBound4(a []uint32, x *[4]uint32) (l0, l1, l2, l3 int)
