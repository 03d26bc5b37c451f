package attack

import (
	"context"
	"fmt"
	"math"

	"subsetscan/data"
)

// FGSM is the fast gradient sign method with the L∞ norm (Goodfellow et al.
// 2015), as ART 0.9's FastGradientMethod: x' = x + ε·sign(∇ₓ loss), with the
// labels the model itself predicts unless given.
type FGSM struct {
	// Eps is the step ε.
	Eps float32
	// Clip, when not nil, bounds the pixels of the result ([0, 1] for
	// images). ART clips only when the classifier has clip values; the
	// authors' classifier had none.
	Clip *[2]float32
	// Workers bounds the parallelism; 0 means all cores.
	Workers int
}

// Generate returns the adversarial images of x. labels may be nil.
func (a FGSM) Generate(ctx context.Context, c Classifier, x *data.Array, labels []int) (*data.Array, error) {
	if !(a.Eps > 0) || math.IsInf(float64(a.Eps), 0) {
		return nil, fmt.Errorf("attack: FGSM eps must be positive and finite, got %v", a.Eps)
	}
	if labels == nil {
		var err error
		if labels, err = Predictions(c, x, a.Workers); err != nil {
			return nil, err
		}
	}
	grad, err := LossGradient(ctx, c, x, labels, a.Workers)
	if err != nil {
		return nil, err
	}
	adv := &data.Array{Shape: append([]int{}, x.Shape...), Data: make([]float32, len(x.Data))}
	for i, v := range x.Data {
		adv.Data[i] = v + a.Eps*sign(grad.Data[i])
	}
	clip(adv.Data, a.Clip)
	return adv, nil
}

func sign(v float32) float32 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

func clip(x []float32, bounds *[2]float32) {
	if bounds == nil {
		return
	}
	for i, v := range x {
		x[i] = min(max(v, bounds[0]), bounds[1])
	}
}
