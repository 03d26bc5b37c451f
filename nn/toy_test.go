package nn

import (
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"subsetscan/data"
)

// The toy layer kind "scale" multiplies its input, of any shape, by one
// learned scalar, the param "scale" [1], initially 1. It is registered here
// as a new kind would be in its own file: one type, its methods, one
// registration line.
func init() { register("scale", newScale) }

type scale struct {
	shape []int
	a     []float32
}

func newScale(_ LayerSpec, in [][]int) (layer, error) {
	s, err := oneInput(in)
	if err != nil {
		return nil, err
	}
	return &scale{shape: s, a: []float32{1}}, nil
}

func (l *scale) outShape() []int { return l.shape }
func (l *scale) params() []param { return []param{{"scale", []int{1}, l.a}} }
func (l *scale) init(*rand.Rand) { l.a[0] = 1 }
func (l *scale) needs() needs    { return needs{} }
func (l *scale) forward(out []float32, in [][]float32, _, _ [][]float32, _ bool) {
	for i, v := range in[0] {
		out[i] = l.a[0] * v
	}
}

func (l *scale) backward(gin [][]float32, gout, _ []float32, in [][]float32, _, pg, _ [][]float32) {
	if pg != nil {
		for i, g := range gout {
			pg[0][0] += g * in[0][i]
		}
	}
	if gin[0] != nil {
		for i, g := range gout {
			gin[0][i] = l.a[0] * g
		}
	}
}

// toyArch uses the toy layer twice: on the input, and in a residual sum.
func toyArch() Arch {
	return Arch{Name: "toy", Input: []int{4, 4, 2}, Layers: []LayerSpec{
		{Name: "s1", Kind: "scale"},
		{Name: "c", Kind: Conv2D, Filters: 2, Kernel: 3, Padding: "same", Activation: "relu"},
		{Name: "s2", Kind: "scale"},
		{Name: "sum", Kind: Add, Inputs: []string{"s2", "s1"}},
		{Name: "f", Kind: Flatten},
		{Name: "d", Kind: Dense, Units: 3, Activation: "sigmoid"},
	}}
}

// TestToyLayer runs a layer kind registered outside the package's files
// end to end: an architecture using it, Forward, a gradient check, and a
// round trip of its weights.
func TestToyLayer(t *testing.T) {
	m, err := New(toyArch())
	if err != nil {
		t.Fatal(err)
	}
	m.InitGlorot(1)
	if p := m.Params()[0]; p.Name != "s1/scale" || !slices.Equal(p.Shape, []int{1}) || p.Data[0] != 1 {
		t.Errorf("first param %s %v = %v, want s1/scale [1] = 1", p.Name, p.Shape, p.Data)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	m.Params()[0].Data[0] = 0.5
	x := uniform(rng, 0, 1, 3, 4, 4, 2)
	out, err := m.Forward(x, []string{"s1", "d"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := out["s1"]; !slices.Equal(got.Shape, []int{3, 4, 4, 2}) || got.Data[7] != 0.5*x.Data[7] {
		t.Errorf("s1: shape %v, value %v, want [3 4 4 2], %v", got.Shape, got.Data[7], 0.5*x.Data[7])
	}
	if !slices.Equal(out["d"].Shape, []int{3, 3}) {
		t.Errorf("d: shape %v, want [3 3]", out["d"].Shape)
	}
	checkGradients(t, toyArch(), rng)

	path := filepath.Join(t.TempDir(), "toy.npz")
	if err := m.SaveWeights(path); err != nil {
		t.Fatal(err)
	}
	w, err := data.ReadNPZ(path)
	if err != nil {
		t.Fatal(err)
	}
	if a := w["s1/scale"]; a == nil || a.Data[0] != 0.5 {
		t.Errorf("saved s1/scale = %v, want [0.5]", a)
	}
	again, err := Load(toyArch(), path)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range again.Params() {
		if !slices.Equal(p.Data, m.Params()[i].Data) {
			t.Errorf("%s: loaded weights differ from saved", p.Name)
		}
	}
}
