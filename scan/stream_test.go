package scan

import (
	"math"
	"slices"
	"testing"
)

// streamCopy and streamCopy32 must copy exactly len(src) values, at every
// length (the unrolled loop and the tail), and leave the rest of dst.
func TestStreamCopy(t *testing.T) {
	for n := range 20 {
		src := make([]float64, n)
		src32 := make([]uint32, n)
		for i := range src {
			src[i] = float64(i) + 0.25
			src32[i] = uint32(i) * 0x01010101
		}
		dst := slices.Repeat([]float64{math.Inf(-1)}, n+3)
		dst32 := slices.Repeat([]uint32{math.MaxUint32}, n+3)
		streamCopy(dst, src)
		streamCopy32(dst32, src32)
		storeFence()
		if !slices.Equal(dst[:n], src) || !slices.Equal(dst32[:n], src32) {
			t.Fatalf("n=%d: copied %v, %v; want %v, %v", n, dst[:n], dst32[:n], src, src32)
		}
		for i := n; i < n+3; i++ {
			if !math.IsInf(dst[i], -1) || dst32[i] != math.MaxUint32 {
				t.Fatalf("n=%d: wrote past len(src) at %d", n, i)
			}
		}
	}
}

// prefetchRows has no visible effect; it must not fault, even on
// addresses past the end of the slice (the last rows' second cache line).
func TestPrefetchRows(t *testing.T) {
	x := make([]float32, 5)
	prefetchRows(&x[0], []int{0, 4, 5, 1 << 20})
	prefetchRows(&x[0], nil)
}
