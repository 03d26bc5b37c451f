package nn

import (
	"fmt"
	"slices"
)

// Reshape is the layer kind that gives its input, of any shape, the shape
// Shape (no batch axis) of as many values, row-major: the values do not
// move (a Dense output [7·7·64] becomes an image [7, 7, 64]). It has no
// params.
const Reshape = "reshape"

func init() { register(Reshape, newReshape) }

// reshape is a Reshape layer: a flatten layer (whose passes copy the
// values) with another output shape.
type reshape struct {
	flatten
	shape []int
}

func newReshape(spec LayerSpec, in [][]int) (layer, error) {
	s, err := oneInput(in)
	if err != nil {
		return nil, err
	}
	if len(spec.Shape) == 0 || slices.ContainsFunc(spec.Shape, func(d int) bool { return d < 1 }) {
		return nil, fmt.Errorf("shape %v must be positive", spec.Shape)
	}
	if size(spec.Shape) != size(s) {
		return nil, fmt.Errorf("shape %v holds %d values, the input %d", spec.Shape, size(spec.Shape), size(s))
	}
	return reshape{flatten{size(s)}, slices.Clone(spec.Shape)}, nil
}

func (l reshape) outShape() []int { return l.shape }
