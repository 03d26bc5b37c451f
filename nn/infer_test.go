package nn

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestInferMatchesForward checks that the inference path (convDirect on
// zero-padded planes, outputs written in place) gives bit-identical layer
// outputs to the training path's forward (im2col convolutions), for both
// built-in architectures, a residual block and a fire module, and for
// "same" and "valid" convolutions with more than one input channel,
// including zero weights, which both paths skip.
func TestInferMatchesForward(t *testing.T) {
	small := Arch{Name: "small", Input: []int{5, 7, 3}, Layers: []LayerSpec{
		{Name: "c1", Kind: Conv2D, Filters: 4, Kernel: 3, Padding: "same", Activation: "sigmoid"},
		{Name: "c2", Kind: Conv2D, Filters: 2, Kernel: 2, Padding: "same", Activation: "linear"},
		{Name: "c3", Kind: Conv2D, Filters: 3, Kernel: 3, Padding: "valid", Activation: "relu"},
	}}
	for _, arch := range []Arch{AutoencoderArch, ClassifierArch, small, gradCases[3], gradCases[4]} {
		t.Run(arch.Name, func(t *testing.T) {
			m, err := New(arch)
			if err != nil {
				t.Fatal(err)
			}
			m.InitGlorot(7)
			rng := rand.New(rand.NewPCG(3, 4))
			for _, p := range m.Params() {
				for i := range p.Data {
					if strings.HasSuffix(p.Name, "/bias") {
						p.Data[i] = float32(rng.NormFloat64() / 10)
					} else if i%5 == 0 {
						p.Data[i] = 0
					}
				}
			}
			x := make([]float32, size(arch.Input))
			want, got := m.newTape(), m.newTape()
			dst := make([][]float32, len(m.nodes))
			for i := 1; i < len(m.nodes); i += 2 {
				dst[i] = make([]float32, m.nodes[i].size)
			}
			for sample := range 3 {
				for i := range x {
					x[i] = rng.Float32()
				}
				m.forward(want, x)
				m.run(got, x, dst, len(m.nodes))
				for i, nd := range m.nodes {
					if !bitsEqual(got.cur[i], want.cur[i]) {
						t.Fatalf("sample %d, layer %s: inference and training passes differ", sample, nd.name)
					}
				}
			}
		})
	}
}

// bitsEqual reports whether a and b hold the same float32 bits.
func bitsEqual(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}

// TestLogitsOfConvolution checks that the logits of a model whose last
// layer is a convolution (the autoencoder) are its pre-activation: their
// sigmoid is the output, bit for bit.
func TestLogitsOfConvolution(t *testing.T) {
	m, err := New(AutoencoderArch)
	if err != nil {
		t.Fatal(err)
	}
	m.InitGlorot(2)
	x := uniform(rand.New(rand.NewPCG(1, 1)), 0, 1, 3, 28, 28, 1)
	z, err := m.Logits(x, 0)
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.Predict(x, 0)
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]float32, len(z.Data))
	sigmoid.apply(sig, z.Data)
	if !bitsEqual(sig, p.Data) || !slices.ContainsFunc(z.Data, func(v float32) bool { return v < 0 }) {
		t.Error("the sigmoid of the logits is not the output, or no logit is negative")
	}
}
