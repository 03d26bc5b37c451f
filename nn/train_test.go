package nn

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"subsetscan/data"
)

// TestWeightGradientFiniteDifferences checks the gradients of the loss
// w.r.t. every kernel and bias value, as Train computes them (forward,
// sampleLoss, backward with weight gradients, summed over a batch), against
// central differences of the batch loss accumulated in float64.
func TestWeightGradientFiniteDifferences(t *testing.T) {
	tests := []struct {
		arch Arch
		loss Loss
	}{
		{Arch{Name: "autoencoder-like", Input: [3]int{6, 6, 2}, Layers: []LayerSpec{
			{Name: "c1", Kind: Conv2D, Filters: 3, Kernel: 3, Padding: "same", Activation: "relu"},
			{Name: "p1", Kind: MaxPooling2D, Pool: 2, Padding: "same"},
			{Name: "u1", Kind: UpSampling2D, Size: 2},
			{Name: "c2", Kind: Conv2D, Filters: 2, Kernel: 3, Padding: "valid", Activation: "relu"},
			{Name: "u2", Kind: UpSampling2D, Size: 2},
			{Name: "c3", Kind: Conv2D, Filters: 1, Kernel: 3, Padding: "same", Activation: "sigmoid"},
		}}, BinaryCrossEntropy},
		{Arch{Name: "odd-pool", Input: [3]int{5, 5, 1}, Layers: []LayerSpec{
			{Name: "c1", Kind: Conv2D, Filters: 2, Kernel: 3, Padding: "same", Activation: "relu"},
			{Name: "p", Kind: MaxPooling2D, Pool: 2, Padding: "same"},
			{Name: "c2", Kind: Conv2D, Filters: 3, Kernel: 3, Padding: "same", Activation: "sigmoid"},
		}}, BinaryCrossEntropy},
		{Arch{Name: "classifier", Input: [3]int{7, 7, 1}, Layers: []LayerSpec{
			{Name: "c1", Kind: Conv2D, Filters: 4, Kernel: 3, Padding: "valid", Activation: "relu"},
			{Name: "p1", Kind: MaxPooling2D, Pool: 2, Padding: "valid"},
			{Name: "f", Kind: Flatten},
			{Name: "d1", Kind: Dense, Units: 5, Activation: "relu"},
			{Name: "d2", Kind: Dense, Units: 3, Activation: "softmax"},
		}}, CategoricalCrossEntropy},
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range tests {
		t.Run(tc.arch.Name, func(t *testing.T) {
			m, err := New(tc.arch)
			if err != nil {
				t.Fatal(err)
			}
			randomize(m, rng, 0.8)
			const n = 3
			in := tc.arch.Input
			x := data.NewArray(n, in[0], in[1], in[2])
			for draw := 0; ; draw++ {
				if draw == 1000 {
					t.Fatal("no input without kinks in 1000 draws")
				}
				for i := range x.Data {
					x.Data[i] = rng.Float32()
				}
				if kinkFree(m, x, 5e-3) {
					break
				}
			}
			last := m.layers[len(m.layers)-1]
			y := data.NewArray(n, last.outSize())
			if tc.loss == CategoricalCrossEntropy {
				for s := range n {
					y.Row(s)[rng.IntN(last.outSize())] = 1
				}
			} else {
				for i := range y.Data {
					y.Data[i] = rng.Float32()
				}
			}
			batchLoss := func() float64 {
				tp := m.newTape()
				s := 0.0
				for i := range n {
					m.forward(tp, x.Row(i))
					s += tc.loss.sampleLoss(tp.out[len(m.layers)-1], y.Row(i), nil, 1)
				}
				return s / n
			}
			wg, _ := m.newGrads()
			tp, gt := m.newTape(), m.newGradTape()
			gp := make([]float32, last.outSize())
			for i := range n {
				m.forward(tp, x.Row(i))
				tc.loss.sampleLoss(tp.out[len(m.layers)-1], y.Row(i), gp, 1.0/n)
				m.backward(tp, gt, gp, true, wg)
			}
			const h = 1e-3
			for li, l := range m.layers {
				if !l.hasWeights() {
					continue
				}
				for _, part := range []struct {
					name string
					w, g []float32
				}{{"kernel", l.kernel, wg[li].kernel}, {"bias", l.bias, wg[li].bias}} {
					maxErr, scale := 0.0, 0.0
					for i := range part.w {
						old := part.w[i]
						part.w[i] = old + h
						fp := batchLoss()
						part.w[i] = old - h
						fm := batchLoss()
						part.w[i] = old
						fd := (fp - fm) / (2 * h)
						maxErr = max(maxErr, math.Abs(fd-float64(part.g[i])))
						scale = max(scale, math.Abs(fd))
					}
					if scale == 0 {
						t.Errorf("%s/%s: the loss does not depend on it; the test is vacuous", l.spec.Name, part.name)
					}
					if maxErr > 0.02*max(scale, 1e-3) {
						t.Errorf("%s/%s: max |FD − backward| = %.3g (gradient scale %.3g)", l.spec.Name, part.name, maxErr, scale)
					}
				}
			}
		})
	}
}

// kinkFree reports whether no ReLU pre-activation lies within margin of 0
// and no pooling window has a runner-up within margin of its maximum, for
// any sample of x: there, a finite difference of step ≤ margin/2 (times
// inputs ≤ 1) would straddle a kink and mean nothing.
func kinkFree(m *Model, x *data.Array, margin float32) bool {
	t := m.newTape()
	for s := range x.Len() {
		m.forward(t, x.Row(s))
		in := t.input
		for i, l := range m.layers {
			if l.act == relu && slices.ContainsFunc(t.pre[i], func(v float32) bool { return v > -margin && v < margin }) {
				return false
			}
			if l.spec.Kind == MaxPooling2D {
				h, w, c := l.in[0], l.in[1], l.in[2]
				p := l.spec.Pool
				for y := range l.out[0] {
					for xx := range l.out[1] {
						for ch := range c {
							var vals []float32
							for dy := range p {
								for dx := range p {
									if iy, ix := y*p+dy, xx*p+dx; iy < h && ix < w {
										vals = append(vals, in[(iy*w+ix)*c+ch])
									}
								}
							}
							slices.Sort(vals)
							if k := len(vals); k > 1 && vals[k-1] != 0 && vals[k-1]-vals[k-2] < margin {
								return false
							}
						}
					}
				}
			}
			in = t.out[i]
		}
	}
	return true
}

func TestLossValuesAndClipping(t *testing.T) {
	tests := []struct {
		name     string
		loss     Loss
		p, y     []float32
		wantLoss float64
		wantGrad []float64 // gradient w.r.t. the pre-activation, scale 1
	}{
		{"bce", BinaryCrossEntropy, []float32{0.25, 0.5}, []float32{1, 0.5},
			(-math.Log(0.25) - math.Log(0.5)) / 2, []float64{(0.25 - 1) / 2, 0}},
		{"bce clipped", BinaryCrossEntropy, []float32{1, 0}, []float32{0, 0},
			(-math.Log(1-float64(f32OneMinusEps)) - math.Log(1-float64(f32Eps))) / 2, []float64{0, 0}},
		{"cce", CategoricalCrossEntropy, []float32{0.2, 0.5, 0.3}, []float32{0, 1, 0},
			-math.Log(0.5), []float64{0.2, -0.5, 0.3}},
		// The top probability rounds to 1 in float32: Keras' clip leaves no gradient.
		{"cce saturated", CategoricalCrossEntropy, []float32{1, 0, 0}, []float32{1, 0, 0},
			-math.Log(float64(f32OneMinusEps)), []float64{0, 0, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := make([]float32, len(tc.p))
			got := tc.loss.sampleLoss(tc.p, tc.y, g, 1)
			if math.Abs(got-tc.wantLoss) > 1e-6*math.Abs(tc.wantLoss) {
				t.Errorf("loss %.9g, want %.9g", got, tc.wantLoss)
			}
			for i, w := range tc.wantGrad {
				if math.Abs(float64(g[i])-w) > 1e-6 {
					t.Errorf("gradient %v, want %v", g, tc.wantGrad)
					break
				}
			}
		})
	}
}

func TestInitGlorot(t *testing.T) {
	m, err := New(ClassifierArch)
	if err != nil {
		t.Fatal(err)
	}
	m.InitGlorot(7)
	for _, l := range m.layers {
		if !l.hasWeights() {
			continue
		}
		var fanIn, fanOut float64
		if l.spec.Kind == Conv2D {
			fanIn, fanOut = float64(9*l.in[2]), float64(9*l.out[2])
		} else {
			fanIn, fanOut = float64(l.in[2]), float64(l.out[2])
		}
		limit := math.Sqrt(6 / (fanIn + fanOut))
		var s2 float64
		for _, v := range l.kernel {
			if math.Abs(float64(v)) > limit {
				t.Fatalf("%s: %v outside ±%v", l.spec.Name, v, limit)
			}
			s2 += float64(v) * float64(v)
		}
		// A uniform on ±limit has variance limit²/3; with ≥ 288 values the
		// sample variance is within 20% of it.
		if v := s2 / float64(len(l.kernel)); math.Abs(v/(limit*limit/3)-1) > 0.2 {
			t.Errorf("%s: variance %.4g, want about %.4g", l.spec.Name, v, limit*limit/3)
		}
		if slices.ContainsFunc(l.bias, func(v float32) bool { return v != 0 }) {
			t.Errorf("%s: bias not zero", l.spec.Name)
		}
	}
	again, _ := New(ClassifierArch)
	again.InitGlorot(7)
	other, _ := New(ClassifierArch)
	other.InitGlorot(8)
	for i, l := range m.layers {
		if !slices.Equal(l.kernel, again.layers[i].kernel) {
			t.Errorf("%s: the same seed gave different weights", l.spec.Name)
		}
		if l.hasWeights() && slices.Equal(l.kernel, other.layers[i].kernel) {
			t.Errorf("%s: different seeds gave the same weights", l.spec.Name)
		}
	}
}

// TestOptimizersKeras checks two steps of each optimizer against Keras'
// update formulas evaluated in float64.
func TestOptimizersKeras(t *testing.T) {
	grads := [][]float64{{0.5, -0.01, 0, 3}, {-0.2, 0.4, 1e-4, -3}}
	start := []float64{0.1, -0.3, 0.7, 0}

	adadelta := func() []float64 {
		const lr, rho, eps = 1.0, 0.95, 1e-7
		p := slices.Clone(start)
		a, d := make([]float64, len(p)), make([]float64, len(p))
		for _, g := range grads {
			for j := range p {
				a[j] = rho*a[j] + (1-rho)*g[j]*g[j]
				u := g[j] * math.Sqrt(d[j]+eps) / math.Sqrt(a[j]+eps)
				p[j] -= lr * u
				d[j] = rho*d[j] + (1-rho)*u*u
			}
		}
		return p
	}
	adam := func() []float64 {
		const lr, b1, b2, eps = 0.001, 0.9, 0.999, 1e-7
		p := slices.Clone(start)
		m, v := make([]float64, len(p)), make([]float64, len(p))
		for i, g := range grads {
			t := float64(i + 1)
			lrt := lr * math.Sqrt(1-math.Pow(b2, t)) / (1 - math.Pow(b1, t))
			for j := range p {
				m[j] = b1*m[j] + (1-b1)*g[j]
				v[j] = b2*v[j] + (1-b2)*g[j]*g[j]
				p[j] -= lrt * m[j] / (math.Sqrt(v[j]) + eps)
			}
		}
		return p
	}
	for _, tc := range []struct {
		name string
		opt  Optimizer
		want []float64
	}{
		{"adadelta", NewAdadelta(), adadelta()},
		{"adam", NewAdam(), adam()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := make([]float32, len(start))
			for i, v := range start {
				p[i] = float32(v)
			}
			for _, g := range grads {
				g32 := make([]float32, len(g))
				for i, v := range g {
					g32[i] = float32(v)
				}
				tc.opt.Step([][]float32{p}, [][]float32{g32})
			}
			for i, w := range tc.want {
				if math.Abs(float64(p[i])-w) > 1e-6 {
					t.Errorf("weight %d: %.9g, want %.9g (start %v)", i, p[i], w, start[i])
				}
			}
			if slices.Equal(p, []float32{0.1, -0.3, 0.7, 0}) {
				t.Error("weights did not move")
			}
		})
	}
}

func tinyAutoencoder() Arch {
	return Arch{Name: "tiny", Input: [3]int{8, 8, 1}, Layers: []LayerSpec{
		{Name: "c1", Kind: Conv2D, Filters: 4, Kernel: 3, Padding: "same", Activation: "relu"},
		{Name: "p1", Kind: MaxPooling2D, Pool: 2, Padding: "same"},
		{Name: "u1", Kind: UpSampling2D, Size: 2},
		{Name: "c2", Kind: Conv2D, Filters: 1, Kernel: 3, Padding: "same", Activation: "sigmoid"},
	}}
}

func tinyImages(n int, seed uint64) *data.Array {
	rng := rand.New(rand.NewPCG(seed, 0))
	x := data.NewArray(n, 8, 8, 1)
	for i := range x.Data {
		if rng.IntN(3) == 0 {
			x.Data[i] = rng.Float32()
		}
	}
	return x
}

// TestTrainDeterministic trains the same model with 1, 2 and 5 workers:
// the weights must agree bit for bit; another seed must give other weights.
// The batch size does not divide the sample count nor the chunk size.
func TestTrainDeterministic(t *testing.T) {
	x := tinyImages(70, 1)
	train := func(workers int, seed uint64, opt Optimizer) ([][]float32, []float64) {
		m, err := New(tinyAutoencoder())
		if err != nil {
			t.Fatal(err)
		}
		m.InitGlorot(seed)
		var batches int
		losses, err := m.Train(context.Background(), x, x, TrainOptions{
			Loss: BinaryCrossEntropy, Optimizer: opt, Epochs: 3, BatchSize: 21, Seed: seed, Workers: workers,
			Progress: func(p Progress) {
				if !p.EpochDone {
					batches++
				}
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		if batches != 3*4 {
			t.Errorf("%d batch progress calls, want 12", batches)
		}
		return m.params(), losses
	}
	for _, newOpt := range []func() Optimizer{
		func() Optimizer { return NewAdadelta() },
		func() Optimizer { return NewAdam() },
	} {
		ref, losses := train(1, 5, newOpt())
		if !(losses[2] < losses[0]) {
			t.Errorf("loss did not decrease: %v", losses)
		}
		for _, w := range []int{2, 5} {
			got, gotLosses := train(w, 5, newOpt())
			for i := range ref {
				if !slices.Equal(got[i], ref[i]) {
					t.Errorf("%T: %d workers: param %d differs from 1 worker", newOpt(), w, i)
				}
			}
			if !slices.Equal(gotLosses, losses) {
				t.Errorf("%T: %d workers: losses %v, 1 worker %v", newOpt(), w, gotLosses, losses)
			}
		}
		other, _ := train(2, 6, newOpt())
		if slices.Equal(other[0], ref[0]) {
			t.Errorf("%T: seeds 5 and 6 gave the same weights", newOpt())
		}
	}
}

// TestTrainLearnsClassifier checks that a small classifier fits a
// separable toy problem with Adam and categorical cross-entropy.
func TestTrainLearnsClassifier(t *testing.T) {
	arch := Arch{Name: "toy", Input: [3]int{6, 6, 1}, Layers: []LayerSpec{
		{Name: "c1", Kind: Conv2D, Filters: 4, Kernel: 3, Padding: "valid", Activation: "relu"},
		{Name: "p1", Kind: MaxPooling2D, Pool: 2, Padding: "valid"},
		{Name: "f", Kind: Flatten},
		{Name: "d1", Kind: Dense, Units: 8, Activation: "relu"},
		{Name: "d2", Kind: Dense, Units: 2, Activation: "softmax"},
	}}
	// Class 1 has a bright left half, class 0 a bright right half.
	rng := rand.New(rand.NewPCG(9, 9))
	const n = 200
	x := data.NewArray(n, 6, 6, 1)
	labels := make([]int, n)
	for s := range n {
		labels[s] = s % 2
		for i, row := 0, x.Row(s); i < 36; i++ {
			left := i%6 < 3
			row[i] = 0.3 * rng.Float32()
			if left == (labels[s] == 1) {
				row[i] += 0.5
			}
		}
	}
	y, err := OneHot(labels, 2)
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(arch)
	if err != nil {
		t.Fatal(err)
	}
	m.InitGlorot(1)
	before, _ := m.Evaluate(x, y, CategoricalCrossEntropy, 0)
	opt := NewAdam()
	opt.LR = 0.01
	if _, err := m.Train(context.Background(), x, y, TrainOptions{Loss: CategoricalCrossEntropy, Optimizer: opt, Epochs: 10, BatchSize: 32, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	after, _ := m.Evaluate(x, y, CategoricalCrossEntropy, 0)
	acc, err := m.Accuracy(x, labels, 0)
	if err != nil {
		t.Fatal(err)
	}
	if acc < 0.99 || after > before/4 {
		t.Errorf("accuracy %.3f, loss %.4f → %.4f", acc, before, after)
	}
}

func TestTrainErrors(t *testing.T) {
	m, err := New(tinyAutoencoder())
	if err != nil {
		t.Fatal(err)
	}
	x := tinyImages(10, 2)
	nan := tinyImages(10, 2)
	nan.Data[70] = float32(math.NaN())
	ok := TrainOptions{Loss: BinaryCrossEntropy, Optimizer: NewAdadelta(), Epochs: 1}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		x, y *data.Array
		edit func(*TrainOptions)
		msg  string
	}{
		{"wrong loss", context.Background(), x, x, func(o *TrainOptions) { o.Loss = CategoricalCrossEntropy }, "needs a softmax output, layer c2"},
		{"no loss", context.Background(), x, x, func(o *TrainOptions) { o.Loss = 0 }, "unknown loss"},
		{"targets", context.Background(), x, x.Slice(0, 9), nil, "targets of shape [9 8 8 1]"},
		{"nan target", context.Background(), x, nan, nil, "sample 1, node 6"},
		{"images", context.Background(), data.NewArray(10, 7, 8, 1), x, nil, "[10 7 8 1]"},
		{"epochs", context.Background(), x, x, func(o *TrainOptions) { o.Epochs = 0 }, "epochs 0"},
		{"batch", context.Background(), x, x, func(o *TrainOptions) { o.BatchSize = -1 }, "batch size -1"},
		{"optimizer", context.Background(), x, x, func(o *TrainOptions) { o.Optimizer = nil }, "no optimizer"},
		{"cancelled", cancelled, x, x, nil, "context canceled"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := ok
			if tc.edit != nil {
				tc.edit(&o)
			}
			_, err := m.Train(tc.ctx, tc.x, tc.y, o)
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("got %v, want an error containing %q", err, tc.msg)
			}
		})
	}
	if _, err := m.Train(cancelled, x, x, ok); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v does not wrap context.Canceled", err)
	}
	if _, err := OneHot([]int{0, 10}, 10); err == nil || !strings.Contains(err.Error(), "sample 1") {
		t.Errorf("OneHot: got %v", err)
	}
	if _, err := m.Accuracy(x, []int{1}, 0); err == nil {
		t.Error("Accuracy with 1 label for 10 images: no error")
	}
}
