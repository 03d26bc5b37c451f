package mnistc_test

import (
	"fmt"
	"log"
	"math/rand/v2"

	"gonum.org/v1/gonum/stat"

	"subsetscan/data"
	"subsetscan/data/mnistc"
)

// This example corrupts the first 100 MNIST test digits with fog and with
// brightness, as an experiment's out-of-distribution set would be made,
// and shows the error a misspelt name in a config gives.
func Example() {
	x, _, err := data.LoadMNIST("test")
	if err != nil {
		log.Fatal(err)
	}
	clean := x.Slice(0, 100)
	const seed = 1
	for _, name := range []string{"fog", "brightness"} {
		// Any number of workers gives the same images.
		out, err := mnistc.Apply(name, clean, seed, 0)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: shape %v, mean %.2f → %.2f\n", name, out.Shape, mean(clean.Data), mean(out.Data))
	}
	_, err = mnistc.Apply("gaussian_noise", clean, seed, 0)
	fmt.Println(err)
	// Output:
	// fog: shape [100 28 28 1], mean 0.12 → 0.40
	// brightness: shape [100 28 28 1], mean 0.12 → 0.57
	// mnistc: unknown corruption "gaussian_noise" (known: shot_noise, impulse_noise, glass_blur, motion_blur, shear, scale, rotate, brightness, translate, stripe, fog, spatter, dotted_line, zigzag, canny_edges)
}

func mean(v []float32) float64 {
	x := make([]float64, len(v))
	for i, f := range v {
		x[i] = float64(f)
	}
	return stat.Mean(x, nil)
}

// This example corrupts one image with a corruption looked up by name,
// drawing from the generator Apply would use for image 0 of a batch.
func ExampleByName() {
	img := make([]float32, mnistc.Pixels) // a blank image
	stripe, err := mnistc.ByName("stripe")
	if err != nil {
		log.Fatal(err)
	}
	var rng *rand.Rand = mnistc.Rand(1, "stripe", 0) // stripe draws nothing; nil would do
	stripe(img, img, rng)
	fmt.Println(img[:mnistc.Side])
	// Output:
	// [1 1 1 1 1 1 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 1 1 1 1 1 1]
}
