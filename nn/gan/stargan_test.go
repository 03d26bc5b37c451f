package gan

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"subsetscan/data"
	"subsetscan/nn"
)

// tinyStarGAN returns a tiny StarGAN generator (a 4×4 image with 2 domain
// planes → a 4×4 image, with a residual block) and discriminator (→ 1+2
// logits), initialised from seed; smooth activations, so that central
// differences cross no kinks.
func tinyStarGAN(t testing.TB, seed uint64) (g, d *nn.Model) {
	t.Helper()
	gen := nn.Arch{Name: "sg", Input: []int{4, 4, 3}, Layers: []nn.LayerSpec{
		{Name: "c1", Kind: nn.Conv2D, Filters: 3, Kernel: 3, Strides: 2, Padding: "same", Activation: "tanh"},
		{Name: "c2", Kind: nn.Conv2D, Filters: 3, Kernel: 3, Padding: "same", Activation: "tanh"},
		{Name: "r", Kind: nn.Add, Inputs: []string{"c2", "c1"}},
		{Name: "u", Kind: nn.UpSampling2D, Size: 2},
		{Name: "j", Kind: nn.Concatenate, Inputs: []string{"u", "input"}},
		{Name: "o", Kind: nn.Conv2D, Filters: 1, Kernel: 3, Padding: "same", Activation: "sigmoid"},
	}}
	dis := nn.Arch{Name: "sd", Input: []int{4, 4, 1}, Layers: []nn.LayerSpec{
		{Name: "c1", Kind: nn.Conv2D, Filters: 3, Kernel: 3, Strides: 2, Padding: "same", Activation: "tanh"},
		{Name: "f", Kind: nn.Flatten},
		{Name: "o", Kind: nn.Dense, Units: 3},
	}}
	return newPair(t, gen, dis, seed)
}

// tinyDomains returns n 4×4 images, bright on the left (domain 0) or on
// the right (domain 1), alternately.
func tinyDomains(n int) (*data.Array, []int) {
	rng := rand.New(rand.NewPCG(5, 5))
	x := data.NewArray(n, 4, 4, 1)
	domains := make([]int, n)
	for s := range n {
		domains[s] = s % 2
		for p, v := range x.Row(s) {
			v = 0.2 * rng.Float32()
			if (p%4 < 2) == (domains[s] == 0) {
				v += 0.7
			}
			x.Row(s)[p] = v
		}
	}
	return x, domains
}

// TestStarGANDeterministic checks that TrainStarGAN gives the same weights
// and losses bit for bit with 1 and 2 workers: 2 epochs of 40 images in
// batches of 16, so that batches span several gradient chunks.
func TestStarGANDeterministic(t *testing.T) {
	x, domains := tinyDomains(40)
	var ref []nn.Param
	var refH History
	for _, workers := range []int{1, 2} {
		g, d := tinyStarGAN(t, 1)
		h, err := TrainStarGAN(context.Background(), g, d, x, domains, StarOptions{Options: Options{Epochs: 2, BatchSize: 16, Seed: 3, Workers: workers}})
		if err != nil {
			t.Fatal(err)
		}
		ps := append(g.Params(), d.Params()...)
		if ref == nil {
			ref, refH = ps, h
			continue
		}
		for i, p := range ps {
			if !bitsEqual(p.Data, ref[i].Data) {
				t.Errorf("%d workers: %s differs from 1 worker's", workers, p.Name)
			}
		}
		if !bitsEqual64(h.DLoss, refH.DLoss) || !bitsEqual64(h.GLoss, refH.GLoss) {
			t.Errorf("%d workers: losses %+v, 1 worker's %+v", workers, h, refH)
		}
	}
}

func bitsEqual64(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// starLosses computes L_D and L_G from their definitions (StarGAN's doc),
// from Predict, independently of Step: the reference of the gradient test.
func starLosses(g, d *nn.Model, x *data.Array, orig, target []int) (dl, gl float64) {
	fake, _ := g.Predict(WithDomains(x, target, 2), 1)
	rec, _ := g.Predict(WithDomains(fake, orig, 2), 1)
	outR, _ := d.Predict(x, 1)
	outF, _ := d.Predict(fake, 1)
	n := float64(x.Len())
	bce := func(l float32, y float64) float64 {
		p := 1 / (1 + math.Exp(-float64(l)))
		return -(y*math.Log(p) + (1-y)*math.Log(1-p)) / n
	}
	ce := func(row []float32, c int) float64 {
		z := math.Exp(float64(row[1])) + math.Exp(float64(row[2]))
		return -math.Log(math.Exp(float64(row[1+c]))/z) / n
	}
	for i := range x.Len() {
		dl += bce(outR.Row(i)[0], 1) + bce(outF.Row(i)[0], 0) + ce(outR.Row(i), orig[i])
		gl += bce(outF.Row(i)[0], 1) + ce(outF.Row(i), target[i])
	}
	var l1 float64
	for i, v := range rec.Data {
		l1 += math.Abs(float64(v) - float64(x.Data[i]))
	}
	return dl, gl + 10*l1/float64(len(rec.Data))
}

// TestStarGANStepGradients checks the gradients that Step applies, D's of
// L_D and G's of L_G (through D, and through both of G's passes for the
// reconstruction), against central differences of starLosses.
func TestStarGANStepGradients(t *testing.T) {
	g, d := tinyStarGAN(t, 3)
	x, orig := tinyDomains(10)
	target := make([]int, len(orig))
	for i, c := range orig {
		target[i] = 1 - c
	}
	gRec, dRec := &recorder{}, &recorder{}
	s, err := NewStarGAN(g, d, StarOptions{Options: Options{G: gRec, D: dRec, Workers: 2}})
	if err != nil {
		t.Fatal(err)
	}
	dl, gl, err := s.Step(x, orig, target)
	if err != nil {
		t.Fatal(err)
	}
	if wd, wg := starLosses(g, d, x, orig, target); math.Abs(dl-wd) > 1e-6 || math.Abs(gl-wg) > 1e-6 {
		t.Errorf("Step's losses %v, %v; from the definitions %v, %v", dl, gl, wd, wg)
	}
	check := func(name string, ps []nn.Param, grads [][]float32, pick func() float64) {
		checkCentral(t, name, ps, grads, pick, 1, 0.03, 2e-4)
	}
	check("D", d.Params(), dRec.grads, func() float64 { dl, _ := starLosses(g, d, x, orig, target); return dl })
	check("G", g.Params(), gRec.grads, func() float64 { _, gl := starLosses(g, d, x, orig, target); return gl })
}

// TestCrossEntropy checks the domain loss at equal logits (ln k, gradient
// (1/k − 1)/n at the label and 1/(kn) elsewhere) and that it adds to the
// realness gradient in column 0 without touching it.
func TestCrossEntropy(t *testing.T) {
	out := data.NewArray(2, 4) // 3 domains, all logits 0
	grad := &data.Array{Shape: []int{2, 4}, Data: []float32{7, 0, 0, 0, 7, 0, 0, 0}}
	if got := crossEntropy(out, []int{0, 2}, grad); math.Abs(got-math.Log(3)) > 1e-12 {
		t.Errorf("loss %v, want ln 3", got)
	}
	want := []float32{7, -1. / 3, 1. / 6, 1. / 6, 7, 1. / 6, 1. / 6, -1. / 3}
	for i, v := range grad.Data {
		if math.Abs(float64(v-want[i])) > 1e-7 {
			t.Errorf("gradient %v, want %v", grad.Data, want)
			break
		}
	}
}

// TestWithDomains checks the label planes on a 1×2 image of 2 channels.
func TestWithDomains(t *testing.T) {
	x := &data.Array{Shape: []int{2, 1, 2, 2}, Data: []float32{1, 2, 3, 4, 5, 6, 7, 8}}
	got := WithDomains(x, []int{2, 0}, 3)
	want := []float32{1, 2, 0, 0, 1, 3, 4, 0, 0, 1, 5, 6, 1, 0, 0, 7, 8, 1, 0, 0}
	if !bitsEqual(got.Data, want) || got.Shape[3] != 5 {
		t.Errorf("WithDomains = %v %v, want %v", got.Shape, got.Data, want)
	}
}

// TestStarGANErrors checks that models that do not fit each other or the
// data are errors that name them.
func TestStarGANErrors(t *testing.T) {
	g, d := tinyStarGAN(t, 1)
	big := nn.Arch{Name: "big_d", Input: []int{8, 8, 1}, Layers: []nn.LayerSpec{{Name: "f", Kind: nn.Flatten}, {Name: "o", Kind: nn.Dense, Units: 3}}}
	bigD, err := nn.New(big)
	if err != nil {
		t.Fatal(err)
	}
	one := nn.Arch{Name: "one_d", Input: []int{4, 4, 1}, Layers: []nn.LayerSpec{{Name: "f", Kind: nn.Flatten}, {Name: "o", Kind: nn.Dense, Units: 1}}}
	oneD, err := nn.New(one)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		g, d *nn.Model
		want string
	}{
		{"G's output is not D's input", g, bigD, "big_d"},
		{"D has no domain logits", g, oneD, "one_d"},
		{"G does not take domain planes", d, d, "sd"},
	} {
		if _, err := NewStarGAN(tc.g, tc.d, StarOptions{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one naming %s", tc.name, err, tc.want)
		}
	}
	x, domains := tinyDomains(4)
	for name, f := range map[string]func() error{
		"domain out of range": func() error {
			_, err := TrainStarGAN(context.Background(), g, d, x, []int{0, 1, 2, 0}, StarOptions{Options: Options{Epochs: 1}})
			return err
		},
		"images of the wrong shape": func() error {
			_, err := TrainStarGAN(context.Background(), g, d, data.NewArray(4, 5, 5, 1), domains, StarOptions{Options: Options{Epochs: 1}})
			return err
		},
		"0 epochs": func() error {
			_, err := TrainStarGAN(context.Background(), g, d, x, domains, StarOptions{})
			return err
		},
		"Edit towards domain 2 of 2":             func() error { _, err := Edit(g, x, []int{0, 1, 2, 0}, 1); return err },
		"Edit of images without room for planes": func() error { _, err := Edit(g, data.NewArray(1, 4, 4, 3), []int{0}, 1); return err },
	} {
		if err := f(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestEvaluateEdits checks EvaluateEdits on a generator that edits
// nothing, against a rule that returns the real images' domains: no edit
// reaches its target, the change and reconstruction errors are those of
// the identity, and the counts add up.
func TestEvaluateEdits(t *testing.T) {
	// Identity: a 1×1 convolution keeping channel 0 (the image), linear.
	id, err := nn.New(nn.Arch{Name: "id", Input: []int{4, 4, 3}, Layers: []nn.LayerSpec{{Name: "c", Kind: nn.Conv2D, Filters: 1, Kernel: 1, Padding: "same"}}})
	if err != nil {
		t.Fatal(err)
	}
	id.Params()[0].Data[0] = 1 // kernel [1,1,3,1]: channel 0 → output
	_, d := tinyStarGAN(t, 1)
	x, domains := tinyDomains(10)
	ev, err := EvaluateEdits(id, d, x, domains, func(*data.Array) ([]int, error) { return domains, nil }, EditOptions{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if ev.RuleAll != 0 || ev.Change != 0 || ev.Rec != 0 || ev.Clipped != 0 || ev.Count[0]+ev.Count[1] != 10 || ev.DAll < 0 || ev.DAll > 1 {
		t.Errorf("identity edits: %+v", ev)
	}
	if ev.AreaReal[0] != ev.AreaEdit[0] || ev.AreaReal[1] != ev.AreaEdit[1] || ev.AreaReal[0] != 8 {
		t.Errorf("identity edits: areas %v before, %v after; want 8 (half of 16 pixels) both", ev.AreaReal, ev.AreaEdit)
	}
	if !math.IsNaN(ev.ClassEdit) {
		t.Errorf("no classifier: ClassEdit %v, want NaN", ev.ClassEdit)
	}
}

// BenchmarkStarGANStep times one training step of the registered
// generator and discriminator (28×28 MNIST-sized, 2 domains) on a batch
// of 32 images: two generator passes forward and backward, the
// discriminator on 64 images.
func BenchmarkStarGANStep(b *testing.B) {
	g, d := newPair(b, StarGANGenerator(28, 28, Domains), StarGANDiscriminator(28, 28, Domains), 1)
	rng := rand.New(rand.NewPCG(1, 1))
	x := data.NewArray(32, 28, 28, 1)
	for i := range x.Data {
		x.Data[i] = rng.Float32()
	}
	orig, target := make([]int, 32), make([]int, 32)
	for i := range orig {
		orig[i], target[i] = i%2, 1-i%2
	}
	s, err := NewStarGAN(g, d, StarOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := s.Step(x, orig, target); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRegisteredStarGAN checks that the registered stargan_g and stargan_d
// fit each other, and their sizes against hand counts: G's convolutions
// hold 3·3·3·16+16, 3·3·16·24+24, 4·(3·3·24·24+24), 40·16+16, 3·3·16+1
// and 3+1 (identity) params; D's 3·3·32+32, 3·3·32·64+64, 3·3·64·64+64 and a Dense
// layer of 4·4·64·3+3.
func TestRegisteredStarGAN(t *testing.T) {
	var models [2]*nn.Model
	for i, name := range []string{"stargan_g", "stargan_d"} {
		arch, err := nn.ArchByName(name)
		if err != nil {
			t.Fatal(err)
		}
		if models[i], err = nn.New(arch); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := NewStarGAN(models[0], models[1], StarOptions{}); err != nil {
		t.Fatal(err)
	}
	// InitStarGAN sets the identity layer to copy the image channel
	// (kernel [1, 1, 3, 1]); a model without one is an error.
	if err := InitStarGAN(models[0], 1); err != nil {
		t.Fatal(err)
	}
	for _, p := range models[0].Params() {
		if p.Name == "identity/kernel" && !bitsEqual(p.Data, []float32{1, 0, 0}) {
			t.Errorf("identity kernel %v, want [1 0 0]", p.Data)
		}
	}
	if err := InitStarGAN(models[1], 1); err == nil || !strings.Contains(err.Error(), "stargan_discriminator") {
		t.Errorf("InitStarGAN of a discriminator: error %v", err)
	}

	for i, want := range []int{448 + 3480 + 4*5208 + 656 + 145 + 4, 320 + 18496 + 36928 + 3075} {
		n := 0
		for _, p := range models[i].Params() {
			n += len(p.Data)
		}
		if n != want {
			t.Errorf("%s: %d params, want %d", models[i].Arch.Name, n, want)
		}
	}
}

// TestClip01 checks the clipping of edits and the mean change it reports.
func TestClip01(t *testing.T) {
	x := &data.Array{Shape: []int{4}, Data: []float32{-0.5, 0.25, 1.5, 1}}
	if got := clip01(x); got != 0.25 || !bitsEqual(x.Data, []float32{0, 0.25, 1, 1}) {
		t.Errorf("clip01: %v, %v; want 0.25, [0 0.25 1 1]", got, x.Data)
	}
}
