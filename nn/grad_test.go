package nn

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"subsetscan/data"
)

// gradCases are the architectures of the gradient checks: between them
// they use every layer kind (TestGradCasesCoverKinds checks this), with
// "same" and "valid" padding, odd sizes, several channels, each
// activation, and graphs in which an output feeds several layers (the
// model's input included), an input repeated, and a branch that does not
// reach the output. A new layer kind adds an entry here.
var gradCases = []Arch{
	{Name: "convs", Input: []int{6, 6, 2}, Layers: []LayerSpec{
		{Name: "c1", Kind: Conv2D, Filters: 3, Kernel: 3, Padding: "same", Activation: "relu"},
		{Name: "p1", Kind: MaxPooling2D, Pool: 2, Padding: "same"},
		{Name: "u1", Kind: UpSampling2D, Size: 2},
		{Name: "c2", Kind: Conv2D, Filters: 2, Kernel: 3, Padding: "valid", Activation: "sigmoid"},
	}},
	{Name: "classifier", Input: []int{7, 7, 1}, Layers: []LayerSpec{
		{Name: "c1", Kind: Conv2D, Filters: 4, Kernel: 3, Padding: "valid", Activation: "relu"},
		{Name: "p1", Kind: MaxPooling2D, Pool: 2, Padding: "valid"},
		{Name: "f", Kind: Flatten},
		{Name: "d1", Kind: Dense, Units: 5, Activation: "relu"},
		{Name: "d2", Kind: Dense, Units: 3, Activation: "softmax"},
	}},
	{Name: "oddpool", Input: []int{5, 5, 1}, Layers: []LayerSpec{
		{Name: "p", Kind: MaxPooling2D, Pool: 2, Padding: "same"},
		{Name: "c", Kind: Conv2D, Filters: 2, Kernel: 2, Padding: "same", Activation: "linear"},
	}},
	// A residual block y = f(x) + x on the model's input, which feeds c1
	// and the sum.
	{Name: "residual", Input: []int{5, 5, 2}, Layers: []LayerSpec{
		{Name: "c1", Kind: Conv2D, Filters: 2, Kernel: 3, Padding: "same", Activation: "relu"},
		{Name: "c2", Kind: Conv2D, Filters: 2, Kernel: 3, Padding: "same"},
		{Name: "sum", Kind: Add, Inputs: []string{"c2", "input"}},
		{Name: "out", Kind: Conv2D, Filters: 1, Kernel: 3, Padding: "valid", Activation: "sigmoid"},
	}},
	// A SqueezeNet fire module: a 1×1 squeeze feeding 1×1 and 3×3
	// expansions, concatenated; a side branch that does not reach the
	// output; a three-way sum.
	{Name: "fire", Input: []int{4, 4, 3}, Layers: []LayerSpec{
		{Name: "squeeze", Kind: Conv2D, Filters: 2, Kernel: 1, Activation: "relu"},
		{Name: "e1", Kind: Conv2D, Filters: 3, Kernel: 1, Activation: "relu", Inputs: []string{"squeeze"}},
		{Name: "e3", Kind: Conv2D, Filters: 3, Kernel: 3, Padding: "same", Activation: "relu", Inputs: []string{"squeeze"}},
		{Name: "side", Kind: Conv2D, Filters: 2, Kernel: 1, Inputs: []string{"squeeze"}},
		{Name: "cat", Kind: Concatenate, Inputs: []string{"e1", "e3"}},
		{Name: "sum3", Kind: Add, Inputs: []string{"cat", "cat", "cat"}},
		{Name: "f", Kind: Flatten},
		{Name: "d", Kind: Dense, Units: 3, Activation: "softmax"},
	}},
	// A sequence [T, features], concatenated with itself along the
	// features and with a label-map-like copy of the input.
	{Name: "sequence", Input: []int{4, 3}, Layers: []LayerSpec{
		{Name: "twice", Kind: Concatenate, Inputs: []string{"input", "input"}},
		{Name: "f", Kind: Flatten},
		{Name: "d", Kind: Dense, Units: 2, Activation: "sigmoid"},
	}},
	// Speech layers (issue 9): Dense over a sequence's last axis, relu20.
	{Name: "dense_seq", Input: []int{5, 3}, Layers: []LayerSpec{
		{Name: "d1", Kind: Dense, Units: 4, Activation: "relu20"},
		{Name: "d2", Kind: Dense, Units: 3},
	}},
	{Name: "lstm", Input: []int{5, 3}, Layers: []LayerSpec{
		{Name: "l", Kind: LSTM, Units: 4, ReturnSequences: true},
		{Name: "d", Kind: Dense, Units: 2},
	}},
	{Name: "bilstm", Input: []int{4, 3}, Layers: []LayerSpec{
		{Name: "b", Kind: BiLSTM, Units: 3, ReturnSequences: true},
		{Name: "d", Kind: Dense, Units: 2},
	}},
	// Recurrent layers returning their last frame only.
	{Name: "lstm_last", Input: []int{3, 2}, Layers: []LayerSpec{
		{Name: "l", Kind: LSTM, Units: 3},
	}},
	{Name: "bilstm_last", Input: []int{3, 2}, Layers: []LayerSpec{
		{Name: "b", Kind: BiLSTM, Units: 3},
	}},
	{Name: "gru", Input: []int{5, 3}, Layers: []LayerSpec{
		{Name: "g", Kind: GRU, Units: 4, ReturnSequences: true},
		{Name: "b", Kind: BiGRU, Units: 2},
	}},
	// A front end on a waveform of 40 samples at 800 Hz: 4 frames of 16
	// samples (FFT 16), 5 mels; and on [samples, 1], 7 frames of 10 (FFT
	// 12), the last samples in no frame.
	{Name: "log_mel", Input: []int{40}, Layers: []LayerSpec{
		{Name: "m", Kind: LogMel, Mel: MelSpec{Rate: 800, Frame: 16, Hop: 8, Mels: 5, FMin: 20}},
		{Name: "d", Kind: Dense, Units: 2},
	}},
	{Name: "log_mel_odd", Input: []int{39, 1}, Layers: []LayerSpec{
		{Name: "m", Kind: LogMel, Mel: MelSpec{Rate: 800, Frame: 10, Hop: 4, FFT: 12, Mels: 3, FMax: 300}},
	}},
	// A DCGAN-like generator: Dense, LeakyReLU, Reshape to an image,
	// upsampling and convolutions, a tanh output.
	{Name: "generator", Input: []int{3}, Layers: []LayerSpec{
		{Name: "d", Kind: Dense, Units: 2 * 3 * 2},
		{Name: "lr", Kind: LeakyReLU, Alpha: 0.2},
		{Name: "r", Kind: Reshape, Shape: []int{2, 3, 2}},
		{Name: "u", Kind: UpSampling2D, Size: 2},
		{Name: "c", Kind: Conv2D, Filters: 1, Kernel: 3, Padding: "same", Activation: "tanh"},
	}},
	// A DCGAN-like discriminator: strided convolutions, "same" (odd and
	// even sizes, padding after only or on both sides) and "valid".
	{Name: "discriminator", Input: []int{7, 6, 2}, Layers: []LayerSpec{
		{Name: "c1", Kind: Conv2D, Filters: 3, Kernel: 3, Strides: 2, Padding: "same"},
		{Name: "lr1", Kind: LeakyReLU},
		{Name: "c2", Kind: Conv2D, Filters: 2, Kernel: 4, Strides: 2, Padding: "same", Activation: "tanh"},
		{Name: "c3", Kind: Conv2D, Filters: 2, Kernel: 2, Strides: 3, Padding: "valid", Inputs: []string{"lr1"}},
		{Name: "f2", Kind: Flatten, Inputs: []string{"c2"}},
		{Name: "f3", Kind: Flatten, Inputs: []string{"c3"}},
		{Name: "cat", Kind: Concatenate, Inputs: []string{"f2", "f3"}},
		{Name: "d", Kind: Dense, Units: 1},
	}},
	// A spectrogram [T, mels] as an image [T, mels, 1], convolved with
	// the mels subsampled but not the frames (Strides 1, ColStrides 2, as
	// in lv-fsdd; and 2 and 3, "valid"), back to a sequence [T, features].
	{Name: "spectrogram", Input: []int{5, 8}, Layers: []LayerSpec{
		{Name: "r", Kind: Reshape, Shape: []int{5, 8, 1}},
		{Name: "c1", Kind: Conv2D, Filters: 2, Kernel: 3, Padding: "same", Activation: "relu"},
		{Name: "c2", Kind: Conv2D, Filters: 2, Kernel: 3, ColStrides: 2, Padding: "same", Activation: "tanh"},
		{Name: "c3", Kind: Conv2D, Filters: 2, Kernel: 2, Strides: 2, ColStrides: 3, Padding: "valid", Inputs: []string{"c1"}},
		{Name: "s", Kind: Reshape, Shape: []int{5, 8}, Inputs: []string{"c2"}},
		{Name: "d", Kind: Dense, Units: 2, Activation: "relu20"},
		{Name: "f3", Kind: Flatten, Inputs: []string{"c3"}},
		{Name: "fd", Kind: Flatten, Inputs: []string{"d"}},
		{Name: "cat", Kind: Concatenate, Inputs: []string{"fd", "f3"}},
	}},
}

// randomize fills the params with seeded uniform values in ±scale
// (±scale/10 for biases).
func randomize(m *Model, rng *rand.Rand, scale float32) {
	for _, p := range m.Params() {
		s := scale
		if strings.HasSuffix(p.Name, "/bias") {
			s /= 10
		}
		for i := range p.Data {
			p.Data[i] = (rng.Float32()*2 - 1) * s
		}
	}
}

// uniform returns an array of the shape with seeded values in [lo, hi).
func uniform(rng *rand.Rand, lo, hi float32, shape ...int) *data.Array {
	a := data.NewArray(shape...)
	for i := range a.Data {
		a.Data[i] = lo + (hi-lo)*rng.Float32()
	}
	return a
}

// fdCount counts the values that checkFD compared and skipped.
type fdCount struct{ checked, skipped int }

// vacuous reports an error if more than a quarter of the values were
// skipped, or none was checked.
func (c fdCount) vacuous(t *testing.T, what string) {
	t.Helper()
	if c.checked == 0 || c.skipped > (c.checked+c.skipped)/4 {
		t.Errorf("%s: vacuous: %d values checked, %d at kinks", what, c.checked, c.skipped)
	}
}

// checkFD compares grad[i] with the central difference of f in vals[i],
// accumulated in float64, for every i, adding to count. A value where f
// has a kink within the step (a ReLU switching, a pooling window's maximum
// changing hands) that could bend the difference by more than 0.5% of the
// gradient's scale, seen as different slopes on either side, is skipped:
// there the difference means nothing. Where f does not depend on the
// values at all (a branch that does not reach the output), grad must be
// zero.
func checkFD(t *testing.T, what string, f func() float64, vals, grad []float32, count *fdCount) {
	t.Helper()
	// h is large enough for float32 outputs, small enough to rarely cross
	// a kink.
	const h = 1e-3
	gscale := 1e-3
	for _, g := range grad {
		gscale = max(gscale, math.Abs(float64(g)))
	}
	f0 := f()
	maxErr, scale := 0.0, 0.0
	for i := range vals {
		old := vals[i]
		vals[i] = old + h
		hp, fp := float64(vals[i])-float64(old), f()
		vals[i] = old - h
		hm, fm := float64(old)-float64(vals[i]), f()
		vals[i] = old
		if math.Abs((fp-f0)/hp-(f0-fm)/hm)/2 > 0.005*gscale {
			count.skipped++
			continue
		}
		count.checked++
		fd := (fp - fm) / (hp + hm)
		maxErr = max(maxErr, math.Abs(fd-float64(grad[i])))
		scale = max(scale, math.Abs(fd))
	}
	// Errors of a wrong backward pass are O(scale); where scale is 0, the
	// gradient must be 0 too.
	if maxErr > 0.02*scale || (scale == 0 && maxErr > 0) {
		t.Errorf("%s: max |FD − backward| = %.3g (gradient scale %.3g)", what, maxErr, scale)
	}
}

// checkGradients checks Gradients, the input and parameter gradients of
// Σ up ⊙ output (and ⊙ logits when the last layer has an activation),
// against finite differences, on 2 random samples.
func checkGradients(t *testing.T, arch Arch, rng *rand.Rand) {
	m, err := New(arch)
	if err != nil {
		t.Fatal(err)
	}
	randomize(m, rng, 0.8)
	x := uniform(rng, 0, 1, append([]int{2}, arch.Input...)...)
	up := uniform(rng, -1, 1, 2, m.last().size)
	for _, logits := range []bool{false, true} {
		if _, ok := m.last().layer.(activated); logits && !ok {
			continue
		}
		f := func() float64 {
			out, err := m.Predict(x, 1)
			if logits {
				out, err = m.Logits(x, 1)
			}
			if err != nil {
				t.Fatal(err)
			}
			s := 0.0
			for i, v := range out.Data {
				s += float64(up.Data[i]) * float64(v)
			}
			return s
		}
		g, err := m.Gradients(x, up, GradientOptions{Logits: logits, Input: true, Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		name := map[bool]string{false: "output", true: "logits"}[logits]
		var count fdCount
		checkFD(t, name+": input", f, x.Data, g.Input.Data, &count)
		for k, p := range m.Params() {
			checkFD(t, name+": "+p.Name, f, p.Data, g.Params[k], &count)
		}
		count.vacuous(t, name)
	}
}

// TestGradientsFiniteDifferences checks every layer kind's backward pass,
// input and parameter gradients, against finite differences.
func TestGradientsFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, arch := range gradCases {
		t.Run(arch.Name, func(t *testing.T) { checkGradients(t, arch, rng) })
	}
}

// TestGradCasesCoverKinds checks that the gradient checks use every
// registered layer kind.
func TestGradCasesCoverKinds(t *testing.T) {
	used := map[string]bool{}
	for _, arch := range append(slices.Clone(gradCases), toyArch()) {
		for _, l := range arch.Layers {
			used[l.Kind] = true
		}
	}
	for _, k := range LayerKinds() {
		if !used[k] {
			t.Errorf("no gradient check uses layer kind %q; add an architecture to gradCases", k)
		}
	}
}

// TestLossGradientFiniteDifferences checks the gradients of the batch loss
// as Train computes them (sampleLoss, then backward from the
// pre-activation, reduced over chunks) against finite differences.
func TestLossGradientFiniteDifferences(t *testing.T) {
	tests := []struct {
		arch Arch
		loss Loss
	}{
		{gradCases[0], BinaryCrossEntropy},
		{gradCases[1], CategoricalCrossEntropy},
		{gradCases[3], BinaryCrossEntropy},
		{gradCases[4], CategoricalCrossEntropy},
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range tests {
		t.Run(tc.arch.Name, func(t *testing.T) {
			m, err := New(tc.arch)
			if err != nil {
				t.Fatal(err)
			}
			randomize(m, rng, 0.8)
			const n = 11 // two chunks
			x := uniform(rng, 0, 1, append([]int{n}, tc.arch.Input...)...)
			y := uniform(rng, 0, 1, n, m.last().size)
			if tc.loss == CategoricalCrossEntropy {
				clear(y.Data)
				for s := range n {
					y.Row(s)[rng.IntN(m.last().size)] = 1
				}
			}
			r := m.newReducer(n, 2)
			if _, err := m.trainBatch(r, x, y, []int{3, 1, 4, 0, 5, 9, 2, 6, 8, 7, 10}, tc.loss); err != nil {
				t.Fatal(err)
			}
			f := func() float64 {
				l, err := m.Evaluate(x, y, tc.loss, 1)
				if err != nil {
					t.Fatal(err)
				}
				return l
			}
			var count fdCount
			for k, p := range m.Params() {
				checkFD(t, p.Name, f, p.Data, r.total[k], &count)
			}
			count.vacuous(t, "loss")
		})
	}
}

// TestGradientsMatchTrain checks that a training step built from
// Gradients and Step, with the loss gradient computed by the caller, gives
// the weights that Train gives, bit for bit, whatever the number of
// workers: one epoch of one batch of 21 samples (three chunks), in Train's
// shuffled order.
func TestGradientsMatchTrain(t *testing.T) {
	x := tinyImages(21, 3)
	const seed = 4
	train, err := New(tinyAutoencoder())
	if err != nil {
		t.Fatal(err)
	}
	train.InitGlorot(seed)
	if _, err := train.Train(context.Background(), x, x, TrainOptions{
		Loss: BinaryCrossEntropy, Optimizer: NewAdadelta(), Epochs: 1, BatchSize: 21, Seed: seed, Workers: 2,
	}); err != nil {
		t.Fatal(err)
	}
	// Train's order: the first permutation of its shuffling generator.
	perm := make([]int, x.Len())
	for i := range perm {
		perm[i] = i
	}
	rng := rand.New(rand.NewPCG(seed, 0x73687566666c65))
	rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
	xs := x.Gather(perm)
	for _, workers := range []int{1, 3} {
		m, _ := New(tinyAutoencoder())
		m.InitGlorot(seed)
		p, err := m.Predict(xs, workers)
		if err != nil {
			t.Fatal(err)
		}
		up := data.NewArray(p.Shape...)
		for s := range xs.Len() {
			BinaryCrossEntropy.sampleLoss(p.Row(s), xs.Row(s), up.Row(s), 1/float64(xs.Len()))
		}
		g, err := m.Gradients(xs, up, GradientOptions{Logits: true, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if g.Input != nil {
			t.Error("an input gradient that was not asked for")
		}
		m.Step(NewAdadelta(), g.Params)
		for i, p := range m.Params() {
			if !bitsEqual(p.Data, train.Params()[i].Data) {
				t.Errorf("%d workers: %s differs from Train's", workers, p.Name)
			}
		}
	}
}

// TestGradientsInput checks that the input gradients of Gradients are
// InputGradient's, bit for bit, and that its parameter gradients do not
// depend on the number of workers, on a fire module (outputs feeding
// several layers) over 19 samples.
func TestGradientsInput(t *testing.T) {
	m, err := New(gradCases[4])
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	randomize(m, rng, 0.8)
	x := uniform(rng, 0, 1, append([]int{19}, m.Arch.Input...)...)
	up := uniform(rng, -1, 1, 19, m.last().size)
	want, err := m.InputGradient(x, up, false, 2)
	if err != nil {
		t.Fatal(err)
	}
	var ref *Grads
	for _, workers := range []int{1, 2, 5} {
		g, err := m.Gradients(x, up, GradientOptions{Input: true, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if !bitsEqual(g.Input.Data, want.Data) || !slices.Equal(g.Input.Shape, want.Shape) {
			t.Errorf("%d workers: input gradients differ from InputGradient's", workers)
		}
		if ref == nil {
			ref = g
		}
		for k := range g.Params {
			if !bitsEqual(g.Params[k], ref.Params[k]) {
				t.Errorf("%d workers: gradient %d differs from 1 worker's", workers, k)
			}
		}
	}
	if _, err := m.Gradients(x, up.Slice(0, 3), GradientOptions{}); err == nil || !strings.Contains(err.Error(), "upstream gradient of shape [3 3]") {
		t.Errorf("3 upstream rows for 19 samples: got %v", err)
	}
}
