package nn

import (
	"math/rand/v2"
	"slices"
	"testing"

	"subsetscan/data"
)

// TestDenseLastAxis checks that a Dense layer on a sequence [T, n] maps
// each frame as the same layer on a flat input [n] does, bit for bit.
func TestDenseLastAxis(t *testing.T) {
	seq, err := New(Arch{Name: "seq", Input: []int{5, 3}, Layers: []LayerSpec{{Name: "d", Kind: Dense, Units: 4, Activation: "relu20"}}})
	if err != nil {
		t.Fatal(err)
	}
	flat, err := New(Arch{Name: "flat", Input: []int{3}, Layers: []LayerSpec{{Name: "d", Kind: Dense, Units: 4, Activation: "relu20"}}})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	randomize(seq, rng, 30) // large enough to clip at 20
	for k, p := range seq.Params() {
		copy(flat.Params()[k].Data, p.Data)
	}
	x := uniform(rng, -1, 1, 2, 5, 3)
	got, err := seq.Predict(x, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Shape, []int{2, 5, 4}) {
		t.Fatalf("output shape %v, want [2 5 4]", got.Shape)
	}
	frames := &data.Array{Shape: []int{10, 3}, Data: x.Data}
	want, err := flat.Predict(frames, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !bitsEqual(got.Data, want.Data) {
		t.Errorf("frames differ from the flat layer's:\n got %v\nwant %v", got.Data, want.Data)
	}
	if slices.Max(got.Data) != 20 || slices.Min(got.Data) != 0 {
		t.Errorf("relu20 outputs span [%v, %v], want [0, 20] reached", slices.Min(got.Data), slices.Max(got.Data))
	}
}

// TestRelu20 checks the clipped ReLU and its gradient, which passes where
// 0 < output < 20 (TensorFlow's Relu6Grad rule, with 20).
func TestRelu20(t *testing.T) {
	pre := []float32{-1, 0, 3, 20, 25}
	out := make([]float32, len(pre))
	relu20.apply(out, pre)
	if want := []float32{0, 0, 3, 20, 20}; !slices.Equal(out, want) {
		t.Errorf("relu20(%v) = %v, want %v", pre, out, want)
	}
	g := make([]float32, len(pre))
	relu20.grad(g, []float32{1, 1, 1, 1, 1}, out)
	if want := []float32{0, 0, 1, 0, 0}; !slices.Equal(g, want) {
		t.Errorf("relu20 gradient %v, want %v", g, want)
	}
}
