package nn_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"subsetscan/data"
	"subsetscan/nn"
)

// A small classifier trained with Adam and categorical cross-entropy on a
// toy problem: is the bright half of the image on the left or the right?
func ExampleModel_Train() {
	arch := nn.Arch{Name: "toy", Input: []int{6, 6, 1}, Layers: []nn.LayerSpec{
		{Name: "conv", Kind: nn.Conv2D, Filters: 4, Kernel: 3, Padding: "valid", Activation: "relu"},
		{Name: "pool", Kind: nn.MaxPooling2D, Pool: 2, Padding: "valid"},
		{Name: "flat", Kind: nn.Flatten},
		{Name: "out", Kind: nn.Dense, Units: 2, Activation: "softmax"},
	}}
	rng := rand.New(rand.NewPCG(1, 1))
	x := data.NewArray(200, 6, 6, 1)
	labels := make([]int, 200)
	for s := range 200 {
		labels[s] = s % 2
		for i, row := 0, x.Row(s); i < 36; i++ {
			row[i] = 0.3 * rng.Float32()
			if (i%6 < 3) == (labels[s] == 1) {
				row[i] += 0.5
			}
		}
	}
	y, _ := nn.OneHot(labels, 2)

	m, _ := nn.New(arch)
	m.InitGlorot(1) // Glorot uniform kernels, zero biases
	opt := nn.NewAdam()
	opt.LR = 0.01
	losses, err := m.Train(context.Background(), x, y, nn.TrainOptions{
		Loss: nn.CategoricalCrossEntropy, Optimizer: opt, Epochs: 5, BatchSize: 32, Seed: 1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	acc, _ := m.Accuracy(x, labels, 0)
	fmt.Printf("loss fell: %v, accuracy %.2f\n", losses[4] < losses[0]/2, acc)
	// Output:
	// loss fell: true, accuracy 1.00
}
