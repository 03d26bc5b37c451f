package experiments

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"

	"subsetscan/attack"
	"subsetscan/data/fsdd"
	"subsetscan/nn/asr"
)

// audioCorpus is FSDD loaded, with the pools of asr.Pools.
type audioCorpus struct {
	c     *fsdd.Corpus
	pools map[string][]int
}

// loadAudioCorpus locates (fsdd.Locate) and loads FSDD and deals its pools.
func loadAudioCorpus(ctx context.Context, dir string, workers int) (*audioCorpus, error) {
	dir, err := fsdd.Locate(ctx, dir)
	if err != nil {
		return nil, err
	}
	c, err := fsdd.Load(dir, workers)
	if err != nil {
		return nil, err
	}
	pools, err := asr.Pools(c.Recordings)
	if err != nil {
		return nil, err
	}
	return &audioCorpus{c: c, pools: pools}, nil
}

// stream returns a generator seeded with seed and a stream named by what
// (FNV-1a of the name), so that every use of the seed draws its own
// numbers.
func stream(seed uint64, what string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(what))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// utterances returns n utterances of the pool (asr.Pools' name) in the
// condition cond: digit strings (fsdd.DefaultStrings) drawn from a stream
// of seed named after the pool, those longer than samples skipped, then
// for noisy ones white noise at an SNR of cond's range (a stream named
// after the pool and "noise"), and last every sample quantised to 16 bits,
// as a recording is. Rows of the same seed and pool get the same strings,
// so that the clean and noisy conditions differ by the noise only.
func (ac *audioCorpus) utterances(pool string, n, samples int, cond audioCondition, seed uint64) ([]fsdd.Utterance, error) {
	draw := n + n/10 + 20 // asr.Fit drops about 1 % of them
	us, err := ac.c.Strings(ac.pools[pool], draw, fsdd.DefaultStrings, stream(seed, "audio strings "+pool))
	if err != nil {
		return nil, fmt.Errorf("%s pool: %w", pool, err)
	}
	us, _ = asr.Fit(us, samples)
	if len(us) < n {
		return nil, fmt.Errorf("%s pool: %d of %d strings fit in %d samples, fewer than the %d asked", pool, len(us), draw, samples, n)
	}
	us = us[:n]
	if cond.Name == "noisy" {
		if us, err = fsdd.AddNoise(us, cond.SNR[0], cond.SNR[1], stream(seed, "audio noise "+pool)); err != nil {
			return nil, fmt.Errorf("%s pool: %w", pool, err)
		}
	}
	for i := range us {
		quantise(us[i].Samples)
	}
	return us, nil
}

// quantise rounds each sample to 16 bits (attack.Quantize16), as a
// recording holds it.
func quantise(x []float32) {
	copy(x, attack.Dequantize16(attack.Quantize16(x)))
}
