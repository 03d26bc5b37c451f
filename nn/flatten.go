package nn

import "math/rand/v2"

// Flatten is the layer kind that flattens its input, of any shape, into a
// vector [n] (row-major: the values do not move).
const Flatten = "flatten"

func init() { register(Flatten, newFlatten) }

// flatten is a Flatten layer.
type flatten struct{ n int }

func newFlatten(_ LayerSpec, in [][]int) (layer, error) {
	s, err := oneInput(in)
	if err != nil {
		return nil, err
	}
	return flatten{size(s)}, nil
}

func (l flatten) outShape() []int { return []int{l.n} }
func (l flatten) params() []param { return nil }
func (l flatten) init(*rand.Rand) {}
func (l flatten) needs() needs    { return needs{} }

func (l flatten) forward(out []float32, in [][]float32, _, _ [][]float32, _ bool) {
	copy(out, in[0])
}

func (l flatten) backward(gin [][]float32, gout, _ []float32, _ [][]float32, _, _, _ [][]float32) {
	if gin[0] != nil {
		copy(gin[0], gout)
	}
}
