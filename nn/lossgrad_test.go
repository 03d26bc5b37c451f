package nn

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"subsetscan/data"
)

// TestLossGradients checks LossGradients against Predict, the loss, and
// Gradients of the resulting upstream gradients: the same gradients bit
// for bit (a training forward pass gives Predict's values), on 1 and 3
// workers, with and without the input gradient; the sum of the losses;
// and that an error names the first failing sample.
func TestLossGradients(t *testing.T) {
	arch := Arch{Name: "seq", Input: []int{6, 3}, Layers: []LayerSpec{
		{Name: "d", Kind: Dense, Units: 4, Activation: "relu20"},
		{Name: "b", Kind: BiLSTM, Units: 2, ReturnSequences: true},
		{Name: "out", Kind: Dense, Units: 3},
	}}
	m, err := New(arch)
	if err != nil {
		t.Fatal(err)
	}
	m.InitGlorot(1)
	rng := rand.New(rand.NewPCG(3, 4))
	x := uniform(rng, -1, 1, 19, 6, 3) // 19 samples: three chunks, the last short
	// The loss of sample s: Σ (s+1)·out², gradient 2(s+1)·out.
	loss := func(s int, out, up []float32) (float64, error) {
		var l float64
		for i, v := range out {
			l += float64(s+1) * float64(v) * float64(v)
			up[i] = 2 * float32(s+1) * v
		}
		return l, nil
	}
	y, err := m.Predict(x, 1)
	if err != nil {
		t.Fatal(err)
	}
	up := data.NewArray(y.Shape...)
	for s := range x.Len() {
		if _, err := loss(s, y.Row(s), up.Row(s)); err != nil {
			t.Fatal(err)
		}
	}
	for _, workers := range []int{1, 3} {
		for _, input := range []bool{false, true} {
			opt := GradientOptions{Input: input, Workers: workers}
			want, err := m.Gradients(x, up, opt)
			if err != nil {
				t.Fatal(err)
			}
			total, got, err := m.LossGradients(x, loss, opt)
			if err != nil {
				t.Fatal(err)
			}
			if !(total > 0) {
				t.Errorf("workers %d: total loss %v", workers, total)
			}
			for k := range want.Params {
				if !slices.Equal(got.Params[k], want.Params[k]) {
					t.Errorf("workers %d, input %v: param gradient %d differs from Gradients'", workers, input, k)
				}
			}
			if input && !slices.Equal(got.Input.Data, want.Input.Data) {
				t.Errorf("workers %d: input gradient differs from Gradients'", workers)
			}
		}
	}
	bad := errors.New("bad sample")
	_, _, err = m.LossGradients(x, func(s int, out, up []float32) (float64, error) {
		if s == 5 || s == 12 {
			return 0, bad
		}
		return loss(s, out, up)
	}, GradientOptions{Workers: 2})
	if !errors.Is(err, bad) || err.Error() != "nn: seq: sample 5: bad sample" {
		t.Errorf("error %v, want sample 5's", err)
	}
}
