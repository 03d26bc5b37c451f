package gan

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"

	"subsetscan/data"
)

// rotated returns Q·diag(d)·Qᵀ for the rotation Q by theta in the plane
// of the first two axes.
func rotated(d []float64, theta float64) *mat.SymDense {
	k := len(d)
	q := mat.NewDense(k, k, nil)
	for i := range k {
		q.Set(i, i, 1)
	}
	c, s := math.Cos(theta), math.Sin(theta)
	q.Set(0, 0, c)
	q.Set(0, 1, -s)
	q.Set(1, 0, s)
	q.Set(1, 1, c)
	var qd, m mat.Dense
	qd.Mul(q, mat.NewDiagDense(k, d))
	m.Mul(&qd, q.T())
	out := mat.NewSymDense(k, nil)
	for i := range k {
		for j := i; j < k; j++ {
			out.SetSym(i, j, m.At(i, j))
		}
	}
	return out
}

// TestFrechetKnown checks the distance of Gaussians with known closed
// forms: covariances that commute (diagonal in one rotated basis), for
// which d² = |Δμ|² + Σ_i (√a_i − √b_i)²; and, for 2×2 covariances that do
// not commute, tr((Σ_a Σ_b)^½) = √(tr(Σ_a Σ_b) + 2√(det Σ_a · det Σ_b))
// (the trace of the square root of a 2×2 matrix with positive
// eigenvalues).
func TestFrechetKnown(t *testing.T) {
	const tol = 1e-9 // float64 eigen-decompositions of 3×3 matrices
	muA, muB := []float64{1, 2, 3}, []float64{0, 2, 5}
	a, b := []float64{4, 1, 0.25}, []float64{1, 9, 0.25}
	got, err := frechet(muA, rotated(a, 0.7), muB, rotated(b, 0.7))
	if err != nil {
		t.Fatal(err)
	}
	want := 1.0 + 4 + (2-1)*(2-1) + (1-3)*(1-3) + 0 // |Δμ|² + Σ (√a − √b)²
	if !scalar.EqualWithinAbsOrRel(got, want, tol, tol) {
		t.Errorf("commuting: got %v, want %v", got, want)
	}
	sa, sb := rotated([]float64{3, 0.5}, 0.3), rotated([]float64{2, 1}, 1.1)
	var ab mat.Dense
	ab.Mul(sa, sb)
	trSqrt := math.Sqrt(mat.Trace(&ab) + 2*math.Sqrt(mat.Det(sa)*mat.Det(sb)))
	want = mat.Trace(sa) + mat.Trace(sb) - 2*trSqrt
	if got, err = frechet([]float64{0, 0}, sa, []float64{0, 0}, sb); err != nil || !scalar.EqualWithinAbsOrRel(got, want, tol, tol) {
		t.Errorf("non-commuting: got %v (%v), want %v", got, err, want)
	}
}

// gaussian returns n samples of N(mu, diag(sd²)).
func gaussian(rng *rand.Rand, n int, mu, sd []float64) *data.Array {
	x := data.NewArray(n, len(mu))
	for s := range n {
		for j, row := 0, x.Row(s); j < len(mu); j++ {
			row[j] = float32(mu[j] + sd[j]*rng.NormFloat64())
		}
	}
	return x
}

// TestFrechetDistanceSamples checks FrechetDistance on samples of
// Gaussians against the distance of the Gaussians themselves,
// |Δμ|² + Σ (σ_a − σ_b)² = 1 + 0.25 + 1 = 2.25, within sampling error,
// and that a set's distance to itself is 0.
func TestFrechetDistanceSamples(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	a := gaussian(rng, 20000, []float64{0, 0, 0}, []float64{1, 2, 1})
	b := gaussian(rng, 20000, []float64{1, 0.5, 0}, []float64{1, 1, 1})
	got, err := FrechetDistance(a, b)
	if err != nil {
		t.Fatal(err)
	}
	// Sampling error of the moments of 20000 samples: a few hundredths.
	if math.Abs(got-2.25) > 0.1 {
		t.Errorf("got %v, want 2.25 ± 0.1", got)
	}
	if self, err := FrechetDistance(a, a); err != nil || math.Abs(self) > 1e-9 {
		t.Errorf("distance to itself %v (%v), want 0", self, err)
	}
	for _, bad := range []*data.Array{data.NewArray(1, 3), data.NewArray(5, 4), {Shape: []int{2, 3}, Data: []float32{0, 1, 2, 3, float32(math.NaN()), 5}}} {
		if _, err := FrechetDistance(a, bad); err == nil {
			t.Errorf("samples of shape %v: no error", bad.Shape)
		}
	}
}
