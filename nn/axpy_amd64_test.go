package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The AVX axpy must give gonum's SSE results bit for bit, at every length
// (each loop and tail of the assembly), so that the committed weights,
// attack sets and golden files do not depend on which one ran.
func TestAxpyAVXMatchesSSE(t *testing.T) {
	if !hasAVX {
		t.Skip("no AVX on this CPU")
	}
	rng := rand.New(rand.NewPCG(3, 3))
	for n := range 100 {
		for range 5 {
			a := float32(rng.NormFloat64())
			x := make([]float32, n)
			y := make([]float32, n+3) // longer than x: the rest must stay
			for i := range x {
				x[i] = float32(rng.NormFloat64())
			}
			for i := range y {
				y[i] = float32(rng.NormFloat64() * 1e3)
			}
			want := append([]float32(nil), y...)
			blasImpl.Saxpy(n, a, x, 1, want, 1)
			axpy(a, x, y)
			for i := range y {
				if math.Float32bits(y[i]) != math.Float32bits(want[i]) {
					t.Fatalf("n=%d: y[%d] = %v, SSE gives %v", n, i, y[i], want[i])
				}
			}
		}
	}
}

func BenchmarkAxpy(b *testing.B) {
	x, y := make([]float32, 838), make([]float32, 838)
	b.Run("avx", func(b *testing.B) {
		for b.Loop() {
			axpy(0.5, x, y)
		}
	})
	b.Run("sse", func(b *testing.B) {
		for b.Loop() {
			blasImpl.Saxpy(len(x), 0.5, x, 1, y, 1)
		}
	})
}

// A y shorter than x is a programmer's error: a panic, not a write past
// its end.
func TestAxpyShort(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	axpy(1, make([]float32, 9), make([]float32, 8))
}
