package gan_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"subsetscan/data"
	"subsetscan/nn"
	"subsetscan/nn/gan"
)

// A tiny GAN learning 4×4 images whose left half is bright: a generator
// from 4 latent values, a discriminator with a strided convolution.
func ExampleTrain() {
	g, _ := nn.New(nn.Arch{Name: "g", Input: []int{4}, Layers: []nn.LayerSpec{
		{Name: "d", Kind: nn.Dense, Units: 2 * 2 * 4},
		{Name: "lr", Kind: nn.LeakyReLU, Alpha: 0.2},
		{Name: "r", Kind: nn.Reshape, Shape: []int{2, 2, 4}},
		{Name: "u", Kind: nn.UpSampling2D, Size: 2},
		{Name: "c", Kind: nn.Conv2D, Filters: 1, Kernel: 3, Padding: "same", Activation: "sigmoid"},
	}})
	d, _ := nn.New(nn.Arch{Name: "d", Input: []int{4, 4, 1}, Layers: []nn.LayerSpec{
		{Name: "c", Kind: nn.Conv2D, Filters: 4, Kernel: 3, Strides: 2, Padding: "same"},
		{Name: "lr", Kind: nn.LeakyReLU, Alpha: 0.2},
		{Name: "f", Kind: nn.Flatten},
		{Name: "o", Kind: nn.Dense, Units: 1},
	}})
	g.InitGlorot(1)
	d.InitGlorot(2)
	rng := rand.New(rand.NewPCG(1, 1))
	real := data.NewArray(512, 4, 4, 1)
	for i := range real.Data {
		real.Data[i] = 0.1 * rng.Float32()
		if i%4 < 2 {
			real.Data[i] += 0.8
		}
	}
	gOpt, dOpt := gan.NewDCGANAdam(), gan.NewDCGANAdam()
	gOpt.LR, dOpt.LR = 0.01, 0.01 // a toy problem learns faster
	h, err := gan.Train(context.Background(), g, d, real, gan.Options{Epochs: 20, BatchSize: 32, Seed: 1, G: gOpt, D: dOpt})
	if err != nil {
		fmt.Println(err)
		return
	}
	fake, _ := gan.Generate(g, 2, 100, 0)
	var left, right float64
	for i, v := range fake.Data {
		if i%4 < 2 {
			left += float64(v)
		} else {
			right += float64(v)
		}
	}
	fmt.Printf("%d epochs; generated left half brighter: %v\n", len(h.DLoss), left > 2*right)
	// Output:
	// 20 epochs; generated left half brighter: true
}

// The Fréchet distance of two 1-D samples: means 1 and 4, variances 2 and
// 8, so d² = (4 − 1)² + (√8 − √2)² = 9 + 2.
func ExampleFrechetDistance() {
	a := &data.Array{Shape: []int{2, 1}, Data: []float32{0, 2}}
	b := &data.Array{Shape: []int{2, 1}, Data: []float32{2, 6}}
	d2, err := gan.FrechetDistance(a, b)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.6f\n", d2)
	// Output:
	// 11.000000
}
