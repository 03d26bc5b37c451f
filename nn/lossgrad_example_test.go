package nn_test

import (
	"fmt"

	"subsetscan/data"
	"subsetscan/nn"
)

// A loss computed sample by sample, here a squared error to a target of
// 1 for sample 0 and 2 for sample 1, fitted by a linear model y = w·x + b
// with one forward and one backward pass per sample and step.
func ExampleModel_LossGradients() {
	m, _ := nn.New(nn.Arch{Name: "line", Input: []int{1}, Layers: []nn.LayerSpec{{Name: "y", Kind: nn.Dense, Units: 1}}})
	x := data.NewArray(2, 1)
	x.Data[0], x.Data[1] = 1, 2
	target := []float32{1, 2}
	sq := func(s int, out, up []float32) (float64, error) {
		d := out[0] - target[s]
		up[0] = 2 * d // the gradient of d² w.r.t. out
		return float64(d * d), nil
	}
	opt := nn.NewAdam()
	opt.LR = 0.05
	for range 1000 {
		_, g, err := m.LossGradients(x, sq, nn.GradientOptions{})
		if err != nil {
			fmt.Println(err)
			return
		}
		m.Step(opt, g.Params)
	}
	loss, _, _ := m.LossGradients(x, sq, nn.GradientOptions{})
	p := m.Params()
	fmt.Printf("w %.2f, b %.2f, loss %.3f\n", p[0].Data[0], p[1].Data[0], loss)
	// Output:
	// w 1.00, b 0.00, loss 0.000
}
