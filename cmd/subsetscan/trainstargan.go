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
	"subsetscan/nn/gan"
)

func init() {
	register(&command{
		Name:  "train-stargan",
		Short: "train the MNIST stroke-thickness editor (StarGAN: generator stargan_g against discriminator stargan_d) and write both weights (.npz)",
		Usage: "-g G.npz -d D.npz [flags]",
		Run:   runTrainStarGAN,
	})
}

// strokeDomains returns the stroke-thickness domains of the MNIST images
// x with labels: thin (0) or thick (1), their ink mass against the median
// of their class among the MNIST training images (data.ClassInkEdges).
func strokeDomains(x *data.Array, labels []int) ([]int, error) {
	train, trainLabels, err := data.LoadMNIST("train")
	if err != nil {
		return nil, err
	}
	edges, err := data.ClassInkEdges(train, trainLabels, 10, gan.Domains)
	if err != nil {
		return nil, err
	}
	return data.ClassInkGroups(x, labels, edges)
}

func runTrainStarGAN(ctx context.Context, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	gOut := fs.String("g", "", "output generator weights (.npz, written atomically)")
	dOut := fs.String("d", "", "output discriminator weights (.npz, written atomically)")
	epochs := fs.Int("epochs", 1, "epochs over the training images")
	batch := fs.Int("batch", 32, "mini-batch size (real images, and as many edited ones)")
	seed := fs.Uint64("seed", 1, "seed of the initialisations, the shuffling and the target domains")
	workers := fs.Int("workers", 0, "goroutines to use (0 = all cores); the weights do not depend on it")
	nTrain := fs.Int("train-n", 0, "train on the first N MNIST training images only (0 = all 60000)")
	every := fs.Int("every", 100, "print the mean losses every N steps (0 = per epoch only)")
	checkpoints := fs.String("checkpoints", "", "directory to write both models' weights after every epoch (stargan_g-epochN.npz, stargan_d-epochN.npz)")
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
	if err := mkdirs(filepath.Dir(*gOut), filepath.Dir(*dOut), *checkpoints); err != nil {
		return err
	}
	real, labels, err := data.LoadMNIST("train")
	if err != nil {
		return err
	}
	if *nTrain > 0 && *nTrain < real.Len() {
		real, labels = real.Slice(0, *nTrain), labels[:*nTrain]
	}
	domains, err := strokeDomains(real, labels)
	if err != nil {
		return err
	}
	g, d, err := newGAN("stargan_g", "stargan_d", *seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "training stargan_g against stargan_d on %d MNIST images, thin/thick strokes (ink mass vs its class's median): non-saturating adversarial loss, λ_cls 1, λ_rec 10, Adam(2e-4, β₁ 0.5), %d epochs, batch %d, seed %d\n",
		real.Len(), *epochs, *batch, *seed)
	cpu0, start := cputime.Used(), time.Now()
	progress, cbErr := ganProgress(g, d, "stargan", *checkpoints, cpu0, stdout, stderr)
	_, err = gan.TrainStarGAN(ctx, g, d, real, domains, gan.StarOptions{Options: gan.Options{
		Epochs: *epochs, BatchSize: *batch, Seed: *seed, Workers: *workers, Every: *every, Progress: progress,
	}})
	if err != nil {
		return fmt.Errorf("training the StarGAN: %w", err)
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

// mkdirs creates the directories that are not "".
func mkdirs(dirs ...string) error {
	for _, dir := range dirs {
		if dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
		}
	}
	return nil
}
