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
//
// With matched, the number of digits of the i-th utterance is the i-th
// of one sequence shared by every pool (digitCounts), so that the clean
// utterance i and the attack source i have the same number of digits: the
// clean and the attacked utterances have one distribution of lengths,
// which the scans' scores depend on (the scans see the padded input).
func (ac *audioCorpus) utterances(pool string, n, samples int, cond audioCondition, seed uint64, matched bool) ([]fsdd.Utterance, error) {
	var us []fsdd.Utterance
	var err error
	if matched {
		us, err = ac.stringsOfCounts(pool, digitCounts(n, fsdd.DefaultStrings, seed), samples, seed)
	} else {
		us, err = ac.fittingStrings(pool, n, fsdd.DefaultStrings, samples, stream(seed, "audio strings "+pool))
	}
	if err != nil {
		return nil, fmt.Errorf("%s pool: %w", pool, err)
	}
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

// fittingStrings returns the first n strings of the pool drawn with cfg
// from rng that fit in samples (asr.Fit).
func (ac *audioCorpus) fittingStrings(pool string, n int, cfg fsdd.StringConfig, samples int, rng *rand.Rand) ([]fsdd.Utterance, error) {
	draw := n + n/5 + 20 // asr.Fit drops a few of them, more of the long ones
	us, err := ac.c.Strings(ac.pools[pool], draw, cfg, rng)
	if err != nil {
		return nil, err
	}
	us, _ = asr.Fit(us, samples)
	if len(us) < n {
		return nil, fmt.Errorf("%d of %d strings of %d–%d digits fit in %d samples, fewer than the %d asked",
			len(us), draw, cfg.MinDigits, cfg.MaxDigits, samples, n)
	}
	return us[:n], nil
}

// digitCounts returns the numbers of digits of n strings, uniform in
// cfg's range, from the stream of seed named "audio digit counts": the
// same sequence for every pool, and the first n of a longer one.
func digitCounts(n int, cfg fsdd.StringConfig, seed uint64) []int {
	rng := stream(seed, "audio digit counts")
	out := make([]int, n)
	for i := range out {
		out[i] = cfg.MinDigits + rng.IntN(cfg.MaxDigits-cfg.MinDigits+1)
	}
	return out
}

// stringsOfCounts returns strings of the pool whose i-th has counts[i]
// digits: for each number of digits, the strings of that many digits
// (fittingStrings, a stream named after the pool and the number) in turn.
func (ac *audioCorpus) stringsOfCounts(pool string, counts []int, samples int, seed uint64) ([]fsdd.Utterance, error) {
	need := map[int]int{}
	for _, k := range counts {
		need[k]++
	}
	byCount := map[int][]fsdd.Utterance{}
	for k, m := range need {
		cfg := fsdd.DefaultStrings
		cfg.MinDigits, cfg.MaxDigits = k, k
		us, err := ac.fittingStrings(pool, m, cfg, samples, stream(seed, fmt.Sprintf("audio strings %s %d digits", pool, k)))
		if err != nil {
			return nil, err
		}
		byCount[k] = us
	}
	out := make([]fsdd.Utterance, len(counts))
	for i, k := range counts {
		out[i], byCount[k] = byCount[k][0], byCount[k][1:]
	}
	return out, nil
}

// matchClean returns, for each adversarial utterance in order, the index
// of the clean utterance not yet taken whose number of digits is that of the
// adversarial one's source (srcDigits) and whose length in samples is the
// nearest to the source's (srcSamples; the first such on a tie), and the
// indices (into the adversarial utterances) of those that found one: the
// clean and adversarial utterances compared then have identical digit
// counts and as near lengths as the clean ones allow. With the clean
// utterances and the sources drawn from one sequence of counts
// (utterances, matched) and no more sources than clean utterances, every
// adversarial utterance finds one.
func matchClean(clean []fsdd.Utterance, srcDigits, srcSamples []int) (matched, kept []int) {
	taken := make([]bool, len(clean))
	for j, k := range srcDigits {
		best := -1
		for i, c := range clean {
			if !taken[i] && len(c.Digits) == k && (best < 0 || absInt(len(c.Samples)-srcSamples[j]) < absInt(len(clean[best].Samples)-srcSamples[j])) {
				best = i
			}
		}
		if best >= 0 {
			taken[best] = true
			matched, kept = append(matched, best), append(kept, j)
		}
	}
	return matched, kept
}

func absInt(x int) int { return max(x, -x) }

// quantise rounds each sample to 16 bits (attack.Quantize16), as a
// recording holds it.
func quantise(x []float32) {
	copy(x, attack.Dequantize16(attack.Quantize16(x)))
}
