package fake

import (
	"fmt"

	"subsetscan/data"
	"subsetscan/scan"
)

// Set is a named set of images, such as a generator's held-out fakes.
type Set struct {
	Name   string
	Images *data.Array
}

// Result is a detector's score of one set of fakes against the clean real
// images.
type Result struct {
	Detector, Set string
	// AUC is the area under the ROC curve of the clean images' scores
	// against the fakes' (scan.AUCCI), CI its 95 % DeLong interval.
	AUC float64
	CI  [2]float64
	// Accuracy is the share of the clean and fake images on the right
	// side of score 0 (for Net and AutoGAN, probability ½; for
	// FakeSpotter, the logistic regression's ½).
	Accuracy float64
	// Clean and Fake are the images' scores.
	Clean, Fake []float64
}

// Evaluate scores the clean real images and each set of fakes with d and
// returns a Result per set, in order. It is an error if scoring fails or
// gives a NaN.
func Evaluate(d Detector, clean *data.Array, fakes []Set, workers int) ([]Result, error) {
	sc, err := d.Scores(clean, workers)
	if err != nil {
		return nil, fmt.Errorf("fake: %s on the clean images: %w", d.Name(), err)
	}
	var out []Result
	for _, f := range fakes {
		sf, err := d.Scores(f.Images, workers)
		if err != nil {
			return nil, fmt.Errorf("fake: %s on %s: %w", d.Name(), f.Name, err)
		}
		r := Result{Detector: d.Name(), Set: f.Name, Clean: sc, Fake: sf}
		if r.AUC, r.CI, err = scan.AUCCI(sc, sf, 0.95); err != nil {
			return nil, fmt.Errorf("fake: %s on %s: %w", d.Name(), f.Name, err)
		}
		right := 0
		for _, v := range sc {
			if v <= 0 {
				right++
			}
		}
		for _, v := range sf {
			if v > 0 {
				right++
			}
		}
		r.Accuracy = float64(right) / float64(len(sc)+len(sf))
		out = append(out, r)
	}
	return out, nil
}
