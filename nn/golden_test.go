package nn_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"subsetscan/data"
	"subsetscan/nn"
)

// bitsHash returns the SHA-256 of the bits of the arrays' values, in order,
// with their shapes.
func bitsHash(arrays ...*data.Array) string {
	h := sha256.New()
	var buf [4]byte
	for _, a := range arrays {
		fmt.Fprint(h, a.Shape)
		for _, v := range a.Data {
			binary.LittleEndian.PutUint32(buf[:], math.Float32bits(v))
			h.Write(buf[:])
		}
	}
	return fmt.Sprintf("%x", h.Sum(nil)[:12])
}

// TestCommittedModelsBitIdentical pins, bit for bit, what the committed
// models compute on the first 100 MNIST test images: every layer's output
// (Forward), the classifier's logits and the Jacobian of its logits (on
// 10 images), the loss (Evaluate), the input gradients of both models
// (on the outputs and on the logits), and the weights after one epoch of
// training on those images from the committed weights. The hashes were
// computed by this test at 2b09890, before the layers became one interface
// per kind; a refactoring of nn must leave them unchanged.
func TestCommittedModelsBitIdentical(t *testing.T) {
	images, labels, err := data.LoadMNIST("test")
	if err != nil {
		t.Fatal(err)
	}
	x := images.Slice(0, 100)
	onehot, err := nn.OneHot(labels[:100], 10)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		arch   nn.Arch
		y      *data.Array
		loss   nn.Loss
		newOpt func() nn.Optimizer
		want   map[string]string
	}{
		{"autoencoder", nn.AutoencoderArch, x, nn.BinaryCrossEntropy, func() nn.Optimizer { return nn.NewAdadelta() }, map[string]string{
			"forward": "80401f57b233035a4c55b032", "gradient": "deaf4e33cac1e22253420ea6", "logit gradient": "1c739dc0d3bb27246ad0fbc7",
			"trained": "13e49153baac174b49debc75", "evaluate": "3fb963afb7151ed7"}},
		{"classifier", nn.ClassifierArch, onehot, nn.CategoricalCrossEntropy, func() nn.Optimizer { return nn.NewAdam() }, map[string]string{
			"forward": "fc0f96b47a11b2354a412ece", "logits": "9af19ca2f295d3be4c4929a8", "jacobian": "24fa19406b1f1de4b9ff0242",
			"gradient": "44ca6be039a689a61e72fe5c", "logit gradient": "363b230bb7159a42c51aaf30",
			"trained": "c624bdea919eb0d14d447554", "evaluate": "3f9abb09b89a6449"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := nn.Load(tc.arch, committed(tc.name))
			if err != nil {
				t.Fatal(err)
			}
			got := inferenceHashes(t, m, x, tc.y, tc.loss, tc.name == "classifier")
			got["trained"] = trainedHash(t, m, x, tc.y, tc.loss, tc.newOpt())
			for what, want := range tc.want {
				if got[what] != want {
					t.Errorf("%s: hash %s, want %s", what, got[what], want)
				}
			}
		})
	}
}

// inferenceHashes returns the hashes of every layer's outputs, the loss,
// the input gradients of Σ y ⊙ output and of Σ y ⊙ logits, and, for a
// classifier, of the logits and of their Jacobian on the first 10 samples.
func inferenceHashes(t *testing.T, m *nn.Model, x, y *data.Array, loss nn.Loss, classifier bool) map[string]string {
	t.Helper()
	h := map[string]string{}
	out, err := m.Forward(x, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var all []*data.Array
	for _, name := range m.LayerNames() {
		all = append(all, out[name])
	}
	h["forward"] = bitsHash(all...)
	l, err := m.Evaluate(x, y, loss, 0)
	if err != nil {
		t.Fatal(err)
	}
	h["evaluate"] = fmt.Sprintf("%x", math.Float64bits(l))
	for what, logits := range map[string]bool{"gradient": false, "logit gradient": true} {
		g, err := m.InputGradient(x, y, logits, 0)
		if err != nil {
			t.Fatal(err)
		}
		h[what] = bitsHash(g)
	}
	if classifier {
		z, err := m.Logits(x, 0)
		if err != nil {
			t.Fatal(err)
		}
		j, err := m.Jacobian(x.Slice(0, 10), true, 0)
		if err != nil {
			t.Fatal(err)
		}
		h["logits"], h["jacobian"] = bitsHash(z), bitsHash(j)
	}
	return h
}

// trainedHash trains m for one epoch of batch 32 (seed 3) on x and y and
// returns the hash of its weights as SaveWeights writes them, in layer
// order, kernel then bias.
func trainedHash(t *testing.T, m *nn.Model, x, y *data.Array, loss nn.Loss, opt nn.Optimizer) string {
	t.Helper()
	if _, err := m.Train(context.Background(), x, y, nn.TrainOptions{
		Loss: loss, Optimizer: opt, Epochs: 1, BatchSize: 32, Seed: 3,
	}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "w.npz")
	if err := m.SaveWeights(path); err != nil {
		t.Fatal(err)
	}
	w, err := data.ReadNPZ(path)
	if err != nil {
		t.Fatal(err)
	}
	var ws []*data.Array
	for _, name := range m.LayerNames() {
		for _, part := range []string{"/kernel", "/bias"} {
			if a, ok := w[name+part]; ok {
				ws = append(ws, a)
			}
		}
	}
	return bitsHash(ws...)
}
