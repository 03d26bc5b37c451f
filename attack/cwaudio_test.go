package attack_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"subsetscan/attack"
	"subsetscan/data"
	"subsetscan/nn"
)

// cwModel is a small untrained CTC recogniser of 4000 samples (24 frames)
// over 4 classes, the blank last, initialised from seed 5.
func cwModel(t *testing.T) *nn.Model {
	t.Helper()
	m, err := nn.New(nn.Arch{Name: "cw_tiny", Input: []int{4000}, Layers: []nn.LayerSpec{
		{Name: "mel", Kind: nn.LogMel, Mel: nn.MelSpec{Rate: 8000, Frame: 256, Hop: 160, Mels: 16, FMin: 20, FMax: 4000}},
		{Name: "dense_1", Kind: nn.Dense, Units: 16, Activation: "relu20"},
		{Name: "bilstm_1", Kind: nn.BiLSTM, Units: 8, ReturnSequences: true},
		{Name: "logits", Kind: nn.Dense, Units: 4},
	}})
	if err != nil {
		t.Fatal(err)
	}
	m.InitGlorot(5)
	return m
}

// TestCWAudio attacks two tone utterances (3000 and 3500 samples, then
// silence) towards two labellings and checks that both succeed within
// the first bound, that the padding is untouched, and that the result
// does not depend on the number of workers.
func TestCWAudio(t *testing.T) {
	m := cwModel(t)
	rng := rand.New(rand.NewPCG(6, 6))
	x := data.NewArray(2, 4000)
	lengths := []int{3000, 3500}
	for i, l := range lengths {
		row := x.Row(i)
		for j := range l {
			row[j] = float32(0.3*math.Sin(2*math.Pi*float64(300+200*i)*float64(j)/8000) + 0.01*rng.NormFloat64())
		}
	}
	frames := []int{19, 22} // ⌈length/160⌉
	targets := [][]int{{0, 1}, {2, 0, 2}}
	a := attack.NewCWAudio(3)
	a.Steps, a.LR, a.StartDB = 300, 0.01, -3
	var first *attack.CWResult
	for _, workers := range []int{1, 2} {
		a.Workers = workers
		res, err := a.Generate(t.Context(), m, x, lengths, frames, targets)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = res
			continue
		}
		if !slices.Equal(res.Adversarial.Data, first.Adversarial.Data) {
			t.Error("1 and 2 workers give different examples")
		}
	}
	logits, err := m.Predict(first.Adversarial, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range lengths {
		t.Logf("utterance %d: success %v, %.2f dB_x", i, first.Success[i], first.DBx[i])
		got := nn.GreedyDecode(logits.Row(i)[:frames[i]*4], 4, 3)
		if !first.Success[i] || !slices.Equal(got, targets[i]) || !(first.DBx[i] <= -3) {
			t.Errorf("utterance %d: success %v, decoded %v (target %v), %.2f dB_x", i, first.Success[i], got, targets[i], first.DBx[i])
		}
		if !slices.Equal(first.Adversarial.Row(i)[l:], x.Row(i)[l:]) {
			t.Errorf("utterance %d: the padding changed", i)
		}
	}
}
