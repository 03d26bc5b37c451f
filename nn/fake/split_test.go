package fake

import (
	"slices"
	"testing"

	"subsetscan/data"
)

// TestSplitDisjoint checks that the parts have their sizes, that the three
// test-set parts are disjoint and within range, that the same seed gives
// the same split and another seed another.
func TestSplitDisjoint(t *testing.T) {
	opt := SplitOptions{Seed: 3, Train: 50, Background: 40, Clean: 30, Eval: 20}
	s, err := NewSplit(200, 100, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Train) != 50 || len(s.Background) != 40 || len(s.Clean) != 30 || len(s.Eval) != 20 {
		t.Fatalf("sizes %d %d %d %d", len(s.Train), len(s.Background), len(s.Clean), len(s.Eval))
	}
	seen := map[int]string{}
	for _, part := range []struct {
		name string
		idx  []int
	}{{"background", s.Background}, {"clean", s.Clean}, {"eval", s.Eval}} {
		for _, i := range part.idx {
			if i < 0 || i >= 100 {
				t.Errorf("%s: index %d outside the test set", part.name, i)
			}
			if prev, ok := seen[i]; ok {
				t.Errorf("test image %d in %s and %s", i, prev, part.name)
			}
			seen[i] = part.name
		}
	}
	tr := slices.Clone(s.Train)
	slices.Sort(tr)
	if len(slices.Compact(tr)) != 50 || tr[0] < 0 || tr[len(tr)-1] >= 200 {
		t.Errorf("training indices repeat or leave [0, 200): %v", tr)
	}
	again, _ := NewSplit(200, 100, opt)
	if !slices.Equal(again.Clean, s.Clean) || !slices.Equal(again.Train, s.Train) {
		t.Error("the same seed gave another split")
	}
	opt.Seed = 4
	other, _ := NewSplit(200, 100, opt)
	if slices.Equal(other.Clean, s.Clean) {
		t.Error("seeds 3 and 4 gave the same clean part")
	}
}

// TestSplitDefaultsAndErrors checks the default sizes (the whole MNIST
// test set) and the errors for parts that do not fit.
func TestSplitDefaultsAndErrors(t *testing.T) {
	s, err := NewSplit(60000, 10000, SplitOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Train) != 10000 || len(s.Background)+len(s.Clean)+len(s.Eval) != 10000 {
		t.Errorf("default sizes %d and %d+%d+%d", len(s.Train), len(s.Background), len(s.Clean), len(s.Eval))
	}
	for _, c := range []struct {
		name         string
		nTrain, nTst int
		opt          SplitOptions
	}{
		{"too many training images", 10, 100, SplitOptions{Train: 11, Background: 1, Clean: 1, Eval: 1}},
		{"test parts too large", 100, 10, SplitOptions{Train: 1, Background: 5, Clean: 5, Eval: 1}},
		{"negative size", 100, 100, SplitOptions{Train: -1}},
	} {
		if _, err := NewSplit(c.nTrain, c.nTst, c.opt); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

// TestGatherLabels checks that Gather picks each part's images with their
// labels.
func TestGatherLabels(t *testing.T) {
	s, err := NewSplit(6, 8, SplitOptions{Seed: 2, Train: 3, Background: 4, Clean: 2, Eval: 2})
	if err != nil {
		t.Fatal(err)
	}
	train, test := data.NewArray(6, 1), data.NewArray(8, 1)
	trainLabels, testLabels := make([]int, 6), make([]int, 8)
	for i := range 6 {
		train.Data[i], trainLabels[i] = float32(i), i
	}
	for i := range 8 {
		test.Data[i], testLabels[i] = float32(i), 10+i
	}
	r := s.Gather(train, test, trainLabels, testLabels)
	for k, i := range s.Eval {
		if r.Eval.Data[k] != float32(i) || r.Labels.Eval[k] != 10+i {
			t.Errorf("eval %d: image %v label %d, want test image %d", k, r.Eval.Data[k], r.Labels.Eval[k], i)
		}
	}
	for k, i := range s.Train {
		if r.Train.Data[k] != float32(i) || r.Labels.Train[k] != i {
			t.Errorf("train %d: image %v label %d, want training image %d", k, r.Train.Data[k], r.Labels.Train[k], i)
		}
	}
}
