package nn

import (
	"math"
	"slices"
	"testing"
)

// refGRU is the GRU recurrence written out in float64 from the formulas of
// the GRU kind's documentation (Keras' reset_after variant, gates z, r,
// h), over x [T, n] with kernel [n, 3u], recurrent kernel [u, 3u] and
// bias [2, 3u], frames in reverse if reverse; it returns h_t for every
// frame t, [T, u].
func refGRU(x []float32, T, n, u int, kernel, rk, bias []float32, reverse bool) []float64 {
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	h := make([]float64, u)
	out := make([]float64, T*u)
	for s := range T {
		t := s
		if reverse {
			t = T - 1 - s
		}
		a, r := make([]float64, 3*u), make([]float64, 3*u)
		for k := range a {
			a[k], r[k] = float64(bias[k]), float64(bias[3*u+k])
			for i := range n {
				a[k] += float64(x[t*n+i]) * float64(kernel[i*3*u+k])
			}
			for j := range u {
				r[k] += h[j] * float64(rk[j*3*u+k])
			}
		}
		for j := range u {
			z, rr := sig(a[j]+r[j]), sig(a[u+j]+r[u+j])
			hc := math.Tanh(a[2*u+j] + rr*r[2*u+j])
			h[j] = z*h[j] + (1-z)*hc
			out[t*u+j] = h[j]
		}
	}
	return out
}

// TestGRUForward compares the GRU and BiGRU layers with refGRU, and checks
// the shape of Keras' GRU bias, [2, 3u].
func TestGRUForward(t *testing.T) {
	checkRecurrentForward(t, GRU, BiGRU, "gru", refGRU)
	m, err := New(Arch{Name: "g", Input: []int{2, 3}, Layers: []LayerSpec{{Name: "g", Kind: GRU, Units: 4}}})
	if err != nil {
		t.Fatal(err)
	}
	if p := m.Params()[2]; !slices.Equal(p.Shape, []int{2, 12}) {
		t.Errorf("bias shape %v, want [2 12]", p.Shape)
	}
}
