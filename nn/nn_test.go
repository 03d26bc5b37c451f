package nn_test

import (
	"math"
	"slices"
	"testing"

	"subsetscan/data"
	"subsetscan/internal/refdata"
	"subsetscan/nn"
)

// goldenTol is the tolerance for reproducing the authors' Keras
// activations (float32 arithmetic in a different order).
const goldenTol = 1e-5

func maxAbsDiff(t *testing.T, got, want *data.Array) float64 {
	t.Helper()
	if got.RowSize() != want.RowSize() || got.Len() != want.Len() {
		t.Fatalf("shape %v, want %v", got.Shape, want.Shape)
	}
	d := 0.0
	for i, v := range got.Data {
		d = max(d, math.Abs(float64(v)-float64(want.Data[i])))
	}
	return d
}

func TestAutoencoderGolden(t *testing.T) {
	m, err := nn.Load(nn.AutoencoderArch, refdata.Path(t, "models/mnist_autoencoder.npz"))
	if err != nil {
		t.Fatal(err)
	}
	golden, err := data.ReadNPZ(refdata.Path(t, "golden/mnist_autoencoder_activations_test0-4.npz"))
	if err != nil {
		t.Fatal(err)
	}
	images, _, err := data.LoadMNIST("test")
	if err != nil {
		t.Fatal(err)
	}
	x := images.Slice(0, 5)
	if d := maxAbsDiff(t, x, golden["input"]); d != 0 {
		t.Errorf("input images differ from the golden input by %g", d)
	}
	out, err := m.Forward(x, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 13 {
		t.Fatalf("got %d layers, want 13", len(out))
	}
	for _, name := range m.LayerNames() {
		want, ok := golden[name]
		if !ok {
			t.Errorf("golden file has no layer %s", name)
			continue
		}
		if !slices.Equal(out[name].Shape, want.Shape) {
			t.Errorf("%s: shape %v, want %v", name, out[name].Shape, want.Shape)
			continue
		}
		if d := maxAbsDiff(t, out[name], want); d > goldenTol {
			t.Errorf("%s: max abs difference %g > %g", name, d, goldenTol)
		} else {
			t.Logf("%s: max abs difference %.2g", name, d)
		}
	}
}

func TestClassifierGolden(t *testing.T) {
	m, err := nn.Load(nn.ClassifierArch, refdata.Path(t, "models/mnist_cnn_original.npz"))
	if err != nil {
		t.Fatal(err)
	}
	golden, err := data.ReadNPZ(refdata.Path(t, "golden/mnist_cnn_outputs_test0-4.npz"))
	if err != nil {
		t.Fatal(err)
	}
	images, labels, err := data.LoadMNIST("test")
	if err != nil {
		t.Fatal(err)
	}
	x := images.Slice(0, 5)
	logits, err := m.Logits(x, 0)
	if err != nil {
		t.Fatal(err)
	}
	probs, err := m.Predict(x, 0)
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(t, logits, golden["logits"]); d > goldenTol*10 {
		t.Errorf("logits: max abs difference %g", d)
	}
	if d := maxAbsDiff(t, probs, golden["probabilities"]); d > goldenTol {
		t.Errorf("probabilities: max abs difference %g", d)
	}

	// Accuracy on the whole test set: the authors report 0.9923.
	p, err := m.Predict(images, 0)
	if err != nil {
		t.Fatal(err)
	}
	pred := nn.Argmax(p)
	correct := 0
	for i, c := range pred {
		if c == labels[i] {
			correct++
		}
	}
	acc := float64(correct) / float64(len(labels))
	t.Logf("test accuracy %.4f", acc)
	if math.Abs(acc-0.9923) > 0.0005 {
		t.Errorf("test accuracy %.4f, want 0.9923 ± 0.0005", acc)
	}
}
