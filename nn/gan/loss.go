package gan

import (
	"math"

	"subsetscan/data"
)

// Loss scores the discriminator's outputs on a batch, for both players.
// Its methods write the gradient of the loss w.r.t. each output into the
// array of the same shape that they are given, overwriting it, and return
// the loss. A conditional variant implements Loss over outputs with more
// than one value (a realness logit and class logits, say), closing over
// the batch's labels.
type Loss interface {
	// Discriminator returns D's loss given its outputs on the real and on
	// the generated samples, and writes its gradients w.r.t. them into
	// dReal and dFake.
	Discriminator(real, fake, dReal, dFake *data.Array) float64
	// Generator returns G's loss given D's outputs on the generated
	// samples, and writes its gradient w.r.t. them into dFake.
	Generator(fake, dFake *data.Array) float64
}

// NonSaturating is the non-saturating GAN loss on a discriminator with one
// output, a logit l (Goodfellow et al. 2014, §3): with the binary
// cross-entropy on logits bce(l, y) = max(l, 0) − l·y + log(1 + e^−|l|),
// D's loss is mean_real bce(l, 1) + mean_fake bce(l, 0), and G's is
// mean_fake bce(l, 1) = mean −log σ(l). The gradients w.r.t. a logit are
// (σ(l) − y)/n over a batch of n. Arithmetic is float64; no clipping is
// needed on logits. A NaN logit gives a NaN loss and gradient.
var NonSaturating Loss = nonSaturating{}

type nonSaturating struct{}

func (nonSaturating) Discriminator(real, fake, dReal, dFake *data.Array) float64 {
	return bceLogits(real, 1, dReal) + bceLogits(fake, 0, dFake)
}

func (nonSaturating) Generator(fake, dFake *data.Array) float64 {
	return bceLogits(fake, 1, dFake)
}

// bceLogits returns the mean binary cross-entropy of the logits against the
// target y, and writes its gradient w.r.t. each logit into grad.
func bceLogits(logits *data.Array, y float64, grad *data.Array) float64 {
	n := float64(logits.Len())
	var sum float64
	for i, v := range logits.Data {
		l := float64(v)
		sum += max(l, 0) - l*y + math.Log1p(math.Exp(-math.Abs(l)))
		grad.Data[i] = float32((1/(1+math.Exp(-l)) - y) / n)
	}
	return sum / n
}
