package fake

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// logitOf returns ln(p/(1−p)).
func logitOf(p float64) float64 { return math.Log(p / (1 - p)) }

// TestFitLogRegBinaryFeature checks the maximum-likelihood fit on one
// binary feature, which has a closed form: with shares p₀ and p₁ of class
// 1 among the rows with feature 0 and 1, B = logit(p₀) and
// W = logit(p₁) − logit(p₀).
func TestFitLogRegBinaryFeature(t *testing.T) {
	// Feature 0: 10 rows, 3 in class 1; feature 1: 20 rows, 15 in class 1.
	var x [][]float64
	var y []bool
	for i := range 10 {
		x, y = append(x, []float64{0}), append(y, i < 3)
	}
	for i := range 20 {
		x, y = append(x, []float64{1}), append(y, i < 15)
	}
	m, err := FitLogReg(x, y, LogRegOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, w := logitOf(0.3), logitOf(0.75)-logitOf(0.3)
	if math.Abs(m.B-b) > 1e-9 || math.Abs(m.W[0]-w) > 1e-9 {
		t.Errorf("B %v, W %v; want %v, %v", m.B, m.W[0], b, w)
	}
	if got := m.Logit([]float64{1}); math.Abs(got-logitOf(0.75)) > 1e-9 {
		t.Errorf("logit at 1: %v, want %v", got, logitOf(0.75))
	}
}

// TestFitLogRegRecovers checks that the fit recovers the coefficients of
// 20 000 labels drawn from a known logistic model with two features,
// within 0.1 (their standard errors are about 0.02–0.04).
func TestFitLogRegRecovers(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	want := LogReg{B: -0.5, W: []float64{1.5, -2}}
	var x [][]float64
	var y []bool
	for range 20000 {
		row := []float64{rng.NormFloat64(), rng.NormFloat64()}
		p := 1 / (1 + math.Exp(-want.Logit(row)))
		x, y = append(x, row), append(y, rng.Float64() < p)
	}
	m, err := FitLogReg(x, y, LogRegOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(m.B-want.B) > 0.1 || math.Abs(m.W[0]-want.W[0]) > 0.1 || math.Abs(m.W[1]-want.W[1]) > 0.1 {
		t.Errorf("fit %+v, want %+v", *m, want)
	}
}

// TestFitLogRegSeparable checks separable classes: no maximum-likelihood
// fit exists (ErrNotConverged), and with a ridge penalty the fit is finite
// and separates them.
func TestFitLogRegSeparable(t *testing.T) {
	x := [][]float64{{-2, 1}, {-1, 0}, {-0.5, 2}, {0.5, -1}, {1, 1}, {3, 0}}
	y := []bool{false, false, false, true, true, true}
	if _, err := FitLogReg(x, y, LogRegOptions{MaxIter: 50}); !errors.Is(err, ErrNotConverged) {
		t.Errorf("separable, no penalty: got %v, want ErrNotConverged", err)
	}
	m, err := FitLogReg(x, y, LogRegOptions{L2: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range x {
		if z := m.Logit(row); (z > 0) != y[i] || math.IsNaN(z) {
			t.Errorf("row %d: logit %v, class %v", i, z, y[i])
		}
	}
}

// TestFitLogRegErrors checks the bad inputs.
func TestFitLogRegErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		x    [][]float64
		y    []bool
	}{
		{"empty", nil, nil},
		{"labels mismatch", [][]float64{{1}, {2}}, []bool{true}},
		{"ragged", [][]float64{{1}, {2, 3}}, []bool{true, false}},
		{"NaN", [][]float64{{1}, {math.NaN()}}, []bool{true, false}},
		{"one class", [][]float64{{1}, {2}}, []bool{true, true}},
	} {
		if _, err := FitLogReg(c.x, c.y, LogRegOptions{}); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

func BenchmarkFitLogReg(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := make([][]float64, 20000)
	y := make([]bool, len(x))
	for i := range x {
		x[i] = make([]float64, 6)
		for j := range x[i] {
			x[i][j] = rng.Float64()
		}
		y[i] = rng.Float64() < x[i][0]
	}
	for b.Loop() {
		if _, err := FitLogReg(x, y, LogRegOptions{L2: 1e-3}); err != nil {
			b.Fatal(err)
		}
	}
}
