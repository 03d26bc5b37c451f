package experiments

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"

	"subsetscan/data"
	"subsetscan/nn"
)

// The out-of-distribution scores of kind ood's baselines. Every score is
// oriented alike: the higher, the more out of distribution.

// softmaxT returns softmax(z/T) of the logits z.
func softmaxT(z []float32, t float64) []float64 {
	p := make([]float64, len(z))
	hi := math.Inf(-1)
	for _, v := range z {
		hi = max(hi, float64(v)/t)
	}
	sum := 0.0
	for i, v := range z {
		p[i] = math.Exp(float64(v)/t - hi)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	return p
}

// negMaxSoftmax returns, for each row of logits, −max_c softmax(z/T)_c:
// the maximum softmax probability of Hendrycks and Gimpel (2017) with
// T = 1, ODIN's temperature-scaled one otherwise, negated so that higher
// means more out of distribution.
func negMaxSoftmax(logits *data.Array, t float64) []float64 {
	out := make([]float64, logits.Len())
	for i := range out {
		out[i] = -slices.Max(softmaxT(logits.Row(i), t))
	}
	return out
}

// odinPerturb returns ODIN's preprocessed inputs (Liang et al. 2018):
// x̃ = x − ε·sign(−∇ₓ log S_ŷ(x; T)), where S(x; T) = softmax(z(x)/T)
// and ŷ its argmax; the step raises the predicted class's probability.
// The gradient of log S_ŷ with respect to the logits is (e_ŷ − S)/T.
// Pixels are not clipped to [0, 1], as in ODIN.
func odinPerturb(m *nn.Model, x *data.Array, t, eps float64, workers int) (*data.Array, error) {
	logits, err := m.Logits(x, workers)
	if err != nil {
		return nil, err
	}
	up := data.NewArray(logits.Shape...)
	for i := range logits.Len() {
		p := softmaxT(logits.Row(i), t)
		top := slices.Index(p, slices.Max(p))
		for j, pj := range p {
			g := -pj
			if j == top {
				g += 1
			}
			up.Row(i)[j] = float32(g / t)
		}
	}
	g, err := m.InputGradient(x, up, true, workers)
	if err != nil {
		return nil, err
	}
	return signStep(x, g, eps), nil
}

// signStep returns x + eps·sign(g).
func signStep(x, g *data.Array, eps float64) *data.Array {
	out := &data.Array{Shape: slices.Clone(x.Shape), Data: slices.Clone(x.Data)}
	for i, v := range g.Data {
		switch {
		case v > 0:
			out.Data[i] += float32(eps)
		case v < 0:
			out.Data[i] -= float32(eps)
		}
	}
	return out
}

// tiedGaussians are class-conditional Gaussians with a shared covariance
// on a layer's features (Lee et al. 2018): the class means and the
// (pseudo-)inverse of the covariance pooled over the classes.
type tiedGaussians struct {
	means [][]float64
	prec  *mat.SymDense
}

// fitTiedGaussians estimates the class means of the features (one row per
// sample) and the precision of their tied covariance,
// Σ = 1/N Σᵢ (fᵢ − μ_{yᵢ})(fᵢ − μ_{yᵢ})ᵀ, inverted on the eigenvectors
// whose eigenvalue exceeds 1e-10 of the largest (features that never vary,
// such as dead ReLUs, are ignored). Every class in [0, k) needs a sample.
func fitTiedGaussians(f *data.Array, labels []int, k int) (*tiedGaussians, error) {
	d := f.RowSize()
	g := &tiedGaussians{means: make([][]float64, k)}
	counts := make([]int, k)
	for c := range g.means {
		g.means[c] = make([]float64, d)
	}
	for i, y := range labels {
		counts[y]++
		for j, v := range f.Row(i) {
			g.means[y][j] += float64(v)
		}
	}
	for c, n := range counts {
		if n == 0 {
			return nil, fmt.Errorf("class %d has no sample", c)
		}
		for j := range g.means[c] {
			g.means[c][j] /= float64(n)
		}
	}
	cov := mat.NewSymDense(d, nil)
	diff := make([]float64, d)
	for i, y := range labels {
		for j, v := range f.Row(i) {
			diff[j] = float64(v) - g.means[y][j]
		}
		cov.SymRankOne(cov, 1/float64(len(labels)), mat.NewVecDense(d, diff))
	}
	prec, err := pseudoInverse(cov)
	if err != nil {
		return nil, err
	}
	g.prec = prec
	return g, nil
}

// pseudoInverse returns the Moore–Penrose inverse of the symmetric s.
func pseudoInverse(s *mat.SymDense) (*mat.SymDense, error) {
	var eig mat.EigenSym
	if !eig.Factorize(s, true) {
		return nil, fmt.Errorf("the covariance's eigendecomposition failed")
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	d := len(vals)
	p := mat.NewSymDense(d, nil)
	top := slices.Max(vals)
	for i, v := range vals {
		if v > 1e-10*top {
			p.SymRankOne(p, 1/v, vecs.ColView(i))
		}
	}
	return p, nil
}

// distance returns the smallest Mahalanobis distance (squared) of the
// features f to a class mean, the class reaching it, and the gradient of
// that distance with respect to f, 2Σ⁻¹(f − μ).
func (g *tiedGaussians) distance(f []float32) (float64, int, []float64) {
	d := len(f)
	best, cls := math.Inf(1), 0
	var grad []float64
	diff := mat.NewVecDense(d, nil)
	var pd mat.VecDense
	for c, mu := range g.means {
		for j, v := range f {
			diff.SetVec(j, float64(v)-mu[j])
		}
		pd.MulVec(g.prec, diff)
		if m := mat.Dot(diff, &pd); m < best {
			best, cls = m, c
			grad = make([]float64, d)
			for j := range grad {
				grad[j] = 2 * pd.AtVec(j)
			}
		}
	}
	return best, cls, grad
}

// featureModel returns the prefix of the model m (of architecture arch, a
// chain) that ends with layer, sharing no memory with m: its output is
// that layer's, the features of the Mahalanobis detector.
func featureModel(m *nn.Model, arch nn.Arch, layer string) (*nn.Model, error) {
	i := slices.IndexFunc(arch.Layers, func(l nn.LayerSpec) bool { return l.Name == layer })
	if i < 0 {
		return nil, fmt.Errorf("no layer %s in %s", layer, arch.Name)
	}
	arch.Layers = arch.Layers[:i+1]
	sub, err := nn.New(arch)
	if err != nil {
		return nil, err
	}
	src := map[string][]float32{}
	for _, p := range m.Params() {
		src[p.Name] = p.Data
	}
	for _, p := range sub.Params() {
		copy(p.Data, src[p.Name])
	}
	return sub, nil
}

// mahalanobisScores returns the Mahalanobis detector's scores of x (Lee et
// al. 2018): each image is first moved by eps against the gradient of its
// smallest distance, x̂ = x − ε·sign(∇ₓ M(x)) (towards its closest class),
// and its score is M(x̂), the smallest Mahalanobis distance of its features
// (the detector's confidence −M negated: higher, more out of distribution).
func mahalanobisScores(feat *nn.Model, g *tiedGaussians, x *data.Array, eps float64, workers int) ([]float64, error) {
	f, err := feat.Predict(x, workers)
	if err != nil {
		return nil, err
	}
	up := data.NewArray(f.Shape...)
	for i := range f.Len() {
		_, _, grad := g.distance(f.Row(i))
		for j, v := range grad {
			up.Row(i)[j] = float32(-v)
		}
	}
	if eps > 0 {
		gx, err := feat.InputGradient(x, up, false, workers)
		if err != nil {
			return nil, err
		}
		if f, err = feat.Predict(signStep(x, gx, eps), workers); err != nil {
			return nil, err
		}
	}
	out := make([]float64, f.Len())
	for i := range out {
		out[i], _, _ = g.distance(f.Row(i))
	}
	return out, nil
}

// tnrAtTPR returns the true-negative rate of a detector at the threshold
// where its true-positive rate is tpr, in-distribution samples being the
// positives (as in Liang et al. 2018): the threshold t is the smallest
// in-distribution score such that a share tpr of the in-distribution
// scores are ≤ t (accepted), and the TNR the share of out-of-distribution
// scores above t (rejected).
func tnrAtTPR(in, out []float64, tpr float64) float64 {
	return shareAbove(out, thresholdAt(in, tpr))
}

// thresholdAt returns the smallest of the scores in such that a share tpr
// of them are ≤ it.
func thresholdAt(in []float64, tpr float64) float64 {
	s := slices.Sorted(slices.Values(in))
	return s[max(1, int(math.Ceil(tpr*float64(len(s))-1e-9)))-1]
}

// shareAbove returns the share of the values v above t.
func shareAbove(v []float64, t float64) float64 {
	n := 0
	for _, x := range v {
		if x > t {
			n++
		}
	}
	return float64(n) / float64(len(v))
}
