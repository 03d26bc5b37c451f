package attack_test

import (
	"math"
	"testing"

	"subsetscan/attack"
	"subsetscan/data"
	"subsetscan/internal/refdata"
	"subsetscan/nn"
)

// authorsSetup loads the authors' classifier and the MNIST test images
// 8500-9999 their attacks started from.
func authorsSetup(t *testing.T) (*nn.Model, *data.Array, []int) {
	t.Helper()
	m, err := nn.Load(nn.ClassifierArch, refdata.Path(t, "models/mnist_cnn_original.npz"))
	if err != nil {
		t.Fatal(err)
	}
	images, labels, err := data.LoadMNIST("test")
	if err != nil {
		t.Fatal(err)
	}
	return m, images.Slice(8500, 10000), labels[8500:10000]
}

// compareImages reports the fraction of equal pixels and the largest
// difference.
func compareImages(a, b *data.Array) (equal float64, maxDiff float64) {
	n := 0
	for i, v := range a.Data {
		d := math.Abs(float64(v) - float64(b.Data[i]))
		if d == 0 {
			n++
		}
		maxDiff = max(maxDiff, d)
	}
	return float64(n) / float64(len(a.Data)), maxDiff
}

func TestFGSMMatchesAuthors(t *testing.T) {
	m, x, labels := authorsSetup(t)
	want, err := data.ReadNPY(refdata.Path(t, "adversarial/np_mnist_fgm_cnn_keras.npy"))
	if err != nil {
		t.Fatal(err)
	}
	adv, err := attack.FGSM{Eps: 0.01}.Generate(t.Context(), m, x, nil)
	if err != nil {
		t.Fatal(err)
	}
	kept, idx, err := attack.KeepSuccessful(m, adv, labels, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("FGSM eps 0.01: %d successful of %d (authors: %d)", kept.Len(), x.Len(), want.Len())
	if kept.Len() != want.Len() {
		t.Fatalf("got %d successful attacks (indices %v), the authors kept %d", kept.Len(), idx, want.Len())
	}
	eq, md := compareImages(kept, want)
	t.Logf("pixels equal: %.5f, max difference %.3g", eq, md)
	if eq < 0.999 || md > 0.02 {
		t.Errorf("pixels equal %.5f (want ≥ 0.999), max difference %.3g (want ≤ 0.02)", eq, md)
	}
}

func TestFGSMErrors(t *testing.T) {
	m, x, _ := authorsSetup(t)
	x = x.Slice(0, 2)
	if _, err := (attack.FGSM{Eps: 0}).Generate(t.Context(), m, x, nil); err == nil {
		t.Error("eps 0: got no error")
	}
	if _, err := (attack.FGSM{Eps: 0.1}).Generate(t.Context(), m, x, []int{1, 12}); err == nil {
		t.Error("label 12 of 10 classes: got no error")
	}
	clip := [2]float32{0, 1}
	adv, err := attack.FGSM{Eps: 0.3, Clip: &clip}.Generate(t.Context(), m, x, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range adv.Data {
		if v < 0 || v > 1 || v != v {
			t.Fatalf("pixel %d is %v with clipping to [0, 1]", i, v)
		}
	}
}
