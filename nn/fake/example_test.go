package fake_test

import (
	"fmt"

	"subsetscan/data"
	"subsetscan/nn/fake"
)

// One binary feature: of the rows with feature 0, 1 in 4 is in class 1;
// of those with feature 1, 3 in 4. The fit is B = logit(¼) = −ln 3 and
// W = logit(¾) − logit(¼) = 2 ln 3.
func ExampleFitLogReg() {
	x := [][]float64{{0}, {0}, {0}, {0}, {1}, {1}, {1}, {1}}
	y := []bool{true, false, false, false, true, true, true, false}
	m, err := fake.FitLogReg(x, y, fake.LogRegOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("B %.4f, W %.4f\n", m.B, m.W[0])
	// Output:
	// B -1.0986, W 2.1972
}

// A constant 2×2 image of ones: the zero frequency holds the sum, 4, and
// the others nothing (ln ε).
func ExampleSpectrum() {
	x := &data.Array{Shape: []int{1, 2, 2, 1}, Data: []float32{1, 1, 1, 1}}
	s, err := fake.Spectrum(x, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.4f %.4f %.4f %.4f\n", s.Data[0], s.Data[1], s.Data[2], s.Data[3])
	// Output:
	// 1.3863 -9.2103 -9.2103 -9.2103
}

// The default split of MNIST's 60 000 training and 10 000 test images.
func ExampleNewSplit() {
	s, err := fake.NewSplit(60000, 10000, fake.SplitOptions{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(s.Train), len(s.Background), len(s.Clean), len(s.Eval))
	// Output:
	// 10000 5000 2500 2500
}

// The fakes' seeds of base seed 1: training 2, held-out 3.
func ExampleSeed() {
	fmt.Println(fake.Seed(1, fake.Training), fake.Seed(1, fake.HeldOut))
	// Output:
	// 2 3
}
