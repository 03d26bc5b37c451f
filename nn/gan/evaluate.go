package gan

import (
	"fmt"
	"math"
	"math/rand/v2"

	"subsetscan/data"
	"subsetscan/nn"
)

// EvalOptions configures Evaluate. Zero values mean the defaults.
type EvalOptions struct {
	// N is the number of samples in each set compared (0 means 5000).
	N int
	// Layer is the classifier's layer whose outputs are the features (""
	// means "dense_1", the penultimate layer of nn.ClassifierArch).
	Layer string
	// Seed seeds the generated samples (Generate) and the noise.
	Seed uint64
	// Workers is the number of goroutines (0 means all cores).
	Workers int
}

// Evaluation holds Fréchet distances (FrechetDistance, d²) on a
// classifier's features between sets of N samples, and the classifier's
// labels of the generated ones.
type Evaluation struct {
	N int
	// Generated is the distance between N generated samples and the
	// first N real ones.
	Generated float64
	// Floor is the distance between the first N real samples and the
	// next N: what sampling alone gives.
	Floor float64
	// Ceiling is the distance between N images of Gaussian noise (each
	// pixel drawn with the real pixels' mean and standard deviation,
	// clipped to [0, 1]) and the first N real samples.
	Ceiling float64
	// Labels counts the generated samples of each class predicted by the
	// classifier (the largest output of its last layer).
	Labels []int
	// Confidence is the classifier's mean largest output over the
	// generated samples (for a softmax, the mean top probability).
	Confidence float64
}

// Evaluate compares samples of the generator g with real samples (at least
// 2·N, in the generator's output shape) on the features of a classifier,
// the outputs of its layer opt.Layer: Fréchet distances between generated
// and real samples, between two disjoint sets of real ones (the floor) and
// between noise and real ones (the ceiling), and the classifier's labels of
// the generated samples. real is not changed.
func Evaluate(g, classifier *nn.Model, real *data.Array, opt EvalOptions) (Evaluation, error) {
	n, layer := opt.N, opt.Layer
	if n == 0 {
		n = 5000
	}
	if layer == "" {
		layer = "dense_1"
	}
	ev := Evaluation{N: n}
	if n < 2 || real.Len() < 2*n {
		return ev, fmt.Errorf("gan: Evaluate: %d real samples for 2 sets of %d", real.Len(), n)
	}
	fake, err := Generate(g, opt.Seed, n, opt.Workers)
	if err != nil {
		return ev, err
	}
	sets := []*data.Array{real.Slice(0, n), real.Slice(n, 2*n), fake, noiseLike(real.Slice(0, n), opt.Seed)}
	feats := make([]*data.Array, len(sets))
	last := classifier.LayerNames()[len(classifier.LayerNames())-1]
	for i, x := range sets {
		out, err := classifier.Forward(x, []string{layer, last}, opt.Workers)
		if err != nil {
			return ev, fmt.Errorf("gan: Evaluate: %w", err)
		}
		feats[i] = out[layer]
		if i == 2 {
			ev.Labels, ev.Confidence = labels(out[last])
		}
	}
	for _, d := range []struct {
		dst  *float64
		a, b int
	}{{&ev.Floor, 0, 1}, {&ev.Generated, 0, 2}, {&ev.Ceiling, 0, 3}} {
		if *d.dst, err = FrechetDistance(feats[d.a], feats[d.b]); err != nil {
			return ev, err
		}
	}
	return ev, nil
}

// labels returns the count of each argmax of the rows of p and the mean of
// their maxima.
func labels(p *data.Array) ([]int, float64) {
	counts := make([]int, p.RowSize())
	var conf float64
	for s, c := range nn.Argmax(p) {
		counts[c]++
		conf += float64(p.Row(s)[c])
	}
	return counts, conf / float64(p.Len())
}

// noiseLike returns images shaped like x of Gaussian noise with x's pixel
// mean and standard deviation, clipped to [0, 1], drawn from a PCG
// generator seeded with seed.
func noiseLike(x *data.Array, seed uint64) *data.Array {
	var sum, sq float64
	for _, v := range x.Data {
		sum += float64(v)
		sq += float64(v) * float64(v)
	}
	mean := sum / float64(len(x.Data))
	sd := math.Sqrt(max(sq/float64(len(x.Data))-mean*mean, 0))
	rng := rand.New(rand.NewPCG(seed, 0x6e6f697365)) // "noise"
	out := data.NewArray(x.Shape...)
	for i := range out.Data {
		out.Data[i] = float32(min(max(mean+sd*rng.NormFloat64(), 0), 1))
	}
	return out
}
