package experiments

import (
	"fmt"
	"slices"

	"subsetscan/nn"
	"subsetscan/nn/fake"
)

func init() { Register(subsetGANKind{}) }

// subsetGANKind is the kind subsetgan: the MNIST analog of the SubsetGAN
// table (Cintas et al. 2021, "Pattern detection in the activation space
// for identifying synthesized content"). Fakes of two kinds, total
// synthesis (TS: a GAN's generator from noise) and attribute editing (AE:
// a StarGAN-style generator editing real digits), are scanned in the
// activations of networks that never saw them: individually and in groups
// in each GAN's own discriminator (TS fakes in the TS GAN's D, AE fakes in
// the AE GAN's D), and in groups of mixed AE and TS fakes in two fake
// classifiers (a ResNet and a SqueezeNet), beside the supervised baselines
// FakeSpotter and AutoGAN scored on the same held-out images. The real
// images and the fakes come from nn/fake: a seeded disjoint split of MNIST
// and held-out fakes drawn from seeds no detector was trained on.
type subsetGANKind struct{}

// The names of the fake sets: each generator's held-out fakes and the
// mixed set the fake classifiers are scanned on.
const (
	setTS    = "TS"
	setAE    = "AE"
	setMixed = "AE+TS"
)

// subsetGANSettings are the section of kind subsetgan.
type subsetGANSettings struct {
	// Split sizes the real images (fake.NewSplit) and seeds them; its
	// seed is also the base seed of the fakes (fake.Seed), which must be
	// the one the detectors were trained with.
	Split ganSplit `yaml:"split" json:"split" cfg:"required"`
	// Fakes are the numbers of fakes: Pool, the training pool FakeSpotter
	// is fitted on (shared by the generators), and HeldOut, of each
	// generator, scored and scanned.
	Fakes ganFakes `yaml:"fakes" json:"fakes" cfg:"required"`
	// TS and AE are the two GANs: each generator and the discriminator
	// its fakes are scanned in.
	TS ganPair   `yaml:"ts" json:"ts" cfg:"required"`
	AE ganEditor `yaml:"ae" json:"ae" cfg:"required"`
	// ResNet and SqueezeNet are the fake classifiers scanned in group
	// mode on the mixed set.
	ResNet     ganNet `yaml:"resnet" json:"resnet" cfg:"required"`
	SqueezeNet ganNet `yaml:"squeezenet" json:"squeezenet" cfg:"required"`
	// Baselines are the supervised detectors' networks.
	Baselines ganBaselines `yaml:"baselines" json:"baselines" cfg:"required"`
	// Group configures the group scans; TableProportion, one of its
	// proportions, is the one whose AUC the comparison table shows.
	Group           GroupSpec `yaml:"group" json:"group" cfg:"required"`
	TableProportion float64   `yaml:"table_proportion" json:"table_proportion" cfg:"required"`
	// Grid is the number of images of each sample grid (0: none).
	Grid int `yaml:"grid" json:"grid"`
}

// ganSplit is fake.SplitOptions with every size given.
type ganSplit struct {
	Seed       uint64 `yaml:"seed" json:"seed" cfg:"required"`
	Train      int    `yaml:"train" json:"train" cfg:"required"`
	Background int    `yaml:"background" json:"background" cfg:"required"`
	Clean      int    `yaml:"clean" json:"clean" cfg:"required"`
	Eval       int    `yaml:"eval" json:"eval" cfg:"required"`
}

// ganFakes are the numbers of fakes.
type ganFakes struct {
	Pool    int `yaml:"pool" json:"pool" cfg:"required"`
	HeldOut int `yaml:"held_out" json:"held_out" cfg:"required"`
}

// ganPair is a GAN: its generator and the discriminator scanned, with
// the discriminator's layers.
type ganPair struct {
	Generator     ModelRef `yaml:"generator" json:"generator" cfg:"required"`
	Discriminator ganNet   `yaml:"discriminator" json:"discriminator" cfg:"required"`
}

// ganEditor is the attribute-editing GAN: a ganPair whose generator edits
// real images (the split's eval part for the held-out fakes, its training
// part for the training pool) to another stroke domain (fake.Editor; thin
// and thick by data.ClassInkGroups with the MNIST training set's edges,
// the rule the StarGAN was trained with).
type ganEditor struct {
	ganPair `yaml:",inline"`
}

// ganNet is a scanned network and its layers.
type ganNet struct {
	Arch    string `yaml:"arch" json:"arch" cfg:"required"`
	Weights string `yaml:"weights" json:"weights" cfg:"required,path"`
	Layers  Layers `yaml:"layers" json:"layers" cfg:"required"`
}

// ganBaselines are the networks of the baselines: FakeSpotter's
// recogniser (the project's MNIST classifier, whose layers
// fake.FakeSpotterLayers it monitors) and AutoGAN's spectrum classifier.
type ganBaselines struct {
	Recogniser ModelRef `yaml:"recogniser" json:"recogniser" cfg:"required"`
	AutoGAN    ModelRef `yaml:"autogan" json:"autogan" cfg:"required"`
}

// The rows of the comparison table (the published values' "layers").
const (
	rowFakeSpotter = "fakespotter"
	rowAutoGAN     = "autogan"
	rowIndividual  = "subsetgan-individual"
	rowGroup       = "subsetgan-group"
	rowResNet      = "subsetgan-group-resnet"
	rowSqueezeNet  = "subsetgan-group-squeezenet"
)

// Names returns the fake sets and the rows of the comparison table.
func (s *subsetGANSettings) Names(*Config) (sets, layers []string) {
	return []string{setTS, setAE, setMixed}, []string{rowFakeSpotter, rowAutoGAN, rowIndividual, rowGroup, rowResNet, rowSqueezeNet}
}

func (subsetGANKind) Name() string { return "subsetgan" }

// Decode decodes and checks the section. The kind runs individual and
// group scans; scan.mode must be individual (as for kind ood, whose group
// scans are an addition too).
func (subsetGANKind) Decode(cfg *Config, sec *Section) (Settings, error) {
	return decodeChecked[subsetGANSettings](cfg, sec, "individual")
}

// check checks the settings, whose key is key.
func (s *subsetGANSettings) check(cfg *Config, key string) error {
	if err := s.checkCounts(key); err != nil {
		return err
	}
	if err := s.TS.check(key + ".ts"); err != nil {
		return err
	}
	if arch, _ := nn.ArchByName(s.TS.Generator.Arch); len(arch.Input) != 1 {
		return keyErr(key+".ts.generator.arch", "%s takes inputs of shape %v, not a latent vector", s.TS.Generator.Arch, arch.Input)
	}
	if err := s.AE.check(key + ".ae"); err != nil {
		return err
	}
	for _, n := range []struct {
		key  string
		net  ganNet
		arch string
	}{{".resnet", s.ResNet, fake.ResNet}, {".squeezenet", s.SqueezeNet, fake.SqueezeNet}} {
		if err := n.net.check(key+n.key, n.arch); err != nil {
			return err
		}
	}
	for _, m := range []struct {
		key string
		ref ModelRef
	}{{".baselines.recogniser", s.Baselines.Recogniser}, {".baselines.autogan", s.Baselines.AutoGAN}} {
		if err := m.ref.checkWeights(key + m.key); err != nil {
			return err
		}
	}
	return s.checkGroup(key)
}

// checkCounts checks the split's sizes and the numbers of fakes.
func (s *subsetGANSettings) checkCounts(key string) error {
	sp := s.Split
	switch {
	case sp.Train < 1:
		return keyErr(key+".split.train", "must be ≥ 1, got %d", sp.Train)
	case sp.Background < 2 || sp.Clean < 2 || sp.Eval < 2:
		return keyErr(key+".split", "needs background, clean and eval ≥ 2, got %d, %d and %d", sp.Background, sp.Clean, sp.Eval)
	case sp.Background+sp.Clean+sp.Eval > mnistTest:
		return keyErr(key+".split", "background + clean + eval = %d exceeds the %d MNIST test images", sp.Background+sp.Clean+sp.Eval, mnistTest)
	case sp.Train > mnistTrain:
		return keyErr(key+".split.train", "%d exceeds the %d MNIST training images", sp.Train, mnistTrain)
	case s.Fakes.Pool < 2:
		return keyErr(key+".fakes.pool", "must be ≥ 2 (one fake of each generator at least), got %d", s.Fakes.Pool)
	case s.Fakes.Pool/2 > sp.Train:
		return keyErr(key+".fakes.pool", "%d asks for %d AE training fakes, edits of the %d real training images (split.train)", s.Fakes.Pool, s.Fakes.Pool/2, sp.Train)
	case s.Fakes.HeldOut < 2:
		return keyErr(key+".fakes.held_out", "must be ≥ 2, got %d", s.Fakes.HeldOut)
	case s.Fakes.HeldOut > sp.Eval:
		return keyErr(key+".fakes.held_out", "%d exceeds the %d real images the AE generator edits (split.eval)", s.Fakes.HeldOut, sp.Eval)
	case s.Grid < 0:
		return keyErr(key+".grid", "must be ≥ 0, got %d", s.Grid)
	}
	return nil
}

// The sizes of the MNIST splits.
const (
	mnistTrain = 60000
	mnistTest  = 10000
)

// checkGroup checks the group scans: their spec, a contaminated group's
// fakes within each set, and the table's proportion.
func (s *subsetGANSettings) checkGroup(key string) error {
	g := s.Group
	if err := g.check(key+".group", s.Split.Clean); err != nil {
		return err
	}
	for i, p := range g.Proportions {
		if n := max(1, int(p*float64(g.Size)+0.5)); n > s.Fakes.HeldOut {
			return keyErr(fmt.Sprintf("%s.group.proportions[%d]", key, i), "%v of a group of %d is %d fakes, more than the %d held-out fakes of a set (fakes.held_out)",
				p, g.Size, n, s.Fakes.HeldOut)
		}
	}
	if !slices.Contains(g.Proportions, s.TableProportion) {
		return keyErr(key+".table_proportion", "%v is not one of group.proportions %v", s.TableProportion, g.Proportions)
	}
	return nil
}

// checkWeights checks that m names a registered architecture and an
// existing weights file; training here is not supported by this kind.
func (m *ModelRef) checkWeights(key string) error {
	if m.Train != nil {
		return keyErr(key+".train", "is not supported by kind subsetgan: give weights")
	}
	return m.check(key)
}

// check checks the network: its architecture (want, when not ""), weights
// and layers.
func (n *ganNet) check(key, want string) error {
	if want != "" && n.Arch != want {
		return keyErr(key+".arch", "must be %s, got %q", want, n.Arch)
	}
	ref := ModelRef{Arch: n.Arch, Weights: n.Weights}
	if err := ref.check(key); err != nil {
		return err
	}
	arch, _ := nn.ArchByName(n.Arch)
	if !slices.Equal(arch.Input, fake.ImageShape) {
		return keyErr(key+".arch", "%s takes inputs of shape %v, not MNIST images %v", n.Arch, arch.Input, fake.ImageShape)
	}
	if len(n.Layers) == 0 {
		return keyErr(key+".layers", "must list at least one layer")
	}
	for i, l := range n.Layers {
		if !hasLayer(arch, l) {
			return keyErr(fmt.Sprintf("%s.layers[%d]", key, i), "%s has no layer %q", n.Arch, l)
		}
	}
	return nil
}

// check checks a GAN: its networks, and that the generator outputs what
// the discriminator takes, MNIST images.
func (p *ganPair) check(key string) error {
	if err := p.Generator.checkWeights(key + ".generator"); err != nil {
		return err
	}
	out, err := outputShape(p.Generator.Arch)
	if err != nil {
		return keyErr(key+".generator.arch", "%v", err)
	}
	d, err := nn.ArchByName(p.Discriminator.Arch)
	if err != nil {
		return keyErr(key+".discriminator.arch", "%v", err)
	}
	if !slices.Equal(out, d.Input) {
		return keyErr(key+".generator.arch", "%s outputs images of shape %v, but the discriminator %s takes %v",
			p.Generator.Arch, out, p.Discriminator.Arch, d.Input)
	}
	return p.Discriminator.check(key+".discriminator", "")
}

// check checks the attribute-editing GAN: a pair whose generator takes an
// MNIST image with its domain planes, and the target.
func (e *ganEditor) check(key string) error {
	if err := e.ganPair.check(key); err != nil {
		return err
	}
	arch, _ := nn.ArchByName(e.Generator.Arch)
	if in := arch.Input; len(in) != 3 || in[0] != fake.ImageShape[0] || in[1] != fake.ImageShape[1] || in[2] < 3 {
		return keyErr(key+".generator.arch", "%s takes inputs of shape %v, not an MNIST image with domain planes [28 28 1+k]", e.Generator.Arch, in)
	}
	return nil
}

// outputShape returns the shape of one output of the architecture name,
// without the sample axis.
func outputShape(name string) ([]int, error) {
	arch, err := nn.ArchByName(name)
	if err != nil {
		return nil, err
	}
	m, err := nn.New(arch)
	if err != nil {
		return nil, err
	}
	s, ok := m.OutputShape(arch.Layers[len(arch.Layers)-1].Name)
	if !ok {
		return nil, fmt.Errorf("%s has no output shape", name)
	}
	return s, nil
}
