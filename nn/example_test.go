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

// A residual block, y = conv(relu(conv(x))) + x, trained with a loss the
// caller computes (here the mean squared error to a target that Keras has
// no loss for): Gradients takes the loss gradient w.r.t. the outputs, Step
// applies it. A GAN trains its generator the same way, with the input
// gradient of the discriminator (GradientOptions.Input) as the upstream.
func ExampleModel_Gradients() {
	arch := nn.Arch{Name: "residual", Input: []int{4, 4, 1}, Layers: []nn.LayerSpec{
		{Name: "c1", Kind: nn.Conv2D, Filters: 4, Kernel: 3, Padding: "same", Activation: "relu"},
		{Name: "c2", Kind: nn.Conv2D, Filters: 1, Kernel: 3, Padding: "same"},
		{Name: "sum", Kind: nn.Add, Inputs: []string{"c2", "input"}},
	}}
	m, err := nn.New(arch)
	if err != nil {
		fmt.Println(err)
		return
	}
	m.InitGlorot(1)
	rng := rand.New(rand.NewPCG(1, 1))
	x := data.NewArray(32, 4, 4, 1)
	for i := range x.Data {
		x.Data[i] = rng.Float32()
	}
	opt := nn.NewAdam()
	opt.LR = 0.01
	mse := func(y *data.Array, grad *data.Array) float64 {
		var s float64
		for i, v := range y.Data {
			d := v - 0.5*x.Data[i] // the target: half the input
			s += float64(d * d)
			grad.Data[i] = 2 * d / float32(len(y.Data))
		}
		return s / float64(len(y.Data))
	}
	grad := data.NewArray(32, 4, 4, 1)
	var first, last float64
	for step := range 100 {
		y, err := m.Predict(x, 0)
		if err != nil {
			fmt.Println(err)
			return
		}
		last = mse(y, grad)
		if step == 0 {
			first = last
		}
		g, err := m.Gradients(x, grad, nn.GradientOptions{})
		if err != nil {
			fmt.Println(err)
			return
		}
		m.Step(opt, g.Params)
	}
	fmt.Printf("%d params, loss fell tenfold: %v\n", len(m.Params()), last < first/10)
	// Output:
	// 4 params, loss fell tenfold: true
}
