package fake

import (
	"fmt"
	"math/rand/v2"

	"subsetscan/data"
)

// SplitOptions sizes the split of real images. Zero sizes mean the
// defaults.
type SplitOptions struct {
	// Seed seeds the two permutations (of the training set and of the
	// test set) the parts are cut from.
	Seed uint64
	// Train is the number of real training images, drawn from the MNIST
	// training set (0 means 10000).
	Train int
	// Background, Clean and Eval are the sizes of the three parts of the
	// MNIST test set (0 means 5000, 2500 and 2500: the whole test set).
	Background, Clean, Eval int
}

// Split holds the indices of the real images of each part: Train into the
// MNIST training set, Background, Clean and Eval into the test set. The
// parts are disjoint, and each is in the order of its permutation.
type Split struct {
	Train, Background, Clean, Eval []int
}

// withDefaults returns opt with its zero sizes replaced by the defaults.
func (opt SplitOptions) withDefaults() SplitOptions {
	for _, f := range []struct {
		v   *int
		def int
	}{{&opt.Train, 10000}, {&opt.Background, 5000}, {&opt.Clean, 2500}, {&opt.Eval, 2500}} {
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	return opt
}

// NewSplit cuts the split from a training set of nTrain images and a test
// set of nTest: the first opt.Train of a permutation of the training
// indices, and the first opt.Background, the next opt.Clean and the next
// opt.Eval of a permutation of the test indices, both drawn from PCG
// generators seeded with opt.Seed (two streams). It is an error if a size
// is negative or the parts do not fit in their set.
func NewSplit(nTrain, nTest int, opt SplitOptions) (Split, error) {
	opt = opt.withDefaults()
	if opt.Train < 0 || opt.Background < 0 || opt.Clean < 0 || opt.Eval < 0 {
		return Split{}, fmt.Errorf("fake: split sizes %+v must not be negative", opt)
	}
	if opt.Train > nTrain {
		return Split{}, fmt.Errorf("fake: split: %d real training images of a training set of %d", opt.Train, nTrain)
	}
	if k := opt.Background + opt.Clean + opt.Eval; k > nTest {
		return Split{}, fmt.Errorf("fake: split: background %d + clean %d + eval %d = %d images of a test set of %d",
			opt.Background, opt.Clean, opt.Eval, k, nTest)
	}
	train := rand.New(rand.NewPCG(opt.Seed, 0x747261696e)).Perm(nTrain) // "train"
	test := rand.New(rand.NewPCG(opt.Seed, 0x74657374)).Perm(nTest)     // "test"
	b, c := opt.Background, opt.Background+opt.Clean
	return Split{
		Train:      train[:opt.Train],
		Background: test[:b],
		Clean:      test[b:c],
		Eval:       test[c : c+opt.Eval],
	}, nil
}

// Real holds the real images of a split and their digit labels.
type Real struct {
	Train, Background, Clean, Eval *data.Array
	// Labels holds the digit of each image of the parts, in order.
	Labels struct{ Train, Background, Clean, Eval []int }
}

// Gather returns the images and labels of each part of s, Train from
// train and the others from test. It panics if an index is out of range
// (s was cut for other sets) or the labels do not match the images.
func (s Split) Gather(train, test *data.Array, trainLabels, testLabels []int) Real {
	if len(trainLabels) != train.Len() || len(testLabels) != test.Len() {
		panic("fake: Split.Gather: labels do not match the images")
	}
	pick := func(labels, idx []int) []int {
		out := make([]int, len(idx))
		for k, i := range idx {
			out[k] = labels[i]
		}
		return out
	}
	r := Real{
		Train:      train.Gather(s.Train),
		Background: test.Gather(s.Background),
		Clean:      test.Gather(s.Clean),
		Eval:       test.Gather(s.Eval),
	}
	r.Labels.Train, r.Labels.Background = pick(trainLabels, s.Train), pick(testLabels, s.Background)
	r.Labels.Clean, r.Labels.Eval = pick(testLabels, s.Clean), pick(testLabels, s.Eval)
	return r
}

// LoadReal loads the MNIST training and test images (data.LoadMNIST) and
// returns the real images of the split drawn with opt, with their labels.
func LoadReal(opt SplitOptions) (Real, error) {
	train, trainLabels, err := data.LoadMNIST("train")
	if err != nil {
		return Real{}, err
	}
	test, testLabels, err := data.LoadMNIST("test")
	if err != nil {
		return Real{}, err
	}
	s, err := NewSplit(train.Len(), test.Len(), opt)
	if err != nil {
		return Real{}, err
	}
	return s.Gather(train, test, trainLabels, testLabels), nil
}
