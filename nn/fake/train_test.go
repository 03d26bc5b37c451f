package fake

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"subsetscan/data"
	"subsetscan/nn"
)

// randomImages returns n images in [0, 1] drawn from seed.
func randomImages(n int, seed uint64) *data.Array {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := data.NewArray(append([]int{n}, ImageShape...)...)
	for i := range x.Data {
		x.Data[i] = rng.Float32()
	}
	return x
}

func bitsEqual(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}

// TestTrainDeterministic trains each registered architecture for one
// epoch on 20 images (batches of 16 and 4, over several gradient chunks)
// with 1 and 2 workers, and checks that the weights are the same bit for
// bit.
func TestTrainDeterministic(t *testing.T) {
	x := randomImages(20, 1)
	labels := make([]int, 20)
	for i := 10; i < 20; i++ {
		labels[i] = LabelFake
	}
	for _, name := range []string{ResNet, SqueezeNet, Simulator, SpectrumNN} {
		lab := labels
		if name == Simulator {
			lab = nil
		}
		var ref []nn.Param
		for _, workers := range []int{1, 2} {
			m, err := Train(context.Background(), name, x, lab, TrainOptions{Epochs: 1, BatchSize: 16, Seed: 3, Workers: workers})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if ref == nil {
				ref = m.Params()
				continue
			}
			for i, p := range m.Params() {
				if !bitsEqual(p.Data, ref[i].Data) {
					t.Errorf("%s: %s differs between 1 and 2 workers", name, p.Name)
				}
			}
		}
	}
}

// TestTrainErrors checks an unknown architecture and labels that do not
// fit.
func TestTrainErrors(t *testing.T) {
	x := randomImages(4, 1)
	if _, err := Train(context.Background(), "no-such-arch", x, nil, TrainOptions{Epochs: 1}); err == nil {
		t.Error("unknown architecture: no error")
	}
	if _, err := Train(context.Background(), ResNet, x, []int{0, 1}, TrainOptions{Epochs: 1}); err == nil {
		t.Error("2 labels for 4 images: no error")
	}
	if _, err := Train(context.Background(), ResNet, x, []int{0, 1, 2, 0}, TrainOptions{Epochs: 1}); err == nil {
		t.Error("label 2 of 2 classes: no error")
	}
}

// TestLoadMissingWeights checks that a missing weights file is an error
// naming it and the architecture.
func TestLoadMissingWeights(t *testing.T) {
	_, err := Load(SqueezeNet, "testdata/no-such-weights.npz")
	if err == nil || !strings.Contains(err.Error(), "no-such-weights.npz") || !strings.Contains(err.Error(), SqueezeNet) {
		t.Errorf("got %v, want an error naming the file and %s", err, SqueezeNet)
	}
}

// TestAutoGANSet checks AutoGAN's training set: the real images' spectra
// labelled real, then the simulator's outputs' spectra labelled fake.
func TestAutoGANSet(t *testing.T) {
	sim, err := nn.New(SimulatorArch)
	if err != nil {
		t.Fatal(err)
	}
	sim.InitGlorot(1)
	real := randomImages(3, 2)
	x, labels, err := AutoGANSet(sim, real, 2)
	if err != nil {
		t.Fatal(err)
	}
	sReal, _ := Spectrum(real, 1)
	out, _ := sim.Predict(real, 1)
	sSim, _ := Spectrum(out, 1)
	if !slices.Equal(labels, []int{0, 0, 0, 1, 1, 1}) || !bitsEqual(x.Slice(0, 3).Data, sReal.Data) || !bitsEqual(x.Slice(3, 6).Data, sSim.Data) {
		t.Errorf("labels %v; or spectra differ", labels)
	}
}
