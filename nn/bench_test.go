package nn_test

import (
	"context"
	"subsetscan/internal/cputime"
	"testing"

	"subsetscan/data"
	"subsetscan/nn"
)

// BenchmarkTrainAutoencoderEpoch trains the autoencoder (Adadelta, binary
// cross-entropy, batch 128) for one epoch on the first 6000 MNIST training
// images, a tenth of the training set; the s/epoch60k metric extrapolates
// to one epoch of all 60 000 images.
func BenchmarkTrainAutoencoderEpoch(b *testing.B) {
	images, _, err := data.LoadMNIST("train")
	if err != nil {
		b.Fatal(err)
	}
	const n = 6000
	x := images.Slice(0, n)
	m, err := nn.New(nn.AutoencoderArch)
	if err != nil {
		b.Fatal(err)
	}
	m.InitGlorot(1)
	b.ResetTimer()
	cpu0 := cputime.Used()
	for b.Loop() {
		if _, err := m.Train(context.Background(), x, x, nn.TrainOptions{Loss: nn.BinaryCrossEntropy, Optimizer: nn.NewAdadelta(), Epochs: 1, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)*60000/n, "s/epoch60k")
	b.ReportMetric((cputime.Used()-cpu0).Seconds()/float64(b.N)*60000/n, "cpu-s/epoch60k")
}

// BenchmarkClassifierInputGradient computes the input gradients of the
// classifier's loss (one upstream vector per image, on the logits, as FGSM
// does) for 1000 MNIST test images, and reports images per second.
func BenchmarkClassifierInputGradient(b *testing.B) {
	images, labels, err := data.LoadMNIST("test")
	if err != nil {
		b.Fatal(err)
	}
	const n = 1000
	x := images.Slice(0, n)
	up, err := nn.OneHot(labels[:n], 10)
	if err != nil {
		b.Fatal(err)
	}
	m, err := nn.New(nn.ClassifierArch)
	if err != nil {
		b.Fatal(err)
	}
	m.InitGlorot(1)
	b.ResetTimer()
	cpu0 := cputime.Used()
	for b.Loop() {
		if _, err := m.InputGradient(x, up, true, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "images/s")
	b.ReportMetric(float64(n*b.N)/(cputime.Used()-cpu0).Seconds(), "images/cpu-s")
}
