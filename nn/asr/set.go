package asr

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"subsetscan/data"
	"subsetscan/data/fsdd"
	"subsetscan/nn"
)

// SplitSeed seeds the split of Pools. It is part of the trained model's
// definition: another seed would put some of its training recordings in
// the experiment's pools.
const SplitSeed = 9

// The names of the pools of Pools.
const (
	PoolTraining   = "training"
	PoolTest       = "test"
	PoolBackground = "background"
	PoolClean      = "clean"
	PoolAttack     = "attack"
)

// PoolSizes are the pools of the study, in the order of the deal of
// fsdd.Split: each size is a multiple of FSDD's 60 speaker-digit cells.
var PoolSizes = []fsdd.PoolSize{
	{Name: PoolTraining, N: fsdd.Rest},
	{Name: PoolTest, N: 180},
	{Name: PoolBackground, N: 480},
	{Name: PoolClean, N: 180},
	{Name: PoolAttack, N: 180},
}

// Pools deals recs into the disjoint pools of PoolSizes with fsdd.Split
// and a generator seeded with SplitSeed, and returns them by name. Its
// errors are fsdd.Split's.
func Pools(recs []fsdd.Recording) (map[string][]int, error) {
	ps, err := fsdd.Split(recs, PoolSizes, rand.New(rand.NewPCG(SplitSeed, 0x73706c6974))) // "split"
	if err != nil {
		return nil, fmt.Errorf("asr: %w", err)
	}
	out := make(map[string][]int, len(ps))
	for _, p := range ps {
		out[p.Name] = p.Index
	}
	return out, nil
}

// Fit returns the utterances of us that fit in samples samples, in order,
// and the number dropped.
func Fit(us []fsdd.Utterance, samples int) ([]fsdd.Utterance, int) {
	var kept []fsdd.Utterance
	for _, u := range us {
		if len(u.Samples) <= samples {
			kept = append(kept, u)
		}
	}
	return kept, len(us) - len(kept)
}

// Frames returns the number of the mel frames of a waveform that start
// before sample n, ⌈n/Hop⌉, at most the frames of the whole input: the
// frames CTC scores for an utterance of n samples padded with silence.
func Frames(mel nn.MelSpec, n, inputSamples int) int {
	total := 1 + (inputSamples-mel.Frame)/mel.Hop
	return min(total, max(1, (n+mel.Hop-1)/mel.Hop))
}

// Batch is utterances padded into a model's input.
type Batch struct {
	X      *data.Array // [n, samples]: each utterance, then zeros
	Labels [][]int     // the CTC labelling of each utterance
	Frames []int       // the frames of each utterance's own samples (Frames)
}

// Assemble pads the utterances us with silence at the end to the input
// length of the model of arch (a waveform [samples] into a LogMel first
// layer). It returns an error if arch does not start with a LogMel layer
// or if an utterance is longer than the input (drop those with Fit).
func Assemble(arch nn.Arch, us []fsdd.Utterance) (*Batch, error) {
	mel, err := MelOf(arch)
	if err != nil {
		return nil, err
	}
	samples := arch.Input[0]
	b := &Batch{X: data.NewArray(len(us), samples), Labels: make([][]int, len(us)), Frames: make([]int, len(us))}
	for i, u := range us {
		if len(u.Samples) > samples {
			return nil, fmt.Errorf("asr: utterance %d (%q) has %d samples, more than the %d of %s", i, u.Transcript, len(u.Samples), samples, arch.Name)
		}
		copy(b.X.Row(i), u.Samples)
		b.Labels[i] = Labels(u.Digits)
		b.Frames[i] = Frames(mel, len(u.Samples), samples)
	}
	return b, nil
}

// MelOf returns the spec of the LogMel layer that arch starts with, with
// its input a waveform.
func MelOf(arch nn.Arch) (nn.MelSpec, error) {
	if len(arch.Layers) == 0 || arch.Layers[0].Kind != nn.LogMel || len(arch.Input) == 0 {
		return nn.MelSpec{}, errors.New("asr: " + arch.Name + " does not start with a log_mel layer on a waveform")
	}
	return arch.Layers[0].Mel, nil
}

// EpochStrings returns the training strings of an epoch: n digit strings
// of 2 to 5 digits (fsdd.DefaultStrings) from pool, drawn from a generator
// seeded with (seed, epoch), without those longer than samples (Fit). Each
// epoch draws new strings from the same recordings.
func EpochStrings(c *fsdd.Corpus, pool []int, n, samples int, seed uint64, epoch int) ([]fsdd.Utterance, error) {
	us, err := c.Strings(pool, n, fsdd.DefaultStrings, rand.New(rand.NewPCG(seed, 0x65706f6368<<16|uint64(epoch)))) // "epoch"
	if err != nil {
		return nil, fmt.Errorf("asr: %w", err)
	}
	us, _ = Fit(us, samples)
	return us, nil
}

// TestStrings returns the held-out strings: n digit strings of 2 to 5
// digits from the test pool drawn from a generator seeded with seed, those
// longer than samples dropped (Fit), and the number dropped.
func TestStrings(c *fsdd.Corpus, pools map[string][]int, n, samples int, seed uint64) ([]fsdd.Utterance, int, error) {
	us, err := c.Strings(pools[PoolTest], n, fsdd.DefaultStrings, rand.New(rand.NewPCG(seed, 0x74657374))) // "test"
	if err != nil {
		return nil, 0, fmt.Errorf("asr: %w", err)
	}
	kept, dropped := Fit(us, samples)
	return kept, dropped, nil
}
