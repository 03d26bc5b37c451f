package gan_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"subsetscan/data"
	"subsetscan/nn"
	"subsetscan/nn/gan"
)

// A tiny StarGAN moving the bright half of 4×4 images from left (domain
// 0) to right (domain 1) and back, with a rule that tells the domains
// apart: which half holds more ink.
func ExampleTrainStarGAN() {
	g, _ := nn.New(nn.Arch{Name: "g", Input: []int{4, 4, 1 + 2}, Layers: []nn.LayerSpec{
		{Name: "c1", Kind: nn.Conv2D, Filters: 8, Kernel: 3, Padding: "same"},
		{Name: "lr", Kind: nn.LeakyReLU, Alpha: 0.2},
		{Name: "f", Kind: nn.Flatten},
		{Name: "o", Kind: nn.Dense, Units: 16, Activation: "sigmoid"},
		{Name: "r", Kind: nn.Reshape, Shape: []int{4, 4, 1}},
	}})
	d, _ := nn.New(nn.Arch{Name: "d", Input: []int{4, 4, 1}, Layers: []nn.LayerSpec{
		{Name: "c", Kind: nn.Conv2D, Filters: 4, Kernel: 3, Strides: 2, Padding: "same"},
		{Name: "lr", Kind: nn.LeakyReLU, Alpha: 0.2},
		{Name: "f", Kind: nn.Flatten},
		{Name: "o", Kind: nn.Dense, Units: 1 + 2}, // realness, 2 domain logits
	}})
	g.InitGlorot(1)
	d.InitGlorot(2)
	rule := func(x *data.Array) ([]int, error) {
		out := make([]int, x.Len())
		for s := range out {
			var left, right float32
			for p, v := range x.Row(s) {
				if p%4 < 2 {
					left += v
				} else {
					right += v
				}
			}
			if right > left {
				out[s] = 1
			}
		}
		return out, nil
	}
	rng := rand.New(rand.NewPCG(1, 1))
	x := data.NewArray(512, 4, 4, 1)
	for s := range x.Len() {
		for p := range x.Row(s) {
			x.Row(s)[p] = 0.1 * rng.Float32()
			if (p%4 < 2) == (s%2 == 0) {
				x.Row(s)[p] += 0.8
			}
		}
	}
	domains, _ := rule(x)
	gOpt, dOpt := gan.NewDCGANAdam(), gan.NewDCGANAdam()
	gOpt.LR, dOpt.LR = 0.01, 0.01 // a toy problem learns faster
	_, err := gan.TrainStarGAN(context.Background(), g, d, x, domains, gan.StarOptions{
		Options: gan.Options{Epochs: 5, BatchSize: 32, Seed: 1, G: gOpt, D: dOpt},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ev, err := gan.EvaluateEdits(g, d, x.Slice(0, 100), domains[:100], rule, gan.EditOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("edits reaching the other domain: by the rule %.0f %%, by D %.0f %%\n", 100*ev.RuleAll, 100*ev.DAll)
	fmt.Printf("reconstruction error per pixel below 0.1: %v\n", ev.Rec < 0.1)
	// Output:
	// edits reaching the other domain: by the rule 100 %, by D 100 %
	// reconstruction error per pixel below 0.1: true
}
