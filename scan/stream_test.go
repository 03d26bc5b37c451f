package scan

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// streamCopy and streamCopy32 must copy exactly len(src) values, at every
// length (the unrolled loop and the tails) and, for uint32, at a
// destination that is not 8-byte aligned (the 4-byte head), and leave the
// rest of dst.
func TestStreamCopy(t *testing.T) {
	for n := range 20 {
		src := make([]float64, n)
		src32 := make([]uint32, n)
		for i := range src {
			src[i] = float64(i) + 0.25
			src32[i] = uint32(i+1) * 0x01010101
		}
		dst := slices.Repeat([]float64{math.Inf(-1)}, n+3)
		streamCopy(dst, src)
		for off := range 2 {
			dst32 := slices.Repeat([]uint32{math.MaxUint32}, n+4)
			streamCopy32(dst32[off:], src32)
			storeFence()
			if !slices.Equal(dst32[off:off+n], src32) {
				t.Fatalf("n=%d, offset %d: copied %v, want %v", n, off, dst32[off:off+n], src32)
			}
			for i, v := range dst32 {
				if (i < off || i >= off+n) && v != math.MaxUint32 {
					t.Fatalf("n=%d, offset %d: wrote outside the copy at %d", n, off, i)
				}
			}
		}
		storeFence()
		if !slices.Equal(dst[:n], src) {
			t.Fatalf("n=%d: copied %v, want %v", n, dst[:n], src)
		}
		for i := n; i < n+3; i++ {
			if !math.IsInf(dst[i], -1) {
				t.Fatalf("n=%d: wrote past len(src) at %d", n, i)
			}
		}
	}
}

// A destination shorter than the source is a programmer's error: a panic,
// not a write past its end.
func TestStreamCopyShort(t *testing.T) {
	for name, f := range map[string]func(){
		"float64": func() { streamCopy(make([]float64, 2), make([]float64, 3)) },
		"uint32":  func() { streamCopy32(make([]uint32, 2), make([]uint32, 3)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// prefetchRows has no visible effect; it must not fault, even on
// addresses past the end of the slice (the last rows' second cache line).
func TestPrefetchRows(t *testing.T) {
	x := make([]float32, 5)
	prefetchRows(&x[0], []int{0, 4, 5, 1 << 20}, 8)
	prefetchRows(&x[0], nil, 2)
}

// lowerBound4 (assembly on amd64) and lowerBound4Go count the values below
// each key, as a linear count does: ties, keys below and above every
// value, and every length up to a few powers of two.
func TestLowerBound4(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for n := range 70 {
		a := make([]uint32, n)
		for i := range a {
			a[i] = uint32(rng.IntN(20)) * 3
		}
		slices.Sort(a)
		for range 20 {
			var x [4]uint32
			for i := range x {
				x[i] = uint32(rng.IntN(64))
			}
			if rng.IntN(4) == 0 {
				x[0], x[3] = 0, math.MaxUint32
			}
			var want [4]int
			for i, k := range x {
				for _, v := range a {
					if v < k {
						want[i]++
					}
				}
			}
			var got, gotGo [4]int
			got[0], got[1], got[2], got[3] = lowerBound4(a, &x)
			gotGo[0], gotGo[1], gotGo[2], gotGo[3] = lowerBound4Go(a, &x)
			if got != want || gotGo != want {
				t.Fatalf("a %v, keys %v: lowerBound4 %v, lowerBound4Go %v, want %v", a, x, got, gotGo, want)
			}
		}
	}
}
