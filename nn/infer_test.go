package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestInferMatchesForward checks that the inference path (convDirect on
// zero-padded planes, outputs written in place) gives bit-identical layer
// outputs and last-layer pre-activations to the training path's forward
// (im2col convolutions), for both built-in architectures and for "same"
// and "valid" convolutions with more than one input channel, including
// zero weights, which both paths skip.
func TestInferMatchesForward(t *testing.T) {
	small := Arch{Name: "small", Input: [3]int{5, 7, 3}, Layers: []LayerSpec{
		{Name: "c1", Kind: Conv2D, Filters: 4, Kernel: 3, Padding: "same", Activation: "sigmoid"},
		{Name: "c2", Kind: Conv2D, Filters: 2, Kernel: 2, Padding: "same", Activation: "linear"},
		{Name: "c3", Kind: Conv2D, Filters: 3, Kernel: 3, Padding: "valid", Activation: "relu"},
	}}
	for _, arch := range []Arch{AutoencoderArch, ClassifierArch, small} {
		t.Run(arch.Name, func(t *testing.T) {
			m, err := New(arch)
			if err != nil {
				t.Fatal(err)
			}
			m.InitGlorot(7)
			rng := rand.New(rand.NewPCG(3, 4))
			for _, l := range m.layers {
				for i := range l.kernel {
					if i%5 == 0 {
						l.kernel[i] = 0
					}
				}
				for i := range l.bias {
					l.bias[i] = float32(rng.NormFloat64() / 10)
				}
			}
			in := arch.Input
			x := make([]float32, in[0]*in[1]*in[2])
			want, got := m.newTape(), m.newTape()
			dst := make([][]float32, len(m.layers))
			for i := 1; i < len(m.layers); i += 2 {
				dst[i] = make([]float32, m.layers[i].outSize())
			}
			for sample := range 3 {
				for i := range x {
					x[i] = rng.Float32()
				}
				m.forward(want, x)
				m.infer(got, x, dst)
				for i, l := range m.layers {
					g := got.out[i]
					if dst[i] != nil {
						g = dst[i]
					}
					for p, w := range want.out[i] {
						if math.Float32bits(g[p]) != math.Float32bits(w) {
							t.Fatalf("sample %d, layer %s, value %d: infer %v, forward %v", sample, l.spec.Name, p, g[p], w)
						}
					}
				}
				last := len(m.layers) - 1
				if m.layers[last].spec.Kind == Dense {
					for p, w := range want.pre[last] {
						if math.Float32bits(got.pre[last][p]) != math.Float32bits(w) {
							t.Fatalf("sample %d, logit %d: infer %v, forward %v", sample, p, got.pre[last][p], w)
						}
					}
				}
			}
		})
	}
}
