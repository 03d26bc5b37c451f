package fake

import (
	"context"
	"fmt"

	"subsetscan/data"
	"subsetscan/nn"
)

// TrainOptions configures Train. Zero values mean the defaults.
type TrainOptions struct {
	// Epochs is the number of passes (0 means the recipe's: 3 for the
	// classifiers, 2 for the simulator).
	Epochs int
	// BatchSize is the mini-batch size (0 means 64).
	BatchSize int
	// Seed seeds the initialisation and the shuffling.
	Seed uint64
	// Workers is the number of goroutines (0 means all cores); the weights
	// do not depend on it.
	Workers int
	// Progress, if not nil, is called as nn.TrainOptions.Progress.
	Progress func(nn.Progress)
}

// Train returns a model of the architecture registered as name (ResNet,
// SqueezeNet, SpectrumNN or Simulator), initialised with nn's
// Glorot-uniform values from opt.Seed and trained with its recipe (Adam;
// categorical cross-entropy on labels, LabelReal or LabelFake, for the
// classifiers; binary cross-entropy on x itself for the simulator, which
// takes nil labels). It is an error if the architecture or its recipe is
// unknown, or if the labels do not fit x.
func Train(ctx context.Context, name string, x *data.Array, labels []int, opt TrainOptions) (*nn.Model, error) {
	recipe, err := nn.RecipeFor(name)
	if err != nil {
		return nil, err
	}
	arch, err := nn.ArchByName(name)
	if err != nil {
		return nil, err
	}
	y, err := recipe.Targets(x, labels)
	if err != nil {
		return nil, fmt.Errorf("fake: training %s: %w", name, err)
	}
	m, err := nn.New(arch)
	if err != nil {
		return nil, err
	}
	m.InitGlorot(opt.Seed)
	epochs, bs := opt.Epochs, opt.BatchSize
	if epochs == 0 {
		epochs = recipe.Epochs
	}
	if bs == 0 {
		bs = 64
	}
	_, err = m.Train(ctx, x, y, nn.TrainOptions{Loss: recipe.Loss, Optimizer: recipe.NewOptimizer(), Epochs: epochs,
		BatchSize: bs, Seed: opt.Seed, Workers: opt.Workers, Progress: opt.Progress})
	if err != nil {
		return nil, fmt.Errorf("fake: training %s: %w", name, err)
	}
	return m, nil
}

// AutoGANSet returns AutoGAN's training set: the spectra of the real
// images (LabelReal) and of the simulator's reproductions of the same
// images (LabelFake), with their labels. No GAN's fakes enter it.
func AutoGANSet(sim *nn.Model, real *data.Array, workers int) (*data.Array, []int, error) {
	out, err := sim.Predict(real, workers)
	if err != nil {
		return nil, nil, fmt.Errorf("fake: simulating: %w", err)
	}
	sReal, err := Spectrum(real, workers)
	if err != nil {
		return nil, nil, err
	}
	sSim, err := Spectrum(out, workers)
	if err != nil {
		return nil, nil, err
	}
	return Labelled(sReal, sSim)
}
