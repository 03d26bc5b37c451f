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
	for _, p := range m.Params() {
		if strings.HasSuffix(p.Name, "/bias") {
			if slices.ContainsFunc(p.Data, func(v float32) bool { return v != 0 }) {
				t.Errorf("%s: not zero", p.Name)
			}
			continue
		}
		// Keras' fans: the receptive field times the input and output
		// channels of a Conv2D kernel [kh, kw, in, out], in and out of a
		// Dense kernel [in, out].
		rf := size(p.Shape[:len(p.Shape)-2])
		fanIn, fanOut := float64(rf*p.Shape[len(p.Shape)-2]), float64(rf*p.Shape[len(p.Shape)-1])
		limit := math.Sqrt(6 / (fanIn + fanOut))
		var s2 float64
		for _, v := range p.Data {
			if math.Abs(float64(v)) > limit {
				t.Fatalf("%s: %v outside ±%v", p.Name, v, limit)
			}
			s2 += float64(v) * float64(v)
		}
		// A uniform on ±limit has variance limit²/3; with ≥ 288 values the
		// sample variance is within 20% of it.
		if v := s2 / float64(len(p.Data)); math.Abs(v/(limit*limit/3)-1) > 0.2 {
			t.Errorf("%s: variance %.4g, want about %.4g", p.Name, v, limit*limit/3)
		}
	}
	again, _ := New(ClassifierArch)
	again.InitGlorot(7)
	other, _ := New(ClassifierArch)
	other.InitGlorot(8)
	for i, p := range m.Params() {
		if !slices.Equal(p.Data, again.Params()[i].Data) {
			t.Errorf("%s: the same seed gave different weights", p.Name)
		}
		if strings.HasSuffix(p.Name, "/kernel") && slices.Equal(p.Data, other.Params()[i].Data) {
			t.Errorf("%s: different seeds gave the same weights", p.Name)
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
	return Arch{Name: "tiny", Input: []int{8, 8, 1}, Layers: []LayerSpec{
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
	arch := Arch{Name: "toy", Input: []int{6, 6, 1}, Layers: []LayerSpec{
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
