package fake

import (
	"math"
	"slices"
	"testing"

	"subsetscan/data"
	"subsetscan/nn"
)

// tinyRecogniser returns a small dense network on MNIST-shaped images.
func tinyRecogniser(t *testing.T) *nn.Model {
	t.Helper()
	m, err := nn.New(nn.Arch{Name: "tiny_rec", Input: ImageShape, Layers: []nn.LayerSpec{
		{Name: "f", Kind: nn.Flatten},
		{Name: "d1", Kind: nn.Dense, Units: 6, Activation: "relu"},
		{Name: "d2", Kind: nn.Dense, Units: 3, Activation: "softmax"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	m.InitGlorot(4)
	return m
}

// brighter returns images drawn from seed with gain added to every pixel,
// so that the two classes activate the recogniser differently.
func brighter(n int, seed uint64, gain float32) *data.Array {
	x := randomImages(n, seed)
	for i := range x.Data {
		x.Data[i] = 0.5*x.Data[i] + gain
	}
	return x
}

// TestFakeSpotterFeatures checks the thresholds (each layer's mean
// activation over the real images) and the features (the share of a
// layer's neurons above it) against a direct computation, over more than
// one batch, and that they and the scores do not depend on the workers.
func TestFakeSpotterFeatures(t *testing.T) {
	rec := tinyRecogniser(t)
	real, fakes := brighter(batchSize+30, 1, 0), brighter(40, 2, 0.3)
	layers := []string{"d1", "d2"}
	f, err := FitFakeSpotter(rec, layers, real, fakes, 1)
	if err != nil {
		t.Fatal(err)
	}
	out, err := rec.Forward(real, layers, 1)
	if err != nil {
		t.Fatal(err)
	}
	for l, name := range layers {
		var sum float64
		for _, v := range out[name].Data {
			sum += float64(v)
		}
		if want := sum / float64(len(out[name].Data)); math.Abs(f.Thresholds[l]-want) > 1e-9*math.Abs(want) {
			t.Errorf("%s: threshold %v, want the mean activation %v", name, f.Thresholds[l], want)
		}
	}
	feats, err := f.Features(real, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []int{0, batchSize + 29} {
		for l, name := range layers {
			above := 0
			for _, v := range out[name].Row(s) {
				if float64(v) > f.Thresholds[l] {
					above++
				}
			}
			if want := float64(above) / float64(out[name].RowSize()); feats[s][l] != want {
				t.Errorf("image %d, %s: feature %v, want %v", s, name, feats[s][l], want)
			}
		}
	}
	f2, err := FitFakeSpotter(rec, layers, real, fakes, 3)
	if err != nil {
		t.Fatal(err)
	}
	s1, _ := f.Scores(fakes, 1)
	s2, _ := f2.Scores(fakes, 3)
	if !slices.Equal(f.Thresholds, f2.Thresholds) || !slices.Equal(s1, s2) {
		t.Error("1 and 3 workers give different thresholds or scores")
	}
}

// TestFakeSpotterErrors checks an unknown layer, images that do not fit
// the recogniser and empty sets.
func TestFakeSpotterErrors(t *testing.T) {
	rec := tinyRecogniser(t)
	x := brighter(4, 1, 0)
	if _, err := FitFakeSpotter(rec, []string{"nope"}, x, x, 1); err == nil {
		t.Error("unknown layer: no error")
	}
	if _, err := FitFakeSpotter(rec, []string{"d1"}, data.NewArray(4, 5, 5, 1), x, 1); err == nil {
		t.Error("5×5 images: no error")
	}
	if _, err := FitFakeSpotter(rec, []string{"d1"}, x.Slice(0, 0), x, 1); err == nil {
		t.Error("no real images: no error")
	}
}

// TestEvaluate checks Evaluate's AUC and accuracy on a detector whose
// score is an image's mean pixel value minus ½.
func TestEvaluate(t *testing.T) {
	clean, fakes := brighter(50, 1, 0), brighter(30, 2, 0.6)
	res, err := Evaluate(meanDetector{}, clean, []Set{{"bright", fakes}, {"same", brighter(30, 3, 0)}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].Set != "bright" || res[0].AUC != 1 || res[0].Accuracy != 1 {
		t.Errorf("bright fakes: %+v", res[0])
	}
	if r := res[1]; !(r.AUC > 0.3 && r.AUC < 0.7) || !(r.CI[0] < 0.5 && r.CI[1] > 0.5) {
		t.Errorf("indistinguishable fakes: AUC %v, CI %v", r.AUC, r.CI)
	}
}

type meanDetector struct{}

func (meanDetector) Name() string { return "mean" }
func (meanDetector) Scores(x *data.Array, _ int) ([]float64, error) {
	out := make([]float64, x.Len())
	for i := range out {
		for _, v := range x.Row(i) {
			out[i] += float64(v)
		}
		out[i] = out[i]/float64(x.RowSize()) - 0.5
	}
	return out, nil
}
