package experiments

import (
	"fmt"

	"subsetscan/data"
	"subsetscan/scan"
)

// conditionalNote explains conditional p-values in the report.
const conditionalNote = "Conditional p-values (autoencoder-adversarial.conditional): each image is compared with the background images " +
	"of its own class only: a clean image's class is its true label, an attacked image's class is the true label " +
	"of the image it was made from."

// pvalues returns the p-value ranges of the evaluation activations e
// against the background activations b: against all of b, or, when im
// has classes (conditional p-values), against the rows of b of each
// image's class.
//
// Unconditional ranges are computed in buf, whose background and ranges are
// reused from layer to layer: a large layer's are hundreds of MB, and
// fresh memory costs the kernel about as much to provide as the
// computation itself.
func (im *Images) pvalues(b, e *data.Array, tail scan.Tail, workers int, buf *pvalueBuffers) (*scan.Ranges, error) {
	if im.bgLabels == nil {
		return buf.pvalues(b, e, tail, workers)
	}
	c, err := scan.NewConditional(b.Data, im.bgLabels, b.RowSize(), workers)
	if err != nil {
		return nil, err
	}
	return c.PValues(e.Data, im.evalLabels, tail, workers)
}

// pvalueBuffers holds the memory that pvalues reuses.
type pvalueBuffers struct {
	back   scan.Background
	ranges scan.Ranges
}

// pvalues returns the p-value ranges of e against all of b, in buf's
// memory: valid until the next call.
func (buf *pvalueBuffers) pvalues(b, e *data.Array, tail scan.Tail, workers int) (*scan.Ranges, error) {
	if err := buf.back.Reset(b.Data, b.Len(), b.RowSize(), workers); err != nil {
		return nil, err
	}
	if err := buf.back.PValuesTo(&buf.ranges, e.Data, tail, workers); err != nil {
		return nil, err
	}
	return &buf.ranges, nil
}

// checkClasses checks, before any long work, that every class of the
// evaluation images so far (clean ones, then each set's in order) has at
// least 2 background images, as conditional p-values need; errors name
// the image, its set and its class. bgRange is dataset.background's.
func (im *Images) checkClasses(bgRange [2]int) error {
	count := map[int]int{}
	for _, l := range im.bgLabels {
		count[l]++
	}
	off := 0
	for _, set := range append([]string{"clean"}, im.Sets...) {
		n := im.Samples[set]
		for i, l := range im.evalLabels[off : off+n] {
			if count[l] < 2 {
				return fmt.Errorf("conditional p-values: image %d of set %s has class %d, which has %d background images in dataset.background [%d, %d); each class needs at least 2",
					i, set, l, count[l], bgRange[0], bgRange[1])
			}
		}
		off += n
	}
	return nil
}
