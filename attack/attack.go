package attack

import (
	"context"
	"fmt"
	"math"

	"subsetscan/data"
	"subsetscan/nn"
)

// Classifier is what the attacks need of a model: class probabilities and
// vector-Jacobian products w.r.t. the input. *nn.Model implements it.
type Classifier interface {
	Predict(x *data.Array, workers int) (*data.Array, error)
	InputGradient(x, upstream *data.Array, logits bool, workers int) (*data.Array, error)
}

var _ Classifier = (*nn.Model)(nil)

// Logitser is implemented by classifiers that expose their pre-softmax
// outputs, as *nn.Model does.
type Logitser interface {
	Logits(x *data.Array, workers int) (*data.Array, error)
}

// LossGradient returns the gradient w.r.t. the input of the softmax
// cross-entropy between the one-hot labels and the classifier's logits, as
// ART 0.9's KerasClassifier.loss_gradient computes it with the TensorFlow
// backend: it takes the input of the final softmax and uses
// softmax_cross_entropy_with_logits, whose gradient w.r.t. the logits is
// softmax(z) − y computed in float32 (see the package documentation).
func LossGradient(ctx context.Context, c Classifier, x *data.Array, labels []int, workers int) (*data.Array, error) {
	if len(labels) != x.Len() {
		return nil, fmt.Errorf("attack: %d labels for %d images", len(labels), x.Len())
	}
	lc, ok := c.(Logitser)
	if !ok {
		return nil, fmt.Errorf("attack: the classifier does not expose its logits")
	}
	z, err := lc.Logits(x, workers)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	k := z.RowSize()
	up := data.NewArray(x.Len(), k)
	for i, y := range labels {
		if y < 0 || y >= k {
			return nil, fmt.Errorf("attack: label %d of image %d is not a class in [0, %d)", y, i, k)
		}
		softmaxXentGrad(up.Row(i), z.Row(i), y)
	}
	return c.InputGradient(x, up, true, workers)
}

// softmaxXentGrad writes softmax(z) − onehot(y) into dst, in float32 and in
// the order of TensorFlow's SoftmaxCrossEntropyWithLogits kernel:
// exp(z − max z) / Σ exp(z − max z) − y.
func softmaxXentGrad(dst, z []float32, y int) {
	mx := z[0]
	for _, v := range z {
		mx = max(mx, v)
	}
	var sum float32
	for i, v := range z {
		dst[i] = float32(math.Exp(float64(v - mx)))
		sum += dst[i]
	}
	for i := range dst {
		dst[i] /= sum
	}
	dst[y]--
}

// Predictions returns the classes a classifier predicts for x.
func Predictions(c Classifier, x *data.Array, workers int) ([]int, error) {
	p, err := c.Predict(x, workers)
	if err != nil {
		return nil, err
	}
	return nn.Argmax(p), nil
}

// KeepSuccessful keeps the adversarial images whose predicted class differs
// from the true label, as the authors did; it returns them and their
// indices in adv.
func KeepSuccessful(c Classifier, adv *data.Array, labels []int, workers int) (*data.Array, []int, error) {
	pred, err := Predictions(c, adv, workers)
	if err != nil {
		return nil, nil, err
	}
	var keep []int
	for i, p := range pred {
		if p != labels[i] {
			keep = append(keep, i)
		}
	}
	return adv.Gather(keep), keep, nil
}
