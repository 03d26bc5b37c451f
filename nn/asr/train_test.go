package asr_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"subsetscan/nn"
	"subsetscan/nn/asr"
)

// trainTiny trains arch (tinyArch or tinyLVArch) for epochs epochs on
// strings of tone recordings with workers goroutines and returns the
// model, the epoch losses and the params after the second epoch.
func trainTiny(t *testing.T, arch nn.Arch, epochs, workers int) (*nn.Model, []float64, [][]float32) {
	t.Helper()
	c := toneCorpus(6, rand.New(rand.NewPCG(2, 1)))
	pool := make([]int, len(c.Recordings))
	for i := range pool {
		pool[i] = i
	}
	m, err := nn.New(arch)
	if err != nil {
		t.Fatal(err)
	}
	m.InitGlorot(3)
	var steps int
	var second [][]float32
	losses, err := asr.Train(t.Context(), m, c, pool, asr.TrainOptions{
		Epochs: epochs, EpochSize: 40, BatchSize: 8, LR: 0.01, Seed: 4, Workers: workers,
		Progress: func(p asr.Progress) {
			if !p.EpochDone {
				steps++
			} else if p.Epoch == 2 {
				for _, q := range m.Params() {
					second = append(second, slices.Clone(q.Data))
				}
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if steps < epochs*2 {
		t.Errorf("%d steps reported in %d epochs", steps, epochs)
	}
	return m, losses, second
}

// TestTrain checks that a tiny CTC training run, of a recurrent model and
// of one with lv-fsdd's convolutions, lowers the loss, gives the same
// weights bit for bit on 1 and 3 workers, and that its first two epochs
// are a two-epoch run (on 2 workers).
func TestTrain(t *testing.T) {
	for _, arch := range []nn.Arch{tinyArch(), tinyLVArch()} {
		t.Run(arch.Name, func(t *testing.T) { testTrain(t, arch) })
	}
}

func testTrain(t *testing.T, arch nn.Arch) {
	m1, l1, second := trainTiny(t, arch, 4, 1)
	m3, l3, _ := trainTiny(t, arch, 4, 3)
	m2, l2, _ := trainTiny(t, arch, 2, 2)
	if !slices.Equal(l2, l1[:2]) {
		t.Errorf("losses of 2 epochs %v, of the first 2 of 4 %v", l2, l1[:2])
	}
	for i, q := range m2.Params() {
		if !slices.Equal(q.Data, second[i]) {
			t.Errorf("%s after 2 epochs differs from the first 2 of 4", q.Name)
		}
	}
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
