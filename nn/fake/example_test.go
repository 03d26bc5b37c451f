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

// blank is a generator of images whose every pixel is the seed / 10.
var blank = fake.Generator{Name: "blank", Generate: func(_ fake.Role, seed uint64, n, _ int) (*data.Array, error) {
	x := data.NewArray(n, 28, 28, 1)
	for i := range x.Data {
		x.Data[i] = float32(seed) / 10
	}
	return x, nil
}}

// A training pool of 5 fakes from base seed 1 (seed 2) and 3 held-out
// fakes (seed 3).
func ExamplePool() {
	pool, err := fake.Pool([]fake.Generator{blank}, fake.Training, 1, 5, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	held, err := fake.HeldOutSets([]fake.Generator{blank}, 1, 3, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(pool.Shape, pool.Data[0], held[0].Name, held[0].Images.Shape, held[0].Images.Data[0])
	// Output:
	// [5 28 28 1] 0.2 blank [3 28 28 1] 0.3
}

// brightness scores an image by its first pixel.
type brightness struct{}

func (brightness) Name() string { return "brightness" }
func (brightness) Scores(x *data.Array, _ int) ([]float64, error) {
	s := make([]float64, x.Len())
	for i := range s {
		s[i] = float64(x.Row(i)[0])
	}
	return s, nil
}

// Clean images of pixel 0.25 against the held-out blank fakes (0.3): every
// fake scores higher, AUC 1; but the accuracy at score 0 counts the clean
// images, scored above 0, as fakes: 3 right of 7.
func ExampleEvaluate() {
	clean := data.NewArray(4, 28, 28, 1)
	for i := range clean.Data {
		clean.Data[i] = 0.25
	}
	held, _ := fake.HeldOutSets([]fake.Generator{blank}, 1, 3, 1)
	res, err := fake.Evaluate(brightness{}, clean, held, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s vs %s: AUC %.2f, accuracy %.2f\n", res[0].Detector, res[0].Set, res[0].AUC, res[0].Accuracy)
	// Output:
	// brightness vs blank: AUC 1.00, accuracy 0.43
}
