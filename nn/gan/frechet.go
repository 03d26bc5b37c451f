package gan

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"subsetscan/data"
)

// FrechetDistance returns the Fréchet distance between Gaussians fitted to
// the rows of a and of b (samples as rows, features as columns: [n, ...],
// flattened per sample), the FID of Heusel et al. 2017 when the features
// are an Inception network's pool features:
//
//	d² = |μ_a − μ_b|² + tr(Σ_a) + tr(Σ_b) − 2·tr((Σ_a Σ_b)^½)
//
// with the sample means μ and the sample covariances Σ (divided by n − 1,
// as numpy.cov and the reference FID code). It returns d², as FID
// reports. The trace of the square root is computed as Σ √λ_i over the
// eigenvalues λ_i of the symmetric product Σ_a^½ Σ_b Σ_a^½, which has the
// same eigenvalues as Σ_a Σ_b; Σ_a^½ comes from the eigen-decomposition of
// Σ_a; eigenvalues that rounding leaves below zero count as 0. Sums are in
// float64. It is an error if a or b has fewer than 2 samples, if their
// rows differ in size, or if they hold a NaN or an infinity; a and b are
// not changed.
func FrechetDistance(a, b *data.Array) (float64, error) {
	if a.Len() < 2 || b.Len() < 2 {
		return 0, fmt.Errorf("gan: Fréchet distance of %d and %d samples: need at least 2 each", a.Len(), b.Len())
	}
	if a.RowSize() != b.RowSize() {
		return 0, fmt.Errorf("gan: Fréchet distance between %d and %d features", a.RowSize(), b.RowSize())
	}
	for _, x := range []*data.Array{a, b} {
		if err := x.CheckFinite(); err != nil {
			return 0, fmt.Errorf("gan: Fréchet distance: %w", err)
		}
	}
	muA, covA := moments(a)
	muB, covB := moments(b)
	return frechet(muA, covA, muB, covB)
}

// moments returns the mean and the sample covariance (over n − 1) of the
// rows of x.
func moments(x *data.Array) ([]float64, *mat.SymDense) {
	n, k := x.Len(), x.RowSize()
	mu := make([]float64, k)
	for s := range n {
		for j, v := range x.Row(s) {
			mu[j] += float64(v)
		}
	}
	for j := range mu {
		mu[j] /= float64(n)
	}
	c := mat.NewDense(n, k, nil)
	for s := range n {
		for j, v := range x.Row(s) {
			c.Set(s, j, float64(v)-mu[j])
		}
	}
	cov := mat.NewSymDense(k, nil)
	cov.SymOuterK(1/float64(n-1), c.T())
	return mu, cov
}

// frechet returns the squared Fréchet distance between N(muA, covA) and
// N(muB, covB).
func frechet(muA []float64, covA *mat.SymDense, muB []float64, covB *mat.SymDense) (float64, error) {
	var d2 float64
	for j := range muA {
		d2 += (muA[j] - muB[j]) * (muA[j] - muB[j])
	}
	sqrtA, err := sqrtSym(covA)
	if err != nil {
		return 0, err
	}
	var prod, m mat.Dense
	prod.Mul(sqrtA, covB)
	m.Mul(&prod, sqrtA)
	k := len(muA)
	sym := mat.NewSymDense(k, nil)
	for i := range k {
		for j := i; j < k; j++ {
			sym.SetSym(i, j, (m.At(i, j)+m.At(j, i))/2) // exact symmetry
		}
	}
	vals, _, err := eigenSym(sym, false)
	if err != nil {
		return 0, err
	}
	var trSqrt float64
	for _, v := range vals {
		trSqrt += math.Sqrt(max(v, 0))
	}
	return d2 + mat.Trace(covA) + mat.Trace(covB) - 2*trSqrt, nil
}

// sqrtSym returns the square root V·diag(√λ)·Vᵀ of the symmetric positive
// semi-definite s, with negative eigenvalues counted as 0.
func sqrtSym(s *mat.SymDense) (*mat.Dense, error) {
	vals, vecs, err := eigenSym(s, true)
	if err != nil {
		return nil, err
	}
	k := len(vals)
	scaled := mat.NewDense(k, k, nil)
	scaled.Apply(func(_, j int, v float64) float64 { return v * math.Sqrt(max(vals[j], 0)) }, vecs)
	var out mat.Dense
	out.Mul(scaled, vecs.T())
	return &out, nil
}

// eigenSym returns the eigenvalues of s and, if vectors, its eigenvectors
// as columns.
func eigenSym(s *mat.SymDense, vectors bool) ([]float64, *mat.Dense, error) {
	var eig mat.EigenSym
	if !eig.Factorize(s, vectors) {
		return nil, nil, errors.New("gan: Fréchet distance: eigen-decomposition did not converge")
	}
	var vecs *mat.Dense
	if vectors {
		vecs = new(mat.Dense)
		eig.VectorsTo(vecs)
	}
	return eig.Values(nil), vecs, nil
}
