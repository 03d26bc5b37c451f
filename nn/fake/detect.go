package fake

import (
	"fmt"
	"path/filepath"

	"subsetscan/data"
	"subsetscan/nn"
)

// Detector scores images ([n 28 28 1]): one score per image, higher
// meaning more likely generated.
type Detector interface {
	// Name names the detector in reports.
	Name() string
	// Scores returns the score of each image of x, computed on workers
	// goroutines (0 means all cores); they do not depend on workers.
	Scores(x *data.Array, workers int) ([]float64, error)
}

// Net is a detector network with two softmax outputs (real, fake), such
// as fake-resnet and fake-squeezenet; its score is the fake logit minus
// the real logit, the log-odds of fake, which unlike the probability does
// not round to 1 for images it is sure of.
type Net struct {
	Label string
	Model *nn.Model
}

// Name implements Detector.
func (d Net) Name() string { return d.Label }

// Scores implements Detector.
func (d Net) Scores(x *data.Array, workers int) ([]float64, error) {
	return logOdds(d.Model, x, workers)
}

// logOdds returns the fake logit minus the real logit of m (2 outputs)
// for each image of x.
func logOdds(m *nn.Model, x *data.Array, workers int) ([]float64, error) {
	z, err := m.Logits(x, workers)
	if err != nil {
		return nil, err
	}
	if z.RowSize() != 2 {
		return nil, fmt.Errorf("fake: %s has %d outputs, want 2 (real, fake)", m.Arch.Name, z.RowSize())
	}
	out := make([]float64, z.Len())
	for i := range out {
		r := z.Row(i)
		out[i] = float64(r[LabelFake]) - float64(r[LabelReal])
	}
	return out, nil
}

// AutoGAN is AutoGAN's detector: Classifier (architecture autogan-cls)
// scores the Spectrum of each image, by its log-odds of fake.
type AutoGAN struct {
	Classifier *nn.Model
}

// Name implements Detector.
func (AutoGAN) Name() string { return "AutoGAN" }

// Scores implements Detector.
func (d AutoGAN) Scores(x *data.Array, workers int) ([]float64, error) {
	s, err := Spectrum(x, workers)
	if err != nil {
		return nil, err
	}
	return logOdds(d.Classifier, s, workers)
}

// Load loads the weights at path into the registered architecture name.
// A missing or unreadable file is an error naming it.
func Load(name, path string) (*nn.Model, error) {
	arch, err := nn.ArchByName(name)
	if err != nil {
		return nil, err
	}
	m, err := nn.Load(arch, path)
	if err != nil {
		return nil, fmt.Errorf("fake: %s weights: %w", name, err)
	}
	return m, nil
}

// Weight files of the trained detectors, in a models directory.
const (
	ResNetFile     = "fake-resnet.npz"
	SqueezeNetFile = "fake-squeezenet.npz"
	SimulatorFile  = "autogan-sim.npz"
	SpectrumFile   = "autogan-cls.npz"
)

// Detectors returns the study's detectors in the order of its reports:
// fake-resnet and fake-squeezenet (Net) and AutoGAN's classifier, loaded
// from their files in dir, and FakeSpotter fitted here on the recogniser
// rec (FakeSpotterLayers) with the real training images and the training
// pool of fakes. A missing or bad weights file is an error naming it.
func Detectors(dir string, rec *nn.Model, realTrain, pool *data.Array, workers int) ([]Detector, error) {
	var dets []Detector
	for _, c := range [][2]string{{ResNet, ResNetFile}, {SqueezeNet, SqueezeNetFile}} {
		m, err := Load(c[0], filepath.Join(dir, c[1]))
		if err != nil {
			return nil, err
		}
		dets = append(dets, Net{Label: c[0], Model: m})
	}
	cls, err := Load(SpectrumNN, filepath.Join(dir, SpectrumFile))
	if err != nil {
		return nil, err
	}
	fsp, err := FitFakeSpotter(rec, FakeSpotterLayers, realTrain, pool, workers)
	if err != nil {
		return nil, err
	}
	return append(dets, fsp, AutoGAN{Classifier: cls}), nil
}
