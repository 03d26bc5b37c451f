package fake

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// LogReg is a logistic regression: P(y = 1 | x) = σ(B + W·x).
type LogReg struct {
	W []float64
	B float64
}

// Logit returns B + W·x. It panics if x and W differ in length.
func (m *LogReg) Logit(x []float64) float64 {
	if len(x) != len(m.W) {
		panic(fmt.Sprintf("fake: LogReg.Logit: %d features for %d weights", len(x), len(m.W)))
	}
	z := m.B
	for j, v := range x {
		z += m.W[j] * v
	}
	return z
}

// LogRegOptions configures FitLogReg.
type LogRegOptions struct {
	// L2 is the ridge penalty λ/2·|W|² added to the negative
	// log-likelihood (the bias is not penalised). 0 means none: the
	// maximum-likelihood fit, which does not exist when the classes are
	// separable.
	L2 float64
	// MaxIter bounds the Newton iterations (0 means 100).
	MaxIter int
}

// ErrNotConverged is returned by FitLogReg when Newton's method does not
// converge, as happens without a penalty on separable data.
var ErrNotConverged = errors.New("fake: logistic regression did not converge (separable classes? set an L2 penalty)")

// FitLogReg fits a logistic regression to the rows x (one feature vector
// each, all of one length) with labels y (true for class 1) by Newton's
// method (iteratively reweighted least squares) on the penalised negative
// log-likelihood
//
//	L(B, W) = Σ_i [log(1 + e^{z_i}) − y_i·z_i] + λ/2·|W|²,  z_i = B + W·x_i
//
// from zero weights, halving a step while it does not lower L, until the
// largest change of a weight is below 1e-10 (relative to 1 + |weight|).
// Arithmetic is float64 and serial, so the fit is deterministic. It
// returns an error if x is empty, rows differ in length, a value is not
// finite, only one class is present, or it does not converge
// (ErrNotConverged). x and y are not changed.
func FitLogReg(x [][]float64, y []bool, opt LogRegOptions) (*LogReg, error) {
	if err := checkLogReg(x, y); err != nil {
		return nil, err
	}
	maxIter := opt.MaxIter
	if maxIter == 0 {
		maxIter = 100
	}
	k := len(x[0]) + 1 // the bias is parameter 0
	theta := make([]float64, k)
	loss := logRegLoss(x, y, theta, opt.L2)
	for range maxIter {
		step, err := newtonStep(x, y, theta, opt.L2)
		if err != nil {
			return nil, err
		}
		next, nextLoss := halveUntilLower(x, y, theta, step, loss, opt.L2)
		done := true
		for j := range theta {
			if math.Abs(next[j]-theta[j]) > 1e-10*(1+math.Abs(theta[j])) {
				done = false
			}
		}
		theta, loss = next, nextLoss
		if done {
			return &LogReg{B: theta[0], W: theta[1:]}, nil
		}
	}
	return nil, ErrNotConverged
}

// checkLogReg checks FitLogReg's arguments.
func checkLogReg(x [][]float64, y []bool) error {
	if len(x) == 0 || len(x) != len(y) {
		return fmt.Errorf("fake: logistic regression on %d rows with %d labels", len(x), len(y))
	}
	pos := 0
	for i, row := range x {
		if len(row) != len(x[0]) {
			return fmt.Errorf("fake: logistic regression: row %d has %d features, row 0 %d", i, len(row), len(x[0]))
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("fake: logistic regression: feature %d of row %d is %v", j, i, v)
			}
		}
		if y[i] {
			pos++
		}
	}
	if pos == 0 || pos == len(y) {
		return fmt.Errorf("fake: logistic regression needs both classes, got %d of %d rows in class 1", pos, len(y))
	}
	return nil
}

// logit returns theta[0] + theta[1:]·row.
func logit(theta, row []float64) float64 {
	z := theta[0]
	for j, v := range row {
		z += theta[j+1] * v
	}
	return z
}

// logRegLoss returns L(theta).
func logRegLoss(x [][]float64, y []bool, theta []float64, l2 float64) float64 {
	var s float64
	for i, row := range x {
		z := logit(theta, row)
		// log(1 + e^z) without overflow.
		s += max(z, 0) + math.Log1p(math.Exp(-math.Abs(z)))
		if y[i] {
			s -= z
		}
	}
	for _, w := range theta[1:] {
		s += l2 / 2 * w * w
	}
	return s
}

// newtonStep returns −H⁻¹g, the Newton step of L at theta.
func newtonStep(x [][]float64, y []bool, theta []float64, l2 float64) ([]float64, error) {
	k := len(theta)
	g := make([]float64, k)
	h := mat.NewSymDense(k, nil)
	row1 := make([]float64, k)
	row1[0] = 1
	for i, row := range x {
		copy(row1[1:], row)
		p := 1 / (1 + math.Exp(-logit(theta, row)))
		r := p
		if y[i] {
			r--
		}
		wt := p * (1 - p)
		for a := range k {
			g[a] += r * row1[a]
			for b := a; b < k; b++ {
				h.SetSym(a, b, h.At(a, b)+wt*row1[a]*row1[b])
			}
		}
	}
	for a := 1; a < k; a++ {
		g[a] += l2 * theta[a]
		h.SetSym(a, a, h.At(a, a)+l2)
	}
	var chol mat.Cholesky
	if !chol.Factorize(h) {
		return nil, ErrNotConverged // a singular Hessian: saturated or collinear
	}
	var step mat.VecDense
	if err := chol.SolveVecTo(&step, mat.NewVecDense(k, g)); err != nil {
		return nil, ErrNotConverged
	}
	out := make([]float64, k)
	for a := range out {
		out[a] = -step.AtVec(a)
	}
	return out, nil
}

// halveUntilLower returns theta + t·step and its loss for the first t of
// 1, 1/2, 1/4, … (at most 30 halvings) that does not raise the loss.
func halveUntilLower(x [][]float64, y []bool, theta, step []float64, loss, l2 float64) ([]float64, float64) {
	next := make([]float64, len(theta))
	t := 1.0
	for range 30 {
		for j := range next {
			next[j] = theta[j] + t*step[j]
		}
		if l := logRegLoss(x, y, next, l2); l <= loss {
			return next, l
		}
		t /= 2
	}
	return theta, loss
}
