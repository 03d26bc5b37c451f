package nn

import (
	"fmt"

	"subsetscan/data"
)

// SampleLoss computes one sample's loss for LossGradients: given the
// sample's index s and out, the last layer's output (its pre-activation
// with GradientOptions.Logits), it writes the gradient of the loss w.r.t.
// out into up (as long as out) and returns the loss. It must not keep out
// or up, and is called from several goroutines at once (one sample each).
type SampleLoss func(s int, out, up []float32) (float64, error)

// LossGradients is Gradients for a loss that the caller computes sample by
// sample (a CTC loss): each sample's forward pass is followed by
// loss(s, output, up) and the backward pass of up, so a training step
// needs one forward pass per sample, not Predict's and then Gradients'.
// It returns the sum of the samples' losses and the gradients, both
// reduced in Gradients' fixed order, so they are the same bit for bit
// whatever the number of workers, and the same as Gradients of the
// upstream gradients that loss computes from Predict's outputs. An error
// of loss is returned for the first sample (by index) that had one,
// wrapped with the sample's index, with no gradients.
func (m *Model) LossGradients(x *data.Array, loss SampleLoss, opt GradientOptions) (float64, *Grads, error) {
	if err := m.checkInput(x); err != nil {
		return 0, nil, err
	}
	if opt.Logits {
		if _, err := m.activatedLast(); err != nil {
			return 0, nil, err
		}
	}
	errs := make([]error, x.Len())
	g, total := m.gradients(x, opt, func(s int, out, buf []float32) ([]float32, float64) {
		v, err := loss(s, out, buf)
		if err != nil {
			errs[s] = err
			clear(buf)
			return buf, 0
		}
		return buf, v
	})
	for s, err := range errs {
		if err != nil {
			return 0, nil, fmt.Errorf("nn: %s: sample %d: %w", m.Arch.Name, s, err)
		}
	}
	return total, g, nil
}
