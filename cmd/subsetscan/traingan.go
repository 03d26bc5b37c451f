package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"subsetscan/data"
	"subsetscan/internal/cputime"
	"subsetscan/nn"
	"subsetscan/nn/gan"
)

func init() {
	register(&command{
		Name:  "train-gan",
		Short: "train the MNIST GAN (generator gan_g against discriminator gan_d) and write both weights (.npz)",
		Usage: "-g G.npz -d D.npz [flags]",
		Run:   runTrainGAN,
	})
}

func runTrainGAN(ctx context.Context, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	gOut := fs.String("g", "", "output generator weights (.npz, written atomically)")
	dOut := fs.String("d", "", "output discriminator weights (.npz, written atomically)")
	epochs := fs.Int("epochs", 4, "epochs over the MNIST training images")
	batch := fs.Int("batch", 64, "mini-batch size (real samples, and as many generated ones)")
	seed := fs.Uint64("seed", 1, "seed of the initialisations, the shuffling and the latent vectors")
	workers := fs.Int("workers", 0, "goroutines to use (0 = all cores); the weights do not depend on it")
	nTrain := fs.Int("train-n", 0, "train on the first N MNIST training images only (0 = all 60000)")
	every := fs.Int("every", 100, "print the mean losses every N steps (0 = per epoch only)")
	checkpoints := fs.String("checkpoints", "", "directory to write both models' weights after every epoch (gan_g-epochN.npz, gan_d-epochN.npz)")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("unexpected arguments %q", fs.Args())
	case *gOut == "" || *dOut == "":
		return usagef("-g G.npz and -d D.npz are required")
	case *epochs < 1 || *batch < 1 || *workers < 0 || *nTrain < 0 || *every < 0:
		return usagef("-epochs and -batch must be ≥ 1, -workers, -train-n and -every ≥ 0")
	}
	for _, dir := range []string{filepath.Dir(*gOut), filepath.Dir(*dOut), *checkpoints} {
		if dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
		}
	}
	real, _, err := data.LoadMNIST("train")
	if err != nil {
		return err
	}
	if *nTrain > 0 && *nTrain < real.Len() {
		real = real.Slice(0, *nTrain)
	}
	g, d, err := newGAN("gan_g", "gan_d", *seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "training gan_g against gan_d on %d MNIST images: non-saturating loss, Adam(2e-4, β₁ 0.5), %d epochs, batch %d, seed %d\n",
		real.Len(), *epochs, *batch, *seed)
	cpu0, start := cputime.Used(), time.Now()
	progress, cbErr := ganProgress(g, d, "gan", *checkpoints, cpu0, stdout, stderr)
	_, err = gan.Train(ctx, g, d, real, gan.Options{
		Epochs: *epochs, BatchSize: *batch, Seed: *seed, Workers: *workers, Every: *every, Progress: progress,
	})
	if err != nil {
		return fmt.Errorf("training the GAN: %w", err)
	}
	if *cbErr != nil {
		return *cbErr
	}
	if err := saveGAN(g, d, *gOut, *dOut); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "trained in %.1f CPU-min (%.1f min wall); weights written to %s and %s\n",
		(cputime.Used() - cpu0).Minutes(), time.Since(start).Minutes(), *gOut, *dOut)
	return nil
}

// ganProgress returns train-gan's progress callback, which prints the
// losses (of the last steps on stderr, of each epoch on stdout, with the
// CPU time since cpu0) and writes checkpoints into dir if it is not ""
// (name_g-epochN.npz, name_d-epochN.npz), and where it leaves the first
// checkpoint error.
func ganProgress(g, d *nn.Model, name, dir string, cpu0 time.Duration, stdout, stderr io.Writer) (func(gan.Progress), *error) {
	var cbErr error
	return func(p gan.Progress) {
		if !p.EpochDone {
			fmt.Fprintf(stderr, "epoch %d/%d step %d/%d: D loss %.4f, G loss %.4f\n", p.Epoch, p.Epochs, p.Step, p.Steps, p.DLoss, p.GLoss)
			return
		}
		fmt.Fprintf(stdout, "epoch %d/%d: D loss %.4f, G loss %.4f (%.1f CPU-min so far)\n", p.Epoch, p.Epochs, p.DLoss, p.GLoss, (cputime.Used() - cpu0).Minutes())
		if dir != "" && cbErr == nil {
			cbErr = saveGAN(g, d, filepath.Join(dir, fmt.Sprintf("%s_g-epoch%d.npz", name, p.Epoch)), filepath.Join(dir, fmt.Sprintf("%s_d-epoch%d.npz", name, p.Epoch)))
		}
	}, &cbErr
}

// newGAN returns the registered generator gName and discriminator dName,
// initialised from seed (the discriminator from seed+1).
func newGAN(gName, dName string, seed uint64) (g, d *nn.Model, err error) {
	for _, p := range []struct {
		m    **nn.Model
		name string
		seed uint64
	}{{&g, gName, seed}, {&d, dName, seed + 1}} {
		arch, err := nn.ArchByName(p.name)
		if err != nil {
			return nil, nil, err
		}
		if *p.m, err = nn.New(arch); err != nil {
			return nil, nil, err
		}
		(*p.m).InitGlorot(p.seed)
	}
	return g, d, nil
}

// saveGAN writes both models' weights.
func saveGAN(g, d *nn.Model, gPath, dPath string) error {
	if err := g.SaveWeights(gPath); err != nil {
		return err
	}
	return d.SaveWeights(dPath)
}
