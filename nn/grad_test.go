package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"subsetscan/data"
)

// randomize fills the weights with seeded uniform values.
func randomize(m *Model, rng *rand.Rand, scale float32) {
	for _, l := range m.layers {
		for i := range l.kernel {
			l.kernel[i] = (rng.Float32()*2 - 1) * scale
		}
		for i := range l.bias {
			l.bias[i] = (rng.Float32()*2 - 1) * scale * 0.1
		}
	}
}

// TestInputGradientFiniteDifferences checks every layer kind's backward
// pass against central differences of Σ upstream ⊙ output, accumulated in
// float64.
func TestInputGradientFiniteDifferences(t *testing.T) {
	archs := []Arch{
		{Name: "convs", Input: [3]int{6, 6, 2}, Layers: []LayerSpec{
			{Name: "c1", Kind: Conv2D, Filters: 3, Kernel: 3, Padding: "same", Activation: "relu"},
			{Name: "p1", Kind: MaxPooling2D, Pool: 2, Padding: "same"},
			{Name: "u1", Kind: UpSampling2D, Size: 2},
			{Name: "c2", Kind: Conv2D, Filters: 2, Kernel: 3, Padding: "valid", Activation: "sigmoid"},
		}},
		{Name: "classifier", Input: [3]int{7, 7, 1}, Layers: []LayerSpec{
			{Name: "c1", Kind: Conv2D, Filters: 4, Kernel: 3, Padding: "valid", Activation: "relu"},
			{Name: "p1", Kind: MaxPooling2D, Pool: 2, Padding: "valid"},
			{Name: "f", Kind: Flatten},
			{Name: "d1", Kind: Dense, Units: 5, Activation: "relu"},
			{Name: "d2", Kind: Dense, Units: 3, Activation: "softmax"},
		}},
		{Name: "oddpool", Input: [3]int{5, 5, 1}, Layers: []LayerSpec{
			{Name: "p", Kind: MaxPooling2D, Pool: 2, Padding: "same"},
			{Name: "c", Kind: Conv2D, Filters: 2, Kernel: 3, Padding: "same", Activation: "linear"},
		}},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, arch := range archs {
		m, err := New(arch)
		if err != nil {
			t.Fatal(err)
		}
		randomize(m, rng, 0.8)
		in := arch.Input
		x := data.NewArray(1, in[0], in[1], in[2])
		for i := range x.Data {
			x.Data[i] = rng.Float32()
		}
		last := m.layers[len(m.layers)-1]
		up := data.NewArray(1, last.outSize())
		for i := range up.Data {
			up.Data[i] = rng.Float32()*2 - 1
		}
		for _, logits := range []bool{false, true} {
			g, err := m.InputGradient(x, up, logits, 1)
			if err != nil {
				t.Fatal(err)
			}
			f := func(xs []float32) float64 {
				tp := m.newTape()
				m.forward(tp, xs)
				out := tp.out[len(m.layers)-1]
				if logits {
					out = tp.pre[len(m.layers)-1]
				}
				s := 0.0
				for i, v := range out {
					s += float64(up.Data[i]) * float64(v)
				}
				return s
			}
			const h = 1e-3 // small enough to rarely cross a ReLU kink or a pooling tie, large enough for float32
			maxErr, scale := 0.0, 0.0
			for i := range x.Data {
				xp := append([]float32{}, x.Data...)
				xm := append([]float32{}, x.Data...)
				xp[i] += h
				xm[i] -= h
				fd := (f(xp) - f(xm)) / (2 * h)
				maxErr = max(maxErr, math.Abs(fd-float64(g.Data[i])))
				scale = max(scale, math.Abs(fd))
			}
			// ReLU kinks and pooling ties within ±h can bend a few
			// differences; the bound is loose against them and tight
			// against a wrong backward pass, whose errors are O(scale).
			if maxErr > 0.02*max(scale, 1e-3) {
				t.Errorf("%s logits=%v: max |FD − backward| = %.3g (gradient scale %.3g)", arch.Name, logits, maxErr, scale)
			}
		}
	}
}
