package nn

import (
	"fmt"
	"math/rand/v2"
)

// LeakyReLU is the layer kind of Keras' LeakyReLU activation layer:
// y = x for x > 0 and Alpha·x otherwise (Alpha 0 means Keras' default,
// 0.3; DCGAN uses 0.2), elementwise on an input of any shape. It has no
// params. Its gradient at 0 is Alpha, as TensorFlow's LeakyReluGrad takes
// it (the slope of the x ≤ 0 side).
const LeakyReLU = "leaky_relu"

func init() { register(LeakyReLU, newLeakyReLU) }

// leakyReLU is a LeakyReLU layer.
type leakyReLU struct {
	shape []int
	alpha float32
}

func newLeakyReLU(spec LayerSpec, in [][]int) (layer, error) {
	s, err := oneInput(in)
	if err != nil {
		return nil, err
	}
	alpha := spec.Alpha
	if alpha == 0 {
		alpha = 0.3
	}
	if !(alpha > 0 && alpha < 1) {
		return nil, fmt.Errorf("alpha %v must be in (0, 1)", spec.Alpha)
	}
	return leakyReLU{shape: s, alpha: float32(alpha)}, nil
}

func (l leakyReLU) outShape() []int { return l.shape }
func (l leakyReLU) params() []param { return nil }
func (l leakyReLU) init(*rand.Rand) {}
func (l leakyReLU) needs() needs    { return needs{} }

func (l leakyReLU) forward(out []float32, in [][]float32, _, _ [][]float32, _ bool) {
	for i, v := range in[0] {
		if v > 0 {
			out[i] = v
		} else {
			out[i] = l.alpha * v
		}
	}
}

// backward passes the gradient where the input is > 0 and scales it by
// alpha elsewhere.
func (l leakyReLU) backward(gin [][]float32, gout, _ []float32, in [][]float32, _, _, _ [][]float32) {
	if gin[0] == nil {
		return
	}
	for i, v := range in[0] {
		if v > 0 {
			gin[0][i] = gout[i]
		} else {
			gin[0][i] = l.alpha * gout[i]
		}
	}
}
