package nn

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Concatenate is the layer kind that concatenates its inputs along their
// last axis (Keras' Concatenate with axis −1): the inputs have the same
// rank and the same lengths on every other axis, and the output's last
// axis holds the first input's values, then the second's, and so on. It
// serves SqueezeNet's fire modules (expand branches side by side) and
// conditional generators (a label map beside the image channels).
const Concatenate = "concatenate"

func init() { register(Concatenate, newConcatenate) }

// concatenate is a Concatenate layer: rows values of the leading axes,
// each with widths[j] values of input j.
type concatenate struct {
	out    []int
	rows   int
	widths []int
}

func newConcatenate(_ LayerSpec, in [][]int) (layer, error) {
	if len(in) < 2 {
		return nil, fmt.Errorf("needs at least 2 inputs, got %d", len(in))
	}
	lead := in[0][:len(in[0])-1]
	l := concatenate{rows: size(lead)}
	total := 0
	for _, s := range in {
		if len(s) != len(in[0]) || !slices.Equal(s[:len(s)-1], lead) {
			return nil, fmt.Errorf("inputs %v and %v differ on an axis other than the last", in[0], s)
		}
		l.widths = append(l.widths, s[len(s)-1])
		total += s[len(s)-1]
	}
	l.out = append(slices.Clone(lead), total)
	return l, nil
}

func (l concatenate) outShape() []int { return l.out }
func (l concatenate) params() []param { return nil }
func (l concatenate) init(*rand.Rand) {}
func (l concatenate) needs() needs    { return needs{} }

func (l concatenate) forward(out []float32, in [][]float32, _, _ [][]float32, _ bool) {
	width := l.out[len(l.out)-1]
	for r := range l.rows {
		o := out[r*width:]
		for j, w := range l.widths {
			o = o[copy(o, in[j][r*w:(r+1)*w]):]
		}
	}
}

// backward splits the output gradient back among the inputs.
func (l concatenate) backward(gin [][]float32, gout, _ []float32, _ [][]float32, _, _, _ [][]float32) {
	width := l.out[len(l.out)-1]
	for r := range l.rows {
		g := gout[r*width:]
		for j, w := range l.widths {
			if gin[j] != nil {
				copy(gin[j][r*w:(r+1)*w], g)
			}
			g = g[w:]
		}
	}
}
