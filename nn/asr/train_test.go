package asr_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"subsetscan/nn"
	"subsetscan/nn/asr"
)

// trainTiny trains tinyArch on strings of tone recordings with workers
// goroutines and returns the model and the epoch losses.
func trainTiny(t *testing.T, workers int) (*nn.Model, []float64) {
	t.Helper()
	c := toneCorpus(6, rand.New(rand.NewPCG(2, 1)))
	pool := make([]int, len(c.Recordings))
	for i := range pool {
		pool[i] = i
	}
	m, err := nn.New(tinyArch())
	if err != nil {
		t.Fatal(err)
	}
	m.InitGlorot(3)
	var steps int
	losses, err := asr.Train(t.Context(), m, c, pool, asr.TrainOptions{
		Epochs: 4, EpochSize: 40, BatchSize: 8, LR: 0.01, Seed: 4, Workers: workers,
		Progress: func(p asr.Progress) {
			if !p.EpochDone {
				steps++
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if steps < 4*2 {
		t.Errorf("%d steps reported in 4 epochs", steps)
	}
	return m, losses
}

// TestTrain checks that a tiny CTC training run lowers the loss and gives
// the same weights bit for bit on 1 and 3 workers.
func TestTrain(t *testing.T) {
	m1, l1 := trainTiny(t, 1)
	m3, l3 := trainTiny(t, 3)
	t.Logf("epoch losses %.3f", l1)
	if !(l1[len(l1)-1] < l1[0]) {
		t.Errorf("loss did not fall: %v", l1)
	}
	if !slices.Equal(l1, l3) {
		t.Errorf("losses on 1 and 3 workers differ: %v, %v", l1, l3)
	}
	p1, p3 := m1.Params(), m3.Params()
	for i := range p1 {
		if !slices.Equal(p1[i].Data, p3[i].Data) {
			t.Errorf("%s differs between 1 and 3 workers", p1[i].Name)
		}
	}
}

func TestTrainBad(t *testing.T) {
	m, err := nn.New(tinyArch())
	if err != nil {
		t.Fatal(err)
	}
	c := toneCorpus(6, rand.New(rand.NewPCG(2, 1)))
	if _, err := asr.Train(t.Context(), m, c, []int{0, 1}, asr.TrainOptions{}); err == nil {
		t.Error("0 epochs: no error")
	}
	if _, err := asr.Train(t.Context(), m, c, nil, asr.TrainOptions{Epochs: 1}); err == nil {
		t.Error("empty pool: no error")
	}
}
