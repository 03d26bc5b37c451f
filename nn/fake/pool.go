package fake

import (
	"fmt"
	"slices"

	"subsetscan/data"
	"subsetscan/nn"
	"subsetscan/nn/gan"
)

// ImageShape is the shape of one MNIST image, [28 28 1], that generators
// must produce and detectors take.
var ImageShape = []int{28, 28, 1}

// Generator is a named source of fake images: Generate returns n images
// for a role, drawn from seed, on workers goroutines (0 means all cores),
// the same images for the same role and seed whatever workers. A sampling
// generator (a GAN) ignores the role; an attribute-editing one (Editor)
// edits real images of the role's own sources.
type Generator struct {
	Name     string
	Generate func(role Role, seed uint64, n, workers int) (*data.Array, error)
}

// GAN returns the generator of a GAN's generator model g (input a latent
// vector), sampled by gan.Generate.
func GAN(name string, g *nn.Model) Generator {
	return Generator{Name: name, Generate: func(_ Role, seed uint64, n, workers int) (*data.Array, error) {
		return gan.Generate(g, seed, n, workers)
	}}
}

// Role says what fakes are drawn for: the training pool or the held-out
// sets.
type Role int

const (
	// Training fakes are those detectors are trained on.
	Training Role = iota
	// HeldOut fakes are those detectors are scored on.
	HeldOut
)

// Seed returns the seed of the fakes of a role given the study's base
// seed: 2·base for Training, 2·base+1 for HeldOut, so the two are
// different for every base and the held-out fakes are never the training
// ones.
func Seed(base uint64, role Role) uint64 { return 2*base + uint64(role) }

// Draw returns n fakes of g for the role, drawn from Seed(base, role). It
// is an error if the generator fails, returns another number of images or
// images of another shape than ImageShape, or values that are not finite;
// errors name the generator.
func Draw(g Generator, role Role, base uint64, n, workers int) (*data.Array, error) {
	x, err := g.Generate(role, Seed(base, role), n, workers)
	if err != nil {
		return nil, fmt.Errorf("fake: generator %s: %w", g.Name, err)
	}
	if x.Len() != n || !slices.Equal(x.Shape[1:], ImageShape) {
		return nil, fmt.Errorf("fake: generator %s gave images of shape %v, want [%d 28 28 1]", g.Name, x.Shape, n)
	}
	if err := x.CheckFinite(); err != nil {
		return nil, fmt.Errorf("fake: generator %s: %w", g.Name, err)
	}
	return x, nil
}

// Pool returns n fakes for the role from the generators together, n/k of
// each of the k generators (the first n mod k generators one more), in
// the order of gens. It is an error if gens is empty or a name repeats.
func Pool(gens []Generator, role Role, base uint64, n, workers int) (*data.Array, error) {
	if len(gens) == 0 {
		return nil, fmt.Errorf("fake: a pool needs at least one generator")
	}
	parts := make([]*data.Array, len(gens))
	for i, g := range gens {
		if slices.ContainsFunc(gens[:i], func(h Generator) bool { return h.Name == g.Name }) {
			return nil, fmt.Errorf("fake: generator %s named twice", g.Name)
		}
		k := n / len(gens)
		if i < n%len(gens) {
			k++
		}
		x, err := Draw(g, role, base, k, workers)
		if err != nil {
			return nil, err
		}
		parts[i] = x
	}
	return data.Concat(parts...)
}

// Class labels of the detectors' two outputs.
const (
	LabelReal = 0
	LabelFake = 1
)

// Labelled returns the images of real followed by those of fake, with
// their labels (LabelReal, LabelFake), for training a detector. It is an
// error if their per-image shapes differ.
func Labelled(real, fake *data.Array) (*data.Array, []int, error) {
	x, err := data.Concat(real, fake)
	if err != nil {
		return nil, nil, fmt.Errorf("fake: real and fake images: %w", err)
	}
	labels := make([]int, x.Len())
	for i := real.Len(); i < len(labels); i++ {
		labels[i] = LabelFake
	}
	return x, labels, nil
}

// HeldOutSets returns n held-out fakes of each generator (Draw with role
// HeldOut), named after it, in the order of gens.
func HeldOutSets(gens []Generator, base uint64, n, workers int) ([]Set, error) {
	sets := make([]Set, len(gens))
	for i, g := range gens {
		x, err := Draw(g, HeldOut, base, n, workers)
		if err != nil {
			return nil, err
		}
		sets[i] = Set{Name: g.Name, Images: x}
	}
	return sets, nil
}
