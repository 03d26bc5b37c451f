package experiments

import (
	"fmt"
	"slices"

	"subsetscan/data/mnistc"
	"subsetscan/nn"
)

func init() { Register(oodKind{}) }

// oodKind is the kind ood: out-of-distribution detection by subset
// scanning with input perturbation (Kim et al., ISBI 2022), on a
// classifier trained on known classes. The sets are the test images of
// the held-out classes (unknown classes) and, per MNIST-C corruption,
// corrupted known-class images (acquisition shift). Every image, the
// background's too, is perturbed as ODIN does (T, ε) and every layer's
// activations are scanned individually, on x̃ and, for comparison, on x;
// MSP, ODIN and Mahalanobis are the baselines.
type oodKind struct{}

// oodSettings are the section of kind ood.
type oodSettings struct {
	// HeldOut are the digits the classifier never saw; the others, in
	// increasing order, are its classes 0…k−1.
	HeldOut []int `yaml:"held_out" json:"held_out" cfg:"required"`
	// Corruptions are the MNIST-C corruptions, one set each.
	Corruptions []string `yaml:"corruptions" json:"corruptions" cfg:"required"`
	// Temperature and Epsilon are ODIN's T (> 0) and ε (≥ 0).
	Temperature float64 `yaml:"temperature" json:"temperature" cfg:"required"`
	Epsilon     float64 `yaml:"epsilon" json:"epsilon" cfg:"required"`
	// Samples are the numbers of images of the background, the clean
	// images and each set.
	Samples     oodSamples     `yaml:"samples" json:"samples" cfg:"required"`
	Mahalanobis oodMahalanobis `yaml:"mahalanobis" json:"mahalanobis" cfg:"required"`
	// Group, when given, adds group scans of the perturbed activations.
	Group *GroupSpec `yaml:"group" json:"group,omitempty"`
	// Fairness, when given, adds the breakdown by subgroup.
	Fairness *oodFairness `yaml:"fairness" json:"fairness,omitempty"`
}

// oodSamples are the sample counts of kind ood: the background is the
// first Background known-class images of dataset.background; the clean
// images the first Clean known-class images of dataset.clean, the
// unknown-class set its first Sets held-out images, and the corruptions'
// sources the Sets known-class images after the clean ones.
type oodSamples struct {
	Background int `yaml:"background" json:"background" cfg:"required"`
	Clean      int `yaml:"clean" json:"clean" cfg:"required"`
	Sets       int `yaml:"sets" json:"sets" cfg:"required"`
}

// oodMahalanobis configures the Mahalanobis baseline: the layer whose
// features it models, the training-split range whose known-class images
// give the class means and the tied covariance, and its step ε (≥ 0).
type oodMahalanobis struct {
	Layer   string  `yaml:"layer" json:"layer" cfg:"required"`
	Train   [2]int  `yaml:"train" json:"train" cfg:"required"`
	Epsilon float64 `yaml:"epsilon" json:"epsilon" cfg:"required"`
}

// unknownSet is the name of the set of held-out classes.
const unknownSet = "unknown"

// Names returns the sets: the unknown classes, then the corruptions.
func (s *oodSettings) Names(*Config) (sets, layers []string) {
	return append([]string{unknownSet}, s.Corruptions...), nil
}

func (oodKind) Name() string { return "ood" }

// Decode decodes and checks the section.
func (oodKind) Decode(cfg *Config, sec *Section) (Settings, error) {
	return decodeChecked[oodSettings](cfg, sec, "individual")
}

// known returns the digits not held out, in increasing order.
func (s *oodSettings) known() []int {
	var k []int
	for d := range 10 {
		if !slices.Contains(s.HeldOut, d) {
			k = append(k, d)
		}
	}
	return k
}

// check checks the settings, whose key is key.
func (s *oodSettings) check(cfg *Config, key string) error {
	for i, d := range s.HeldOut {
		if d < 0 || d > 9 || slices.Contains(s.HeldOut[:i], d) {
			return keyErr(fmt.Sprintf("%s.held_out[%d]", key, i), "must be a digit 0–9 not given before, got %d", d)
		}
	}
	arch, err := nn.ArchByName(cfg.Model.Arch)
	if err != nil {
		return keyErr("model.arch", "%v", err)
	}
	known, classes := len(s.known()), arch.Layers[len(arch.Layers)-1].Units
	switch {
	case known < 2:
		return keyErr(key+".held_out", "leaves %d known class(es); at least 2 are needed", known)
	case known != classes:
		return keyErr(key+".held_out", "leaves %d known classes, but model %s has %d outputs", known, cfg.Model.Arch, classes)
	}
	for i, c := range s.Corruptions {
		if _, err := mnistc.ByName(c); err != nil {
			return keyErr(fmt.Sprintf("%s.corruptions[%d]", key, i), "unknown corruption %q (known: %v)", c, mnistc.Names())
		}
		if slices.Contains(s.Corruptions[:i], c) {
			return keyErr(fmt.Sprintf("%s.corruptions[%d]", key, i), "%s given twice", c)
		}
	}
	return s.checkValues(cfg, key, arch)
}

// checkValues checks the numbers and the Mahalanobis layer.
func (s *oodSettings) checkValues(cfg *Config, key string, arch nn.Arch) error {
	switch {
	case !(s.Temperature > 0):
		return keyErr(key+".temperature", "must be > 0, got %v", s.Temperature)
	case !(s.Epsilon >= 0):
		return keyErr(key+".epsilon", "must be ≥ 0, got %v", s.Epsilon)
	case !(s.Mahalanobis.Epsilon >= 0):
		return keyErr(key+".mahalanobis.epsilon", "must be ≥ 0, got %v", s.Mahalanobis.Epsilon)
	case !hasLayer(arch, s.Mahalanobis.Layer):
		return keyErr(key+".mahalanobis.layer", "%s has no layer %q", cfg.Model.Arch, s.Mahalanobis.Layer)
	case s.Samples.Background < 2 || s.Samples.Clean < 2 || s.Samples.Sets < 2:
		return keyErr(key+".samples", "needs background, clean and sets ≥ 2")
	}
	if err := checkRange(key+".mahalanobis.train", s.Mahalanobis.Train); err != nil {
		return err
	}
	if s.Fairness != nil {
		if err := s.Fairness.check(key+".fairness", s.Samples.Clean); err != nil {
			return err
		}
	}
	if s.Group != nil {
		return s.Group.check(key+".group", s.Samples.Clean)
	}
	return nil
}
