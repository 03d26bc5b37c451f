package nn

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"subsetscan/data"
)

// InitGlorot sets every layer's params to Keras' default initialisation:
// kernels Glorot uniform, values drawn uniformly from [−limit, limit) with
// limit = √(6 / (fan_in + fan_out)), where a Conv2D kernel [kh, kw, in, out]
// has fan_in = kh·kw·in and fan_out = kh·kw·out, and a Dense kernel [in, out]
// has fan_in = in and fan_out = out; biases zero. The values come from a
// PCG generator seeded with seed, drawn layer by layer in the order of the
// architecture and, within a kernel, in its row-major Keras layout, so the
// same seed always gives the same weights. LSTM and BiLSTM layers follow
// Keras' LSTM defaults instead (see LSTM: an orthogonal recurrent kernel,
// a forget-gate bias of 1).
func (m *Model) InitGlorot(seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x676c6f726f74)) // "glorot"
	for _, nd := range m.nodes {
		nd.layer.init(rng)
	}
}

// Param is one trainable array of a model.
type Param struct {
	// Name is the array's key in weight files: "<layer>/kernel",
	// "<layer>/bias".
	Name string
	// Shape is its shape, in Keras' layout.
	Shape []int
	// Data holds its values, row-major. It aliases the model's weights:
	// writing it changes the model.
	Data []float32
}

// Params returns the model's trainable arrays in a fixed order, layer by
// layer in the order of the architecture and within a layer kernel then
// bias: the order of the gradients of Gradients and of Step.
func (m *Model) Params() []Param {
	var ps []Param
	for _, nd := range m.nodes {
		for _, p := range nd.layer.params() {
			ps = append(ps, Param{Name: nd.name + "/" + p.name, Shape: slices.Clone(p.shape), Data: p.data})
		}
	}
	return ps
}

// params returns the data of the trainable arrays in the order of Params.
func (m *Model) params() [][]float32 {
	var ps [][]float32
	for _, nd := range m.nodes {
		for _, p := range nd.layer.params() {
			ps = append(ps, p.data)
		}
	}
	return ps
}

// Step updates the model's params with one step of opt given their
// gradients, in the order of Params (as Gradients returns them). An
// Optimizer keeps state for the params it was first stepped with, so each
// model needs its own. Step panics if grads does not match the params in
// number or lengths.
func (m *Model) Step(opt Optimizer, grads [][]float32) {
	params := m.params()
	if len(grads) != len(params) {
		panic(fmt.Sprintf("nn: Step: %d gradients for %d params", len(grads), len(params)))
	}
	for i, p := range params {
		if len(grads[i]) != len(p) {
			panic(fmt.Sprintf("nn: Step: gradient %d has %d values for %d params", i, len(grads[i]), len(p)))
		}
	}
	opt.Step(params, grads)
}

// newGrads allocates zeroed gradient buffers shaped like the params: per
// layer (nil for layers without params), and the same buffers as a flat
// list in the order of Params.
func (m *Model) newGrads() ([][][]float32, [][]float32) {
	pg := make([][][]float32, len(m.nodes))
	var flat [][]float32
	for i, nd := range m.nodes {
		for _, p := range nd.layer.params() {
			g := make([]float32, len(p.data))
			pg[i] = append(pg[i], g)
			flat = append(flat, g)
		}
	}
	return pg, flat
}

// Loss is a training loss with Keras semantics.
type Loss int

const (
	// BinaryCrossEntropy is Keras' binary_crossentropy on a sigmoid
	// output p with targets y in [0, 1]: p is clipped to [ε, 1−ε] with
	// ε = 1e-7, the loss of one value is −(y·ln p + (1−y)·ln(1−p)), and
	// the loss of a batch is the mean over every output value of every
	// sample (pixels and batch). Its gradient w.r.t. the pre-activation z
	// of the sigmoid is (p − y)/count where p lies inside the clipping
	// range and 0 outside it (TensorFlow's clip passes no gradient there).
	BinaryCrossEntropy Loss = iota + 1
	// CategoricalCrossEntropy is Keras' categorical_crossentropy on a
	// softmax output p with target distributions y (one-hot labels): p is
	// renormalised to sum 1, clipped to [ε, 1−ε], and the loss of a sample
	// is −Σ_k y_k·ln p_k; the loss of a batch is the mean over samples.
	// For a one-hot y with label t, the gradient w.r.t. the logits is
	// (p − y)/n while ε ≤ p_t ≤ 1−ε, and 0 once p_t is clipped (in
	// float32, once the softmax rounds p_t to 1).
	CategoricalCrossEntropy
)

// lossEps is Keras' K.epsilon(), the clipping bound of its cross-entropies.
const lossEps = 1e-7

func (f Loss) String() string {
	switch f {
	case BinaryCrossEntropy:
		return "binary_crossentropy"
	case CategoricalCrossEntropy:
		return "categorical_crossentropy"
	}
	return fmt.Sprintf("Loss(%d)", int(f))
}

// outputs are the activations that each loss needs on the last layer.
var outputs = map[Loss]string{BinaryCrossEntropy: "sigmoid", CategoricalCrossEntropy: "softmax"}

// check reports whether the loss fits the model's last layer.
func (f Loss) check(m *Model) error {
	want, ok := outputs[f]
	if !ok {
		return fmt.Errorf("nn: unknown loss %v", f)
	}
	last, ok := m.last().layer.(activated)
	if !ok || last.activation() != activations[want] {
		spec := m.Arch.Layers[len(m.nodes)-1]
		return fmt.Errorf("nn: %s: %v needs a %s output, layer %s has activation %q", m.Arch.Name, f, want, spec.Name, spec.Activation)
	}
	return nil
}

// f32Eps is the float32 nearest to lossEps, and f32OneMinusEps the float32
// nearest to 1−lossEps: Keras clips float32 outputs to these.
var (
	f32Eps         = float32(lossEps)
	f32OneMinusEps = float32(1 - lossEps)
)

// sampleLoss returns one sample's loss given the last layer's output p and
// the target y, and, when gp is not nil, writes into gp the gradient of
// scale·loss w.r.t. the last layer's pre-activation.
func (f Loss) sampleLoss(p, y, gp []float32, scale float64) float64 {
	switch f {
	case BinaryCrossEntropy:
		var s float64
		n := float64(len(p))
		for i, v := range p {
			c := min(max(v, f32Eps), f32OneMinusEps)
			t := float64(y[i])
			s -= t*math.Log(float64(c)) + (1-t)*math.Log(1-float64(c))
			if gp != nil {
				if v < f32Eps || v > f32OneMinusEps {
					gp[i] = 0
				} else {
					gp[i] = float32((float64(v) - t) * scale / n)
				}
			}
		}
		return s / n
	case CategoricalCrossEntropy:
		var sum float32
		for _, v := range p {
			sum += v
		}
		var s float64
		// g is the gradient w.r.t. the renormalised, clipped output
		// q = clip(p/sum); then back through the renormalisation and the
		// softmax.
		var dot float64 // Σ_k g_k·q_k before clipping, for the renormalisation
		for i, v := range p {
			q := v / sum
			c := min(max(q, f32Eps), f32OneMinusEps)
			s -= float64(y[i]) * math.Log(float64(c))
			if gp != nil {
				g := 0.0
				if q >= f32Eps && q <= f32OneMinusEps {
					g = -float64(y[i]) / float64(c)
				}
				gp[i] = float32(g)
				dot += g * float64(q)
			}
		}
		if gp != nil {
			// ∂(p_i/sum)/∂p_j = δ_ij/sum − p_i/sum², so the gradient
			// w.r.t. p is (g_j − Σ_i g_i q_i)/sum; through the softmax,
			// ∂/∂z_k = p_k·(h_k − Σ_j p_j h_j).
			h := make([]float64, len(p))
			var ph float64
			for j := range p {
				h[j] = (float64(gp[j]) - dot) / float64(sum)
				ph += float64(p[j]) * h[j]
			}
			for k, v := range p {
				gp[k] = float32(float64(v) * (h[k] - ph) * scale)
			}
		}
		return s
	}
	panic("nn: unknown loss")
}

// Optimizer updates weights from their gradients, once per batch. The
// state (moments, accumulators) is allocated on the first step, shaped like
// the params, so an Optimizer serves one model.
type Optimizer interface {
	// Step updates every params[i] from grads[i], element by element.
	Step(params, grads [][]float32)
}

// Adadelta is Keras 2.2.4's Adadelta: for each weight p with gradient g,
//
//	a  ← ρ·a + (1−ρ)·g²
//	u  = g·√(d + ε) / √(a + ε)
//	p  ← p − lr·u
//	d  ← ρ·d + (1−ρ)·u²
//
// with a and d starting at 0. Arithmetic is float32, as in Keras.
type Adadelta struct {
	LR, Rho, Epsilon float32
	acc, delta       [][]float32
}

// NewAdadelta returns Adadelta with Keras' defaults: lr 1.0, ρ 0.95,
// ε 1e-7.
func NewAdadelta() *Adadelta { return &Adadelta{LR: 1, Rho: 0.95, Epsilon: 1e-7} }

// Step implements Optimizer.
func (o *Adadelta) Step(params, grads [][]float32) {
	if o.acc == nil {
		o.acc, o.delta = zerosLike(params), zerosLike(params)
	}
	for i, p := range params {
		a, d, g := o.acc[i], o.delta[i], grads[i]
		for j := range p {
			a[j] = o.Rho*a[j] + (1-o.Rho)*g[j]*g[j]
			u := g[j] * sqrt32(d[j]+o.Epsilon) / sqrt32(a[j]+o.Epsilon)
			p[j] -= o.LR * u
			d[j] = o.Rho*d[j] + (1-o.Rho)*u*u
		}
	}
}

// Adam is Keras 2.2.4's Adam: at step t = 1, 2, … for each weight p with
// gradient g,
//
//	lr_t = lr·√(1−β₂ᵗ) / (1−β₁ᵗ)
//	m    ← β₁·m + (1−β₁)·g
//	v    ← β₂·v + (1−β₂)·g²
//	p    ← p − lr_t·m / (√v + ε)
//
// with m and v starting at 0 (the bias correction folded into lr_t and ε
// added to the uncorrected √v, as Keras does). Arithmetic is float32.
type Adam struct {
	LR, Beta1, Beta2, Epsilon float32
	t                         int
	m, v                      [][]float32
}

// NewAdam returns Adam with Keras' defaults: lr 0.001, β₁ 0.9, β₂ 0.999,
// ε 1e-7.
func NewAdam() *Adam { return &Adam{LR: 0.001, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7} }

// Step implements Optimizer.
func (o *Adam) Step(params, grads [][]float32) {
	if o.m == nil {
		o.m, o.v = zerosLike(params), zerosLike(params)
	}
	o.t++
	t := float32(o.t)
	b1t := float32(math.Pow(float64(o.Beta1), float64(t)))
	b2t := float32(math.Pow(float64(o.Beta2), float64(t)))
	lrt := o.LR * sqrt32(1-b2t) / (1 - b1t)
	for i, p := range params {
		m, v, g := o.m[i], o.v[i], grads[i]
		for j := range p {
			m[j] = o.Beta1*m[j] + (1-o.Beta1)*g[j]
			v[j] = o.Beta2*v[j] + (1-o.Beta2)*g[j]*g[j]
			p[j] -= lrt * m[j] / (sqrt32(v[j]) + o.Epsilon)
		}
	}
}

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }

func zerosLike(ps [][]float32) [][]float32 {
	out := make([][]float32, len(ps))
	for i, p := range ps {
		out[i] = make([]float32, len(p))
	}
	return out
}

// TrainOptions configures Train.
type TrainOptions struct {
	Loss      Loss
	Optimizer Optimizer
	Epochs    int
	// BatchSize is the mini-batch size (0 means 128, Keras' default is
	// 32; the authors used 128). The last batch of an epoch holds the
	// remainder.
	BatchSize int
	// Seed seeds the shuffling: the order of the samples in each epoch is
	// a permutation drawn from a PCG generator seeded with Seed, one
	// permutation per epoch in sequence.
	Seed uint64
	// Workers is the number of goroutines (0 means GOMAXPROCS). The
	// weights after training do not depend on it.
	Workers int
	// Progress, if not nil, is called after every batch and at the end of
	// every epoch, from the goroutine that called Train.
	Progress func(Progress)
}

// Progress reports training progress.
type Progress struct {
	Epoch, Epochs   int // 1-based epoch, and the number of epochs
	Batch, Batches  int // 1-based batch within the epoch; Batch == Batches at its last batch
	BatchLoss       float64
	Loss            float64 // mean loss over the epoch's samples so far (Keras' running epoch loss)
	EpochDone       bool    // the epoch has finished; Loss is its final training loss
	Samples, OfSize int     // samples done in this epoch, of the epoch's size
}

// Train fits the model to inputs x and targets y (one row of y per sample,
// as many values as the last layer has outputs; for a classifier, OneHot
// labels) by mini-batch gradient descent with the given loss and
// optimizer, and returns the training loss of each epoch.
//
// Each batch is split into chunks of 8 samples; the gradients of a chunk's
// samples are summed in order by one goroutine, and the chunks' sums are
// then added in chunk order, so the result is the same, bit for bit,
// whatever the number of workers or their scheduling. Train stops with
// ctx's error when ctx is cancelled (checked between batches), leaving the
// weights of the last finished batch.
func (m *Model) Train(ctx context.Context, x, y *data.Array, opt TrainOptions) ([]float64, error) {
	bs, err := m.checkTrain(x, y, opt)
	if err != nil {
		return nil, err
	}
	n := x.Len()
	r := m.newReducer(bs, opt.Workers)
	params := m.params()
	rng := rand.New(rand.NewPCG(opt.Seed, 0x73687566666c65)) // "shuffle"
	perm := make([]int, n)
	losses := make([]float64, 0, opt.Epochs)
	nb := (n + bs - 1) / bs
	for epoch := 1; epoch <= opt.Epochs; epoch++ {
		for i := range perm {
			perm[i] = i
		}
		rng.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		var epochSum float64
		for b := range nb {
			if err := ctx.Err(); err != nil {
				return losses, err
			}
			idx := perm[b*bs : min((b+1)*bs, n)]
			bl, err := m.trainBatch(r, x, y, idx, opt.Loss)
			if err != nil {
				return losses, fmt.Errorf("nn: %s: epoch %d batch %d: %w", m.Arch.Name, epoch, b+1, err)
			}
			opt.Optimizer.Step(params, r.total)
			epochSum += bl
			done := min((b+1)*bs, n)
			if opt.Progress != nil {
				opt.Progress(Progress{Epoch: epoch, Epochs: opt.Epochs, Batch: b + 1, Batches: nb,
					BatchLoss: bl / float64(len(idx)), Loss: epochSum / float64(done), Samples: done, OfSize: n})
			}
		}
		losses = append(losses, epochSum/float64(n))
		if opt.Progress != nil {
			opt.Progress(Progress{Epoch: epoch, Epochs: opt.Epochs, Batch: nb, Batches: nb,
				Loss: epochSum / float64(n), EpochDone: true, Samples: n, OfSize: n})
		}
	}
	return losses, nil
}

// checkTrain checks Train's arguments and returns the batch size, at most
// the number of samples.
func (m *Model) checkTrain(x, y *data.Array, opt TrainOptions) (int, error) {
	if err := m.checkInput(x); err != nil {
		return 0, err
	}
	if err := opt.Loss.check(m); err != nil {
		return 0, err
	}
	if err := m.checkTargets(x, y); err != nil {
		return 0, err
	}
	if err := y.CheckFinite(); err != nil {
		return 0, fmt.Errorf("nn: %s: targets: %w", m.Arch.Name, err)
	}
	if opt.Optimizer == nil {
		return 0, fmt.Errorf("nn: %s: no optimizer", m.Arch.Name)
	}
	if opt.Epochs < 1 {
		return 0, fmt.Errorf("nn: %s: epochs %d must be at least 1", m.Arch.Name, opt.Epochs)
	}
	bs := opt.BatchSize
	if bs == 0 {
		bs = 128
	}
	if bs < 1 {
		return 0, fmt.Errorf("nn: %s: batch size %d must be positive", m.Arch.Name, bs)
	}
	return min(bs, x.Len()), nil
}

// checkTargets checks that y holds one row of outputs per sample of x.
func (m *Model) checkTargets(x, y *data.Array) error {
	if y.Len() != x.Len() || y.RowSize() != m.last().size {
		return fmt.Errorf("nn: %s: targets of shape %v for %d samples of %d outputs", m.Arch.Name, y.Shape, x.Len(), m.last().size)
	}
	return nil
}

// trainBatch sums the gradients of the loss over the samples idx of x
// (targets y) into r.total and returns the sum of their losses; a
// non-finite gradient is an error.
func (m *Model) trainBatch(r *reducer, x, y *data.Array, idx []int, loss Loss) (float64, error) {
	scale := 1 / float64(len(idx))
	bl := r.sum(idx, func(t *tape, gt *gradTape, s int, pg [][][]float32) float64 {
		m.forward(t, x.Row(s))
		l := loss.sampleLoss(m.output(t), y.Row(s), gt.up, scale)
		m.backward(t, gt, gt.up, true, pg, false)
		return l
	})
	for _, g := range r.total {
		for _, v := range g {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return bl, errors.New("non-finite gradient")
			}
		}
	}
	return bl, nil
}

// OneHot returns labels as one-hot rows of k values, [n, k]. A label
// outside [0, k) is an error naming the sample.
func OneHot(labels []int, k int) (*data.Array, error) {
	out := data.NewArray(len(labels), k)
	for i, c := range labels {
		if c < 0 || c >= k {
			return nil, fmt.Errorf("nn: label %d of sample %d is outside [0, %d)", c, i, k)
		}
		out.Data[i*k+c] = 1
	}
	return out, nil
}

// Evaluate returns the mean loss of the model on inputs x with targets y,
// as Keras' evaluate reports it (the mean over samples of each sample's
// loss, accumulated in float64 in sample order).
func (m *Model) Evaluate(x, y *data.Array, loss Loss, workers int) (float64, error) {
	if err := m.checkInput(x); err != nil {
		return 0, err
	}
	if err := loss.check(m); err != nil {
		return 0, err
	}
	if err := m.checkTargets(x, y); err != nil {
		return 0, err
	}
	per := make([]float64, x.Len())
	m.forEach(x.Len(), workers, func(t *tape, s int) {
		m.forward(t, x.Row(s))
		per[s] = loss.sampleLoss(m.output(t), y.Row(s), nil, 1)
	})
	var sum float64
	for _, v := range per {
		sum += v
	}
	return sum / float64(len(per)), nil
}

// Accuracy returns the fraction of the images x whose predicted class (the
// largest output) equals the label.
func (m *Model) Accuracy(x *data.Array, labels []int, workers int) (float64, error) {
	if len(labels) != x.Len() {
		return 0, fmt.Errorf("nn: %s: %d labels for %d images", m.Arch.Name, len(labels), x.Len())
	}
	p, err := m.Predict(x, workers)
	if err != nil {
		return 0, err
	}
	correct := 0
	for i, c := range Argmax(p) {
		if c == labels[i] {
			correct++
		}
	}
	return float64(correct) / float64(len(labels)), nil
}
