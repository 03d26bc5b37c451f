package fake

import (
	"fmt"

	"subsetscan/data"
	"subsetscan/nn"
)

// FakeSpotterLayers are the layers of the project's MNIST classifier
// (nn.ClassifierArch) whose neurons FakeSpotter monitors: every layer but
// flatten_1, which holds max_pooling2d_2's values again.
var FakeSpotterLayers = []string{"conv2d_1", "max_pooling2d_1", "conv2d_2", "max_pooling2d_2", "dense_1", "dense_2"}

// fakeSpotterL2 is the ridge penalty of FakeSpotter's logistic regression,
// which keeps its weights finite if the training features separate.
const fakeSpotterL2 = 1e-3

// batchSize is the number of images whose activations are held at once.
const batchSize = 500

// FakeSpotter is the FakeSpotter detector (Wang et al., IJCAI 2020): the
// layer-wise neuron coverage of a recogniser as features, and a logistic
// regression on them.
type FakeSpotter struct {
	Recogniser *nn.Model
	Layers     []string
	// Thresholds[l] is the activation above which a neuron of Layers[l]
	// counts as activated: the mean activation of the layer (over its
	// neurons and the real training images).
	Thresholds []float64
	Model      *LogReg
}

// Name implements Detector.
func (*FakeSpotter) Name() string { return "FakeSpotter" }

// FitFakeSpotter sets the thresholds of the layers of rec from the real
// training images (each layer's mean activation) and fits the logistic
// regression (ridge penalty 1e-3) on the coverage features of real (class
// 0) and fake (class 1) training images. It is an error if real or fake is
// empty, if a layer is not rec's, or if the images do not fit rec's input.
func FitFakeSpotter(rec *nn.Model, layers []string, real, fake *data.Array, workers int) (*FakeSpotter, error) {
	if real.Len() == 0 || fake.Len() == 0 {
		return nil, fmt.Errorf("fake: FakeSpotter on %d real and %d fake images: need both", real.Len(), fake.Len())
	}
	f := &FakeSpotter{Recogniser: rec, Layers: layers, Thresholds: make([]float64, len(layers))}
	err := eachBatch(rec, layers, real, workers, func(_ int, out map[string]*data.Array) {
		for l, name := range layers {
			for _, v := range out[name].Data {
				f.Thresholds[l] += float64(v)
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("fake: FakeSpotter thresholds: %w", err)
	}
	for l, name := range layers {
		shape, _ := rec.OutputShape(name)
		f.Thresholds[l] /= float64(real.Len() * sizeOf(shape))
	}
	fr, err := f.Features(real, workers)
	if err != nil {
		return nil, err
	}
	ff, err := f.Features(fake, workers)
	if err != nil {
		return nil, err
	}
	y := make([]bool, len(fr)+len(ff))
	for i := len(fr); i < len(y); i++ {
		y[i] = true
	}
	if f.Model, err = FitLogReg(append(fr, ff...), y, LogRegOptions{L2: fakeSpotterL2}); err != nil {
		return nil, fmt.Errorf("fake: FakeSpotter: %w", err)
	}
	return f, nil
}

// Features returns the coverage features of each image of x: for each
// layer, the share of its neurons whose activation exceeds the layer's
// threshold.
func (f *FakeSpotter) Features(x *data.Array, workers int) ([][]float64, error) {
	feats := make([][]float64, x.Len())
	err := eachBatch(f.Recogniser, f.Layers, x, workers, func(start int, out map[string]*data.Array) {
		for l, name := range f.Layers {
			a := out[name]
			for s := range a.Len() {
				if feats[start+s] == nil {
					feats[start+s] = make([]float64, len(f.Layers))
				}
				above := 0
				for _, v := range a.Row(s) {
					if float64(v) > f.Thresholds[l] {
						above++
					}
				}
				feats[start+s][l] = float64(above) / float64(a.RowSize())
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("fake: FakeSpotter features: %w", err)
	}
	return feats, nil
}

// Scores implements Detector: the logistic regression's logit.
func (f *FakeSpotter) Scores(x *data.Array, workers int) ([]float64, error) {
	feats, err := f.Features(x, workers)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(feats))
	for i, v := range feats {
		out[i] = f.Model.Logit(v)
	}
	return out, nil
}

// eachBatch runs the images of x through m in batches of batchSize, in
// order, and calls fn with the index of each batch's first image and the
// outputs of the layers.
func eachBatch(m *nn.Model, layers []string, x *data.Array, workers int, fn func(start int, out map[string]*data.Array)) error {
	for start := 0; start < x.Len(); start += batchSize {
		out, err := m.Forward(x.Slice(start, min(start+batchSize, x.Len())), layers, workers)
		if err != nil {
			return err
		}
		fn(start, out)
	}
	return nil
}

// sizeOf returns the number of values of a shape.
func sizeOf(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
