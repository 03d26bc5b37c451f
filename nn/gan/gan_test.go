package gan

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"subsetscan/data"
	"subsetscan/nn"
)

// tinyGAN returns a tiny generator (a latent vector [4] → a 4×4 image) and
// discriminator, initialised from seed.
func tinyGAN(t *testing.T, seed uint64) (g, d *nn.Model) {
	t.Helper()
	// A tanh projection, a 2×2 image of 3 channels upsampled to 4×4.
	gen := nn.Arch{Name: "g", Input: []int{4}}
	gen.Layers = append(gen.Layers,
		nn.LayerSpec{Name: "d", Kind: nn.Dense, Units: 2 * 2 * 3, Activation: "tanh"},
		nn.LayerSpec{Name: "r", Kind: nn.Reshape, Shape: []int{2, 2, 3}},
		nn.LayerSpec{Name: "u", Kind: nn.UpSampling2D, Size: 2},
		nn.LayerSpec{Name: "c", Kind: nn.Conv2D, Filters: 1, Kernel: 3, Padding: "same", Activation: "sigmoid"})
	// Two strided convolutions, 4×4 → 2×2 → 1×1, and a logit; smooth
	// activations, so that central differences have no kinks to cross.
	dis := nn.Arch{Name: "d", Input: []int{4, 4, 1}}
	dis.Layers = append(dis.Layers,
		nn.LayerSpec{Name: "c1", Kind: nn.Conv2D, Filters: 3, Kernel: 3, Strides: 2, Padding: "same", Activation: "tanh"},
		nn.LayerSpec{Name: "c2", Kind: nn.Conv2D, Filters: 2, Kernel: 2, Strides: 2, Padding: "valid", Activation: "tanh"},
		nn.LayerSpec{Name: "f", Kind: nn.Flatten},
		nn.LayerSpec{Name: "o", Kind: nn.Dense, Units: 1})
	return newPair(t, gen, dis, seed)
}

// newPair returns models of the architectures gen and dis, initialised
// from seed and seed+1.
func newPair(t testing.TB, gen, dis nn.Arch, seed uint64) (g, d *nn.Model) {
	t.Helper()
	g, err := nn.New(gen)
	if err != nil {
		t.Fatal(err)
	}
	if d, err = nn.New(dis); err != nil {
		t.Fatal(err)
	}
	g.InitGlorot(seed)
	d.InitGlorot(seed + 1)
	return g, d
}

// tinyReal returns n 4×4 images whose left half is bright.
func tinyReal(n int) *data.Array {
	rng := rand.New(rand.NewPCG(9, 9))
	x := data.NewArray(n, 4, 4, 1)
	for i := range x.Data {
		x.Data[i] = 0.2 * rng.Float32()
		if i%4 < 2 {
			x.Data[i] += 0.7
		}
	}
	return x
}

func bitsEqual(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}

// TestTrainDeterministic checks that Train gives the same weights and
// losses bit for bit with 1 and 3 workers: 2 epochs of 40 samples in
// batches of 16 (the last of 8), so batches of real ∪ fake span several
// gradient chunks.
func TestTrainDeterministic(t *testing.T) {
	real := tinyReal(40)
	var ref []nn.Param
	var refH History
	for _, workers := range []int{1, 3} {
		g, d := tinyGAN(t, 1)
		h, err := Train(context.Background(), g, d, real, Options{Epochs: 2, BatchSize: 16, Seed: 7, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		ps := append(g.Params(), d.Params()...)
		if ref == nil {
			ref, refH = ps, h
			if len(h.DLoss) != 2 || len(h.GLoss) != 2 {
				t.Fatalf("history %+v, want 2 epochs", h)
			}
			continue
		}
		for i, p := range ps {
			if !bitsEqual(p.Data, ref[i].Data) {
				t.Errorf("%d workers: %s differs from 1 worker's", workers, p.Name)
			}
		}
		if !slices.Equal(h.DLoss, refH.DLoss) || !slices.Equal(h.GLoss, refH.GLoss) {
			t.Errorf("%d workers: losses %+v, 1 worker's %+v", workers, h, refH)
		}
	}
}

// TestTrainProgressAndCancel checks the progress reports (every 2 steps
// and per epoch) and that a cancelled context stops training.
func TestTrainProgressAndCancel(t *testing.T) {
	g, d := tinyGAN(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	var got []Progress
	_, err := Train(ctx, g, d, tinyReal(40), Options{Epochs: 3, BatchSize: 8, Every: 2, Progress: func(p Progress) {
		got = append(got, p)
		if p.EpochDone {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	// 5 steps: reports after steps 2 and 4, then the epoch's.
	if len(got) != 3 || got[0].Step != 2 || got[1].Step != 4 || !got[2].EpochDone || got[2].Steps != 5 {
		t.Errorf("progress %+v", got)
	}
	for _, p := range got {
		if !(p.DLoss > 0 && p.GLoss > 0) {
			t.Errorf("losses %+v must be positive", p)
		}
	}
}

// TestTrainErrors checks that mismatched models and data are errors.
func TestTrainErrors(t *testing.T) {
	g, d := tinyGAN(t, 1)
	if _, err := Train(context.Background(), g, d, data.NewArray(3, 5, 5, 1), Options{Epochs: 1}); err == nil {
		t.Error("real samples of the wrong shape: no error")
	}
	if _, err := Train(context.Background(), g, d, tinyReal(3), Options{}); err == nil {
		t.Error("0 epochs: no error")
	}
	if _, err := Train(context.Background(), d, d, tinyReal(3), Options{Epochs: 1}); err == nil {
		t.Error("a generator taking images: no error")
	}
}

// recorder is an optimizer that keeps the gradients it is given and
// leaves the params alone.
type recorder struct{ grads [][]float32 }

func (r *recorder) Step(_, grads [][]float32) {
	r.grads = nil
	for _, g := range grads {
		r.grads = append(r.grads, slices.Clone(g))
	}
}

// TestStepGradients checks the gradients of Step, D's w.r.t. its params
// and G's w.r.t. its params through D, against central differences of the
// non-saturating losses, computed from Predict.
func TestStepGradients(t *testing.T) {
	g, d := tinyGAN(t, 3)
	rng := rand.New(rand.NewPCG(4, 4))
	real, z := tinyReal(10), Latent(rng, 10, 4)
	gRec, dRec := &recorder{}, &recorder{}
	tr, err := NewTrainer(g, d, Options{G: gRec, D: dRec, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := tr.Step(real, z); err != nil {
		t.Fatal(err)
	}
	losses := func() (dl, gl float64) {
		fake, _ := g.Predict(z, 1)
		x, _ := data.Concat(real, fake)
		out, _ := d.Predict(x, 1)
		up := data.NewArray(out.Shape...)
		dl = NonSaturating.Discriminator(out.Slice(0, 10), out.Slice(10, 20), up.Slice(0, 10), up.Slice(10, 20))
		return dl, NonSaturating.Generator(out.Slice(10, 20), up.Slice(10, 20))
	}
	check := func(name string, ps []nn.Param, grads [][]float32, pick func() float64) {
		checkCentral(t, name, ps, grads, pick, 3, 0.02, 1e-4)
	}
	check("D", d.Params(), dRec.grads, func() float64 { dl, _ := losses(); return dl })
	check("G", g.Params(), gRec.grads, func() float64 { _, gl := losses(); return gl })
}

// checkCentral checks every stride-th value of the gradients grads of the
// params ps against central differences of pick with steps of 1e-2
// (float32 outputs: larger steps, smooth losses), within rel·|fd| + abs.
func checkCentral(t *testing.T, name string, ps []nn.Param, grads [][]float32, pick func() float64, stride int, rel, abs float64) {
	t.Helper()
	const h = 1e-2
	for k, p := range ps {
		for i := 0; i < len(p.Data); i += stride {
			old := p.Data[i]
			p.Data[i] = old + h
			fp := pick()
			p.Data[i] = old - h
			fm := pick()
			p.Data[i] = old
			fd := (fp - fm) / (2 * h)
			if got := float64(grads[k][i]); math.Abs(got-fd) > rel*math.Abs(fd)+abs {
				t.Errorf("%s %s[%d]: gradient %.6g, central difference %.6g", name, p.Name, i, got, fd)
			}
		}
	}
}

// TestNonSaturating checks the loss values against their definitions: at
// logit 0 every cross-entropy is ln 2, and the gradients are ±1/(2n).
func TestNonSaturating(t *testing.T) {
	zero := data.NewArray(4, 1)
	dR, dF := data.NewArray(4, 1), data.NewArray(4, 1)
	if got := NonSaturating.Discriminator(zero, zero, dR, dF); math.Abs(got-2*math.Ln2) > 1e-15 {
		t.Errorf("D loss at 0 = %v, want 2 ln 2", got)
	}
	if dR.Data[0] != -0.125 || dF.Data[0] != 0.125 {
		t.Errorf("D gradients at 0: %v %v, want ∓1/8", dR.Data[0], dF.Data[0])
	}
	big := &data.Array{Shape: []int{1, 1}, Data: []float32{-100}}
	g := data.NewArray(1, 1)
	// −log σ(−100) = 100 + log(1 + e^−100): no overflow, no saturation.
	if got := NonSaturating.Generator(big, g); math.Abs(got-100) > 1e-12 || math.Abs(float64(g.Data[0])+1) > 1e-6 {
		t.Errorf("G loss at −100 = %v, gradient %v; want 100, −1", got, g.Data[0])
	}
}
