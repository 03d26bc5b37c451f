package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"subsetscan/data"
	"subsetscan/nn"
	"subsetscan/nn/gan"
)

func init() {
	register(&command{
		Name:  "eval-gan",
		Short: "compare a trained MNIST generator's samples with MNIST test digits: Fréchet distances on the classifier's features, its labels, a PNG of samples",
		Usage: "[-g G.npz] [-classifier C.npz] [-n N] [-png OUT.png] [flags]",
		Run:   runEvalGAN,
	})
}

func runEvalGAN(ctx context.Context, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	gPath := fs.String("g", "configs/models/gan_g.npz", "generator weights (architecture gan_g)")
	clfPath := fs.String("classifier", "configs/models/classifier.npz", "classifier weights (architecture classifier) whose dense_1 outputs are the features")
	n := fs.Int("n", 5000, "samples per set compared (the MNIST test set holds 2·5000)")
	seed := fs.Uint64("seed", 1, "seed of the generated samples and of the noise")
	pngPath := fs.String("png", "", "write a PNG of 64 generated samples (8×8) here")
	workers := fs.Int("workers", 0, "goroutines to use (0 = all cores)")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("unexpected arguments %q", fs.Args())
	case *n < 2 || *n > 5000:
		return usagef("-n %d must be in [2, 5000]", *n)
	case *workers < 0:
		return usagef("-workers %d must be ≥ 0", *workers)
	}
	g, err := loadArch("gan_g", *gPath)
	if err != nil {
		return err
	}
	clf, err := loadArch("classifier", *clfPath)
	if err != nil {
		return err
	}
	if *pngPath != "" {
		if err := writeSamples(g, *pngPath, *seed, *workers); err != nil {
			return err
		}
	}
	real, _, err := data.LoadMNIST("test")
	if err != nil {
		return err
	}
	ev, err := gan.Evaluate(g, clf, real, gan.EvalOptions{N: *n, Seed: *seed, Workers: *workers})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Fréchet distance (d², FID-style) on the classifier's dense_1 features, %d samples per set:\n", ev.N)
	fmt.Fprintf(stdout, "  generated vs real test digits:   %9.3f\n", ev.Generated)
	fmt.Fprintf(stdout, "  real vs real (disjoint, floor):  %9.3f\n", ev.Floor)
	fmt.Fprintf(stdout, "  Gaussian noise vs real (ceiling): %8.3f\n", ev.Ceiling)
	fmt.Fprintf(stdout, "classifier's labels of the generated digits (0-9): %v; mean top probability %.3f\n", ev.Labels, ev.Confidence)
	return nil
}

// loadArch loads the weights at path into the registered architecture.
func loadArch(name, path string) (*nn.Model, error) {
	arch, err := nn.ArchByName(name)
	if err != nil {
		return nil, err
	}
	return nn.Load(arch, path)
}

// writeSamples writes a PNG of 64 samples of g, 8 by 8.
func writeSamples(g *nn.Model, path string, seed uint64, workers int) error {
	x, err := gan.Generate(g, seed, 64, workers)
	if err != nil {
		return err
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return gan.WriteGrid(path, x, 8)
}
