package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"subsetscan/data"
	"subsetscan/nn"
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

func runTrainStarGAN(ctx context.Context, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	f := addPairFlags(fs, "stargan", 1, 32, "seed of the initialisations, the shuffling and the target domains")
	if err := f.parse(fs, args); err != nil {
		return err
	}
	real, labels, err := data.LoadMNIST("train")
	if err != nil {
		return err
	}
	edges, err := gan.StrokeEdges(real, labels) // of all the training images, whatever -train-n
	if err != nil {
		return err
	}
	if *f.nTrain > 0 && *f.nTrain < real.Len() {
		real, labels = real.Slice(0, *f.nTrain), labels[:*f.nTrain]
	}
	domains, err := data.ClassInkGroups(real, labels, edges)
	if err != nil {
		return err
	}
	how := "thin/thick strokes (ink mass vs its class's median), G starting as the identity, non-saturating adversarial loss, λ_cls 1, λ_rec 10, Adam(2e-4, β₁ 0.5)"
	return f.train(real.Len(), how, stdout, stderr, func(g, d *nn.Model, opt gan.Options) error {
		if err := gan.InitStarGAN(g, *f.seed); err != nil {
			return err
		}
		if _, err := gan.TrainStarGAN(ctx, g, d, real, domains, gan.StarOptions{Options: opt}); err != nil {
			return fmt.Errorf("training the StarGAN: %w", err)
		}
		return nil
	})
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
