package gan

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"subsetscan/data"
	"subsetscan/nn"
)

// StarOptions configures TrainStarGAN and NewStarGAN.
type StarOptions struct {
	// Options are Train's, but for Loss, which is ignored: StarGAN's
	// losses are fixed (see StarGAN).
	Options
	// LambdaCls and LambdaRec weigh the domain-classification and the
	// reconstruction losses (0 means StarGAN's 1 and 10).
	LambdaCls, LambdaRec float64
}

// StarGAN trains an attribute-editing generator G against a discriminator
// D with an auxiliary domain classifier, with the losses of StarGAN (Choi
// et al. 2018, eq. 1-6), one batch at a time. G maps an image x with the
// label planes of a target domain c (WithDomains) to an image; D maps an
// image to 1+k logits, a realness logit and k domain logits. With
// bce the binary cross-entropy on logits and ce the softmax
// cross-entropy, for real images x of domains c′ and targets c:
//
//	L_D = bce(D_src(x), 1) + bce(D_src(G(x, c)), 0) + λ_cls·ce(D_cls(x), c′)
//	L_G = bce(D_src(G(x, c)), 1) + λ_cls·ce(D_cls(G(x, c)), c)
//	      + λ_rec·mean |x − G(G(x, c), c′)|
//
// each term a mean over the batch (the reconstruction's over its
// pixels too). The adversarial loss is the non-saturating one of Train
// rather than StarGAN's WGAN-GP (whose gradient penalty needs a gradient
// of a gradient, which nn does not compute); D's and G's updates are
// simultaneous, as Trainer.Step's, rather than five D updates per G
// update.
type StarGAN struct {
	t              *Trainer
	k              int // domains
	lambdaCls, rec float64
}

// NewStarGAN returns a StarGAN trainer of g against d. It is an error if
// d's output is not a vector of 1+k logits with k ≥ 2, if g's output shape
// is not d's input shape, or if g's input is not that image shape with k
// more channels.
func NewStarGAN(g, d *nn.Model, opt StarOptions) (*StarGAN, error) {
	dOut, _ := d.OutputShape(d.LayerNames()[len(d.LayerNames())-1])
	if len(dOut) != 1 || dOut[0] < 3 {
		return nil, fmt.Errorf("gan: StarGAN discriminator %s outputs %v, want [1+domains] with at least 2 domains", d.Arch.Name, dOut)
	}
	k := dOut[0] - 1
	in := d.Arch.Input
	want := append(slices.Clone(in[:len(in)-1]), in[len(in)-1]+k)
	if !slices.Equal(g.Arch.Input, want) {
		return nil, fmt.Errorf("gan: StarGAN generator %s takes %v, want %v: discriminator %s's input %v with %d domain planes", g.Arch.Name, g.Arch.Input, want, d.Arch.Name, in, k)
	}
	opt.Loss = nil
	t, err := NewTrainer(g, d, opt.Options)
	if err != nil {
		return nil, err
	}
	s := &StarGAN{t: t, k: k, lambdaCls: opt.LambdaCls, rec: opt.LambdaRec}
	if s.lambdaCls == 0 {
		s.lambdaCls = 1
	}
	if s.rec == 0 {
		s.rec = 10
	}
	return s, nil
}

// Step updates both models once on the real images x of domains orig,
// edited towards the domains target (one each, in [0, k)), and returns
// L_D and L_G before the update. As Trainer.Step, it does not depend on
// the number of workers, and a non-finite gradient is an error that
// leaves both models unchanged. Domains out of range panic.
func (s *StarGAN) Step(x *data.Array, orig, target []int) (dLoss, gLoss float64, err error) {
	loss := domainLoss{orig: orig, target: target, lambda: s.lambdaCls}
	return s.t.step(x, WithDomains(x, target, s.k), loss, s.reconstruction(x, orig))
}

// reconstruction returns the genTerm λ_rec·mean |x − G(fake, orig)|: its
// gradient flows through G's second pass into its params and into fake.
func (s *StarGAN) reconstruction(x *data.Array, orig []int) genTerm {
	return func(fake, dFake *data.Array) (float64, [][]float32, error) {
		in := WithDomains(fake, orig, s.k)
		rec, err := s.t.g.Predict(in, s.t.workers)
		if err != nil {
			return 0, nil, fmt.Errorf("gan: reconstruction: %w", err)
		}
		up := data.NewArray(rec.Shape...)
		n := float64(len(rec.Data))
		var sum float64
		for i, r := range rec.Data {
			diff := float64(r) - float64(x.Data[i])
			sum += math.Abs(diff)
			if diff != 0 {
				up.Data[i] = float32(math.Copysign(s.rec/n, diff))
			}
		}
		gr, err := s.t.g.Gradients(in, up, nn.GradientOptions{Input: true, Workers: s.t.workers})
		if err != nil {
			return 0, nil, err
		}
		addImageChannels(dFake, gr.Input)
		return s.rec * sum / n, gr.Params, nil
	}
}

// addImageChannels adds to each pixel of dst ([…, c]) the first c channels
// of the same pixel of src ([…, c+k]): the gradient w.r.t. an image, from
// the gradient w.r.t. the image with its label planes.
func addImageChannels(dst, src *data.Array) {
	c, cs := dst.Shape[len(dst.Shape)-1], src.Shape[len(src.Shape)-1]
	for p := range len(dst.Data) / c {
		for j := range c {
			dst.Data[p*c+j] += src.Data[p*cs+j]
		}
	}
}

// WithDomains returns the images x ([n, …, c]) with k label planes
// concatenated to the channels of each pixel ([n, …, c+k]): plane d of
// image i is 1 where d = domains[i], else 0, StarGAN's conditioning of its
// generator. x is not changed. A domain outside [0, k) or a length other
// than x's panics.
func WithDomains(x *data.Array, domains []int, k int) *data.Array {
	if len(domains) != x.Len() {
		panic(fmt.Sprintf("gan: WithDomains: %d domains for %d images", len(domains), x.Len()))
	}
	c := x.Shape[len(x.Shape)-1]
	shape := slices.Clone(x.Shape)
	shape[len(shape)-1] = c + k
	out := data.NewArray(shape...)
	pixels := x.RowSize() / c
	for i, d := range domains {
		if d < 0 || d >= k {
			panic(fmt.Sprintf("gan: WithDomains: domain %d of image %d outside [0, %d)", d, i, k))
		}
		src, dst := x.Row(i), out.Row(i)
		for p := range pixels {
			copy(dst[p*(c+k):], src[p*c:(p+1)*c])
			dst[p*(c+k)+c+d] = 1
		}
	}
	return out
}

// domainLoss is StarGAN's Loss on D's outputs [1+k] for one batch: the
// non-saturating loss on output 0 and λ·ce of outputs 1…k against orig on
// the real images (for D) and against target on the generated ones (for
// G). D is not scored on classifying generated images.
type domainLoss struct {
	orig, target []int
	lambda       float64
}

func (l domainLoss) Discriminator(real, fake, dReal, dFake *data.Array) float64 {
	return realness(real, 1, dReal) + realness(fake, 0, dFake) + l.lambda*crossEntropy(real, l.orig, dReal)
}

func (l domainLoss) Generator(fake, dFake *data.Array) float64 {
	return realness(fake, 1, dFake) + l.lambda*crossEntropy(fake, l.target, dFake)
}

// realness is bceLogits on output 0 of each row of out, writing the
// gradients into column 0 of grad.
func realness(out *data.Array, y float64, grad *data.Array) float64 {
	n := out.Len()
	col, g := data.NewArray(n, 1), data.NewArray(n, 1)
	for i := range n {
		col.Data[i] = out.Row(i)[0]
	}
	loss := bceLogits(col, y, g)
	for i := range n {
		grad.Row(i)[0] = g.Data[i]
	}
	return loss
}

// crossEntropy returns the mean softmax cross-entropy of outputs 1…k of
// each row of out against labels, and adds its gradient (softmax − one-hot)
// /n into columns 1…k of grad. Arithmetic is float64, with the maximum
// logit subtracted.
func crossEntropy(out *data.Array, labels []int, grad *data.Array) float64 {
	n := out.Len()
	var sum float64
	p := make([]float64, out.RowSize()-1)
	for i := range n {
		logits := out.Row(i)[1:]
		m := float64(slices.Max(logits))
		var z float64
		for j, v := range logits {
			p[j] = math.Exp(float64(v) - m)
			z += p[j]
		}
		sum += m + math.Log(z) - float64(logits[labels[i]])
		g := grad.Row(i)[1:]
		for j := range p {
			d := p[j] / z
			if j == labels[i] {
				d--
			}
			g[j] += float32(d / float64(n))
		}
	}
	return sum / float64(n)
}

// streamTarget is the PCG stream of TrainStarGAN's target domains.
const streamTarget = 0x746172676574 // "target"

// TrainStarGAN trains the StarGAN generator g against d (NewStarGAN) on the
// real images x of the given domains (in [0, k)) for opt.Epochs passes, in
// shuffled batches as Train's, and returns the mean losses of each epoch.
// Each image's target domain is drawn uniformly among the k−1 domains
// other than its own (a PCG generator seeded with opt.Seed, streamTarget),
// so every step edits; StarGAN permutes the batch's labels instead, which
// sometimes leaves an image in its domain. Both models must be
// initialised; ctx and the progress reports are Train's. The weights do
// not depend on opt.Workers.
func TrainStarGAN(ctx context.Context, g, d *nn.Model, x *data.Array, domains []int, opt StarOptions) (History, error) {
	s, err := NewStarGAN(g, d, opt)
	if err != nil {
		return History{}, err
	}
	bs, err := s.checkTrain(x, domains, opt.Options)
	if err != nil {
		return History{}, err
	}
	rng := rand.New(rand.NewPCG(opt.Seed, streamTarget))
	return epochLoop(ctx, x.Len(), bs, opt.Options, func(idx []int) (float64, float64, error) {
		orig, target := make([]int, len(idx)), make([]int, len(idx))
		for i, j := range idx {
			orig[i] = domains[j]
			target[i] = (orig[i] + 1 + rng.IntN(s.k-1)) % s.k
		}
		return s.Step(x.Gather(idx), orig, target)
	})
}

// checkTrain checks TrainStarGAN's arguments and returns the batch size,
// at most the number of images.
func (s *StarGAN) checkTrain(x *data.Array, domains []int, opt Options) (int, error) {
	d := s.t.d
	if x.Len() == 0 || !slices.Equal(x.Shape[1:], d.Arch.Input) {
		return 0, fmt.Errorf("gan: real images of shape %v for discriminator %s taking %v", x.Shape, d.Arch.Name, d.Arch.Input)
	}
	if len(domains) != x.Len() {
		return 0, fmt.Errorf("gan: %d domains for %d real images", len(domains), x.Len())
	}
	for i, c := range domains {
		if c < 0 || c >= s.k {
			return 0, fmt.Errorf("gan: real image %d has domain %d, want [0, %d)", i, c, s.k)
		}
	}
	if err := x.CheckFinite(); err != nil {
		return 0, fmt.Errorf("gan: real images: %w", err)
	}
	if opt.Epochs < 1 || opt.BatchSize < 0 {
		return 0, fmt.Errorf("gan: epochs %d and batch size %d must be at least 1", opt.Epochs, opt.BatchSize)
	}
	bs := opt.BatchSize
	if bs == 0 {
		bs = 64
	}
	return min(bs, x.Len()), nil
}

// Edit returns g's edits of the images x towards the domains target
// (g(WithDomains(x, target, k)), k from g's input channels less x's; not
// clipped to x's range), on
// workers goroutines (0 means all cores); the result does not depend on
// workers. It is an error if g does not take x's images with at least 2
// more channels or does not output x's shape.
func Edit(g *nn.Model, x *data.Array, target []int, workers int) (*data.Array, error) {
	in := g.Arch.Input
	if len(x.Shape) != len(in)+1 || !slices.Equal(x.Shape[1:len(x.Shape)-1], in[:len(in)-1]) || in[len(in)-1]-x.Shape[len(x.Shape)-1] < 2 {
		return nil, fmt.Errorf("gan: generator %s takes %v, not images %v with domain planes", g.Arch.Name, in, x.Shape[1:])
	}
	k := in[len(in)-1] - x.Shape[len(x.Shape)-1]
	if len(target) != x.Len() {
		return nil, fmt.Errorf("gan: %d target domains for %d images", len(target), x.Len())
	}
	for i, c := range target {
		if c < 0 || c >= k {
			return nil, fmt.Errorf("gan: target domain %d of image %d outside [0, %d)", c, i, k)
		}
	}
	out, err := g.Predict(WithDomains(x, target, k), workers)
	if err != nil {
		return nil, err
	}
	if !slices.Equal(out.Shape, x.Shape) {
		return nil, fmt.Errorf("gan: generator %s outputs %v for images %v", g.Arch.Name, out.Shape[1:], x.Shape[1:])
	}
	return out, nil
}
