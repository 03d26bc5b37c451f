package nn

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Add is the layer kind of the elementwise sum of two or more inputs of
// the same shape (Keras' Add), for residual blocks y = f(x) + x. The sum
// runs in the order of the layer's Inputs.
const Add = "add"

func init() { register(Add, newAdd) }

// add is an Add layer.
type add struct{ shape []int }

func newAdd(_ LayerSpec, in [][]int) (layer, error) {
	if len(in) < 2 {
		return nil, fmt.Errorf("needs at least 2 inputs, got %d", len(in))
	}
	for _, s := range in[1:] {
		if !slices.Equal(s, in[0]) {
			return nil, fmt.Errorf("inputs of different shapes %v and %v", in[0], s)
		}
	}
	return add{in[0]}, nil
}

func (l add) outShape() []int { return l.shape }
func (l add) params() []param { return nil }
func (l add) init(*rand.Rand) {}
func (l add) needs() needs    { return needs{} }

func (l add) forward(out []float32, in [][]float32, _, _ [][]float32, _ bool) {
	copy(out, in[0])
	for _, x := range in[1:] {
		for i, v := range x[:len(out)] {
			out[i] += v
		}
	}
}

// backward passes the output gradient to every input.
func (l add) backward(gin [][]float32, gout, _ []float32, _ [][]float32, _, _, _ [][]float32) {
	for _, g := range gin {
		if g != nil {
			copy(g, gout)
		}
	}
}
