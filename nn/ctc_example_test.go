package nn_test

import (
	"fmt"
	"math"

	"subsetscan/nn"
)

// Two frames over the classes blank, "a" and "b", each frame giving the
// blank probability 0.6 and "a" 0.4: the best path is two blanks (0.36),
// an empty transcription, but "a" is the likelier labelling, through the
// paths "a a", "a _" and "_ a" (0.16 + 0.24 + 0.24 = 0.64).
func ExampleCTCLoss() {
	var logits []float32
	for range 2 {
		logits = append(logits, float32(math.Log(0.6)), float32(math.Log(0.4)), float32(math.Inf(-1)))
	}
	loss, grad, err := nn.CTCLoss(logits, 3, []int{1}, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("p(a) = %.2f\n", math.Exp(-loss))
	fmt.Printf("gradient, frame 0: %.3f\n", grad[:3])
	fmt.Println("greedy:", nn.GreedyDecode(logits, 3, 0))
	best, logP := nn.BeamDecode(logits, 3, 0, 4)
	fmt.Printf("beam: %v, p = %.2f\n", best, math.Exp(logP))
	// Output:
	// p(a) = 0.64
	// gradient, frame 0: [0.225 -0.225 0.000]
	// greedy: []
	// beam: [1], p = 0.64
}
