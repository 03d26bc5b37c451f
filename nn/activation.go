package nn

import (
	"fmt"
	"math"
)

// activation is the activation function of a Conv2D or Dense layer.
type activation int

const (
	linear activation = iota
	relu
	sigmoid
	softmax
	relu20
	tanhAct
)

// relu20Max is the ceiling of relu20, DeepSpeech's clipped ReLU.
const relu20Max = 20

var activations = map[string]activation{"": linear, "linear": linear, "relu": relu, "sigmoid": sigmoid, "softmax": softmax,
	"relu20": relu20, "tanh": tanhAct}

func parseActivation(s string) (activation, error) {
	a, ok := activations[s]
	if !ok {
		return 0, fmt.Errorf("unknown activation %q", s)
	}
	return a, nil
}

// sigmoid32 is the logistic function, computed in float64.
func sigmoid32(v float32) float32 { return float32(1 / (1 + math.Exp(-float64(v)))) }

// tanh32 is the hyperbolic tangent, computed in float64.
func tanh32(v float32) float32 { return float32(math.Tanh(float64(v))) }

// apply writes the activation of pre into dst.
func (a activation) apply(dst, pre []float32) {
	switch a {
	case linear:
		copy(dst, pre)
	case relu:
		for i, v := range pre {
			dst[i] = max(v, 0)
		}
	case sigmoid:
		for i, v := range pre {
			dst[i] = sigmoid32(v)
		}
	case relu20:
		for i, v := range pre {
			dst[i] = min(max(v, 0), relu20Max)
		}
	case tanhAct:
		for i, v := range pre {
			dst[i] = tanh32(v)
		}
	case softmax:
		// In float32, as TensorFlow computes it: whether the top
		// probability rounds to 1 decides whether Keras' clipped
		// cross-entropy has a gradient at all.
		mx := pre[0]
		for _, v := range pre {
			mx = max(mx, v)
		}
		var sum float32
		for i, v := range pre {
			e := float32(math.Exp(float64(v - mx)))
			dst[i] = e
			sum += e
		}
		for i := range dst {
			dst[i] /= sum
		}
	}
}

// grad turns g, the gradient w.r.t. the activation's output out, into the
// gradient w.r.t. its input, written into dst.
func (a activation) grad(dst, g, out []float32) {
	switch a {
	case linear:
		copy(dst, g)
	case relu:
		// TensorFlow's ReluGrad passes the gradient where the output is > 0.
		for i, v := range out {
			if v > 0 {
				dst[i] = g[i]
			} else {
				dst[i] = 0
			}
		}
	case sigmoid:
		for i, v := range out {
			dst[i] = g[i] * v * (1 - v)
		}
	case relu20:
		// As TensorFlow's Relu6Grad: the gradient passes where
		// 0 < out < the ceiling.
		for i, v := range out {
			if v > 0 && v < relu20Max {
				dst[i] = g[i]
			} else {
				dst[i] = 0
			}
		}
	case tanhAct:
		for i, v := range out {
			dst[i] = g[i] * (1 - v*v)
		}
	case softmax:
		var dot float32
		for i, v := range out {
			dot += g[i] * v
		}
		for i, v := range out {
			dst[i] = v * (g[i] - dot)
		}
	}
}

// backwardActivated is the backward pass of an activated layer: the
// gradient w.r.t. the pre-activation goes into s[0], then backwardPre.
func backwardActivated(l activated, gin [][]float32, gout, out []float32, in [][]float32, rec, pg, s [][]float32) {
	gp := s[0][:len(out)]
	l.activation().grad(gp, gout, out)
	l.backwardPre(gin, gp, in, rec, pg, s)
}
