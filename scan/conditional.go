package scan

import (
	"errors"
	"fmt"
	"slices"
)

// Conditional holds one background per class label, for conditional
// p-values: each evaluation sample is compared with the background samples
// of its own (for example, predicted) class.
type Conditional struct {
	labels []int         // ascending
	bgs    []*Background // bgs[i] is the background of labels[i]
	j      int
}

// NewConditional builds one Background per distinct label from the
// row-major background activations acts (len(labels) samples × j nodes).
// Each class needs at least 2 samples; errors name the class, and a NaN
// or infinite activation is reported at its sample (row of acts) and node.
func NewConditional(acts []float32, labels []int, j, workers int) (*Conditional, error) {
	if j < 1 || len(acts) != len(labels)*j {
		panic("scan: background length mismatch")
	}
	c := &Conditional{j: j}
	c.labels = slices.Clone(labels)
	slices.Sort(c.labels)
	c.labels = slices.Compact(c.labels)
	for _, l := range c.labels {
		var rows []float32
		var samples []int
		for i, li := range labels {
			if li == l {
				rows = append(rows, acts[i*j:(i+1)*j]...)
				samples = append(samples, i)
			}
		}
		bg, err := NewBackground(rows, len(samples), j, workers)
		if err != nil {
			var nf *NonFiniteError
			if errors.As(err, &nf) {
				// Name the sample by its row in acts, not in its class.
				nf.Sample = samples[nf.Sample]
			}
			return nil, fmt.Errorf("scan: background of class %d: %w", l, err)
		}
		c.bgs = append(c.bgs, bg)
	}
	return c, nil
}

// PValues computes the p-value range of every value of eval (row-major,
// len(labels) samples × J nodes) against the background of the sample's
// label (see Background.PValues). A label without a background is an error
// naming the sample.
func (c *Conditional) PValues(eval []float32, labels []int, tail Tail, workers int) (*Ranges, error) {
	if len(eval) != len(labels)*c.j {
		panic("scan: eval length mismatch")
	}
	if tail != Upper && tail != TwoTailed {
		return nil, fmt.Errorf("scan: tail must be 1 or 2, got %d", tail)
	}
	rows := make([][]int, len(c.labels))
	for i, l := range labels {
		k, ok := slices.BinarySearch(c.labels, l)
		if !ok {
			return nil, fmt.Errorf("scan: eval sample %d has class %d, which has no background", i, l)
		}
		rows[k] = append(rows[k], i)
	}
	r := NewRanges(len(labels), c.j)
	for k, bg := range c.bgs {
		if len(rows[k]) > 0 && !bg.fill(r, eval, rows[k], tail, workers) {
			return nil, fmt.Errorf("scan: eval: %w", CheckFinite(eval, c.j))
		}
	}
	return r, nil
}
