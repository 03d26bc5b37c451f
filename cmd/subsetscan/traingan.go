package main

import (
	"context"
	"flag"
	"fmt"
	"io"
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
	f := addPairFlags(fs, "gan", 4, 64, "seed of the initialisations, the shuffling and the latent vectors")
	if err := f.parse(fs, args); err != nil {
		return err
	}
	real, _, err := data.LoadMNIST("train")
	if err != nil {
		return err
	}
	if *f.nTrain > 0 && *f.nTrain < real.Len() {
		real = real.Slice(0, *f.nTrain)
	}
	return f.train(real.Len(), "non-saturating loss, Adam(2e-4, β₁ 0.5)", stdout, stderr, func(g, d *nn.Model, opt gan.Options) error {
		if _, err := gan.Train(ctx, g, d, real, opt); err != nil {
			return fmt.Errorf("training the GAN: %w", err)
		}
		return nil
	})
}

// pairFlags are the flags of a command training a generator name_g
// against a discriminator name_d (train-gan, train-stargan).
type pairFlags struct {
	name                                  string
	gOut, dOut, checkpoints               *string
	epochs, batch, workers, nTrain, every *int
	seed                                  *uint64
}

// addPairFlags defines the flags of a command training name_g against
// name_d on fs, with the default epochs and batch size.
func addPairFlags(fs *flag.FlagSet, name string, epochs, batch int, seedDoc string) *pairFlags {
	return &pairFlags{
		name:        name,
		gOut:        fs.String("g", "", "output generator weights (.npz, written atomically)"),
		dOut:        fs.String("d", "", "output discriminator weights (.npz, written atomically)"),
		epochs:      fs.Int("epochs", epochs, "epochs over the MNIST training images"),
		batch:       fs.Int("batch", batch, "mini-batch size (real samples, and as many generated ones)"),
		seed:        fs.Uint64("seed", 1, seedDoc),
		workers:     fs.Int("workers", 0, "goroutines to use (0 = all cores); the weights do not depend on it"),
		nTrain:      fs.Int("train-n", 0, "train on the first N MNIST training images only (0 = all 60000)"),
		every:       fs.Int("every", 100, "print the mean losses every N steps (0 = per epoch only)"),
		checkpoints: fs.String("checkpoints", "", fmt.Sprintf("directory to write both models' weights after every epoch (%[1]s_g-epochN.npz, %[1]s_d-epochN.npz)", name)),
	}
}

// parse parses args, checks the flags and creates the output directories.
func (f *pairFlags) parse(fs *flag.FlagSet, args []string) error {
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("unexpected arguments %q", fs.Args())
	case *f.gOut == "" || *f.dOut == "":
		return usagef("-g G.npz and -d D.npz are required")
	case *f.epochs < 1 || *f.batch < 1 || *f.workers < 0 || *f.nTrain < 0 || *f.every < 0:
		return usagef("-epochs and -batch must be ≥ 1, -workers, -train-n and -every ≥ 0")
	}
	return mkdirs(filepath.Dir(*f.gOut), filepath.Dir(*f.dOut), *f.checkpoints)
}

// train initialises name_g and name_d, fits them with fit (given the
// flags' options and a progress callback), reports the CPU time and
// writes both weights. how describes the training for the first line.
func (f *pairFlags) train(n int, how string, stdout, stderr io.Writer, fit func(g, d *nn.Model, opt gan.Options) error) error {
	g, d, err := newGAN(f.name+"_g", f.name+"_d", *f.seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "training %s_g against %s_d on %d MNIST images: %s, %d epochs, batch %d, seed %d\n",
		f.name, f.name, n, how, *f.epochs, *f.batch, *f.seed)
	cpu0, start := cputime.Used(), time.Now()
	progress, cbErr := ganProgress(g, d, f.name, *f.checkpoints, cpu0, stdout, stderr)
	opt := gan.Options{Epochs: *f.epochs, BatchSize: *f.batch, Seed: *f.seed, Workers: *f.workers, Every: *f.every, Progress: progress}
	if err := fit(g, d, opt); err != nil {
		return err
	}
	if *cbErr != nil {
		return *cbErr
	}
	if err := saveGAN(g, d, *f.gOut, *f.dOut); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "trained in %.1f CPU-min (%.1f min wall); weights written to %s and %s\n",
		(cputime.Used() - cpu0).Minutes(), time.Since(start).Minutes(), *f.gOut, *f.dOut)
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
