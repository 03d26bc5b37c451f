package asr_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"subsetscan/data/fsdd"
	"subsetscan/nn"
	"subsetscan/nn/asr"
)

// releaseRecordings lists the 3000 recordings of FSDD v1.0.10 by name:
// 6 speakers × 10 digits × 50 takes.
func releaseRecordings() []fsdd.Recording {
	var recs []fsdd.Recording
	for _, s := range []string{"george", "jackson", "lucas", "nicolas", "theo", "yweweler"} {
		for d := range fsdd.Digits {
			for take := range fsdd.Takes {
				recs = append(recs, fsdd.Recording{Digit: d, Speaker: s, Take: take})
			}
		}
	}
	return recs
}

// TestPools checks that the pools are disjoint, cover the recordings, hold
// every speaker-digit cell equally, and do not change from run to run.
func TestPools(t *testing.T) {
	recs := releaseRecordings()
	pools, err := asr.Pools(recs)
	if err != nil {
		t.Fatal(err)
	}
	seen := make([]string, len(recs))
	for _, ps := range asr.PoolSizes {
		idx := pools[ps.Name]
		if ps.N != fsdd.Rest && len(idx) != ps.N {
			t.Errorf("pool %s: %d recordings, want %d", ps.Name, len(idx), ps.N)
		}
		cells := map[[2]any]int{}
		for _, i := range idx {
			if seen[i] != "" {
				t.Fatalf("recording %s is in pools %s and %s", recs[i].Name(), seen[i], ps.Name)
			}
			seen[i] = ps.Name
			cells[[2]any{recs[i].Speaker, recs[i].Digit}]++
		}
		for cell, n := range cells {
			if n != len(idx)/60 {
				t.Errorf("pool %s: cell %v has %d recordings, want %d", ps.Name, cell, n, len(idx)/60)
			}
		}
	}
	if i := slices.Index(seen, ""); i >= 0 {
		t.Errorf("recording %s is in no pool", recs[i].Name())
	}
	again, err := asr.Pools(recs)
	if err != nil {
		t.Fatal(err)
	}
	for name, idx := range pools {
		if !slices.Equal(idx, again[name]) {
			t.Errorf("pool %s differs between two calls", name)
		}
	}
	// The first test recordings, pinned (from the first run of this
	// test): a changed split would put the committed model's training
	// recordings in the experiment's pools.
	var first []string
	for _, i := range pools[asr.PoolTest][:3] {
		first = append(first, recs[i].Name())
	}
	if want := []string{"0_george_12.wav", "0_george_38.wav", "0_george_46.wav"}; !slices.Equal(first, want) {
		t.Errorf("first test recordings %v, want %v: the split changed", first, want)
	}
}

// toneCorpus returns recordings of 6 speakers × 10 digits × takes: digit d
// a tone of 300 + 300·d Hz, 400 to 800 samples long under a Hann envelope.
func toneCorpus(takes int, rng *rand.Rand) *fsdd.Corpus {
	c := &fsdd.Corpus{}
	for _, s := range []string{"a", "b", "c", "d", "e", "f"} {
		for d := range fsdd.Digits {
			for take := range takes {
				x := make([]float32, 400+rng.IntN(400))
				for i := range x {
					env := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(len(x)))
					x[i] = float32(0.5 * env * math.Sin(2*math.Pi*float64(300+300*d)*float64(i)/fsdd.SampleRate))
				}
				c.Recordings = append(c.Recordings, fsdd.Recording{Digit: d, Speaker: s, Take: take})
				c.Samples = append(c.Samples, x)
			}
		}
	}
	return c
}

// tinyArch is a small recogniser of 4000 samples (0.5 s) for fast tests.
func tinyArch() nn.Arch {
	return nn.Arch{Name: "tiny_asr", Input: []int{4000}, Layers: []nn.LayerSpec{
		{Name: "mel", Kind: nn.LogMel, Mel: nn.MelSpec{Rate: 8000, Frame: 256, Hop: 160, Mels: 16, FMin: 20, FMax: 4000}},
		{Name: "dense_1", Kind: nn.Dense, Units: 16, Activation: "relu20"},
		{Name: "bilstm_1", Kind: nn.BiLSTM, Units: 8, ReturnSequences: true},
		{Name: "logits", Kind: nn.Dense, Units: asr.Classes},
	}}
}

// tinyLVArch is tinyArch with lv-fsdd's front end: the spectrogram as an
// image [24, 16, 1], two convolutions keeping the frames and halving the
// mels at the second, then frames of 8·4 features.
func tinyLVArch() nn.Arch {
	mel := tinyArch().Layers[0]
	return nn.Arch{Name: "tiny_lv", Input: []int{4000}, Layers: []nn.LayerSpec{
		mel,
		{Name: "reshape_1", Kind: nn.Reshape, Shape: []int{24, 16, 1}},
		{Name: "conv2d_1", Kind: nn.Conv2D, Filters: 4, Kernel: 3, Padding: "same", Activation: "relu"},
		{Name: "conv2d_2", Kind: nn.Conv2D, Filters: 4, Kernel: 3, ColStrides: 2, Padding: "same", Activation: "relu"},
		{Name: "reshape_2", Kind: nn.Reshape, Shape: []int{24, 32}},
		{Name: "bilstm_1", Kind: nn.BiLSTM, Units: 8, ReturnSequences: true},
		{Name: "logits", Kind: nn.Dense, Units: asr.Classes},
	}}
}

func TestAssemble(t *testing.T) {
	c := toneCorpus(6, rand.New(rand.NewPCG(1, 1)))
	us, err := c.Strings([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 40, fsdd.DefaultStrings, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	arch := tinyArch()
	kept, dropped := asr.Fit(us, 4000)
	if dropped == 0 || len(kept) == 0 || len(kept)+dropped != len(us) {
		t.Fatalf("Fit kept %d, dropped %d of %d; want some of each", len(kept), dropped, len(us))
	}
	if _, err := asr.Assemble(arch, us); err == nil {
		t.Error("Assemble took utterances longer than the input")
	}
	b, err := asr.Assemble(arch, kept)
	if err != nil {
		t.Fatal(err)
	}
	for i, u := range kept {
		row := b.X.Row(i)
		if !slices.Equal(row[:len(u.Samples)], u.Samples) || slices.ContainsFunc(row[len(u.Samples):], func(v float32) bool { return v != 0 }) {
			t.Errorf("utterance %d is not its samples then zeros", i)
		}
		if !slices.Equal(b.Labels[i], u.Digits) {
			t.Errorf("utterance %d: labels %v, digits %v", i, b.Labels[i], u.Digits)
		}
		// Frames start every 160 samples: those starting before the end,
		// at most the input's 24.
		if want := min(24, (len(u.Samples)+159)/160); b.Frames[i] != want {
			t.Errorf("utterance %d of %d samples: %d frames, want %d", i, len(u.Samples), b.Frames[i], want)
		}
	}
	mel := arch.Layers[0].Mel
	// 4000 samples make 1 + (4000−256)/160 = 24 frames.
	if got := asr.Frames(mel, 4000, 4000); got != 24 {
		t.Errorf("Frames of a full input = %d, want 24", got)
	}
}
