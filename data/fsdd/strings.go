package fsdd

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Corpus is a set of recordings with their samples.
type Corpus struct {
	Recordings []Recording
	Samples    [][]float32 // Samples[i] holds Recordings[i], 8000 Hz, in [-1, 1)
}

// Load opens the FSDD directory dir (Open) and loads every recording
// (LoadAll on up to workers goroutines, 0 meaning GOMAXPROCS). It does not
// verify the files against the manifest: see Verify.
func Load(dir string, workers int) (*Corpus, error) {
	recs, err := Open(dir)
	if err != nil {
		return nil, err
	}
	samples, err := LoadAll(recs, workers)
	if err != nil {
		return nil, err
	}
	return &Corpus{Recordings: recs, Samples: samples}, nil
}

// StringConfig says how Strings builds utterances. It has no usable zero
// value: start from DefaultStrings.
type StringConfig struct {
	// MinDigits and MaxDigits bound the number of recordings of an
	// utterance, drawn uniformly in [MinDigits, MaxDigits]; 1 <= MinDigits <=
	// MaxDigits.
	MinDigits, MaxDigits int
	// MinGap and MaxGap bound the silence between two recordings of an
	// utterance, drawn uniformly in [MinGap, MaxGap] at nanosecond
	// resolution and rounded to the nearest sample; 0 <= MinGap <= MaxGap.
	MinGap, MaxGap time.Duration
}

// DefaultStrings utters 2 to 5 digits with 50 to 150 ms of silence between
// them.
var DefaultStrings = StringConfig{MinDigits: 2, MaxDigits: 5, MinGap: 50 * time.Millisecond, MaxGap: 150 * time.Millisecond}

// Utterance is a spoken digit string: recordings of one speaker one after
// the other, with silences (zeros) between them and none before or after.
type Utterance struct {
	Speaker    string
	Digits     []int     // the digits spoken, in order
	Transcript string    // the digits as words, "three one four"
	Sources    []int     // the recordings, by index into the Corpus, in order
	Samples    []float32 // 8000 Hz
	// SNR is the signal-to-noise ratio in dB of the added noise (AddNoise),
	// or +Inf for a clean utterance.
	SNR float64
}

// Strings returns n clean utterances, each of recordings of pool (indices
// into c.Recordings, for example a Pool of Split), drawn by rng:
//
//   - the speaker is drawn uniformly among the speakers of pool (sorted by
//     name);
//   - the number of digits L uniformly in [MinDigits, MaxDigits];
//   - the recordings are the next L of the speaker's deck: the speaker's
//     recordings in pool, shuffled by rng at the first use and reshuffled
//     whenever fewer than L are left (those are then not used in that pass),
//     so no recording is twice in an utterance, and a speaker's recordings
//     in pool are all used (but for fewer than MaxDigits) before any comes
//     back;
//   - the L-1 silences are drawn as StringConfig says, in order.
//
// The same corpus, pool, n, cfg and draws give the same utterances bit for
// bit, and the first k utterances do not depend on n >= k. Recordings of
// one utterance keep their own levels (no normalisation).
//
// Strings returns an error for a nil rng, n < 0, a bad cfg, an empty pool, a
// recording listed twice in pool, or a speaker with fewer than MaxDigits
// recordings in pool. It panics if an index of pool is out of range or if
// c.Samples and c.Recordings differ in length.
func (c *Corpus) Strings(pool []int, n int, cfg StringConfig, rng *rand.Rand) ([]Utterance, error) {
	if len(c.Samples) != len(c.Recordings) {
		panic("fsdd: Corpus with Samples and Recordings of different lengths")
	}
	if err := checkStrings(n, cfg, rng); err != nil {
		return nil, err
	}
	speakers, decks, err := c.decks(pool, cfg.MaxDigits)
	if err != nil {
		return nil, err
	}
	pos := make([]int, len(decks))
	for s, d := range decks {
		pos[s] = len(d) // shuffled at the first use
	}
	us := make([]Utterance, n)
	for i := range us {
		s := rng.IntN(len(speakers))
		l := cfg.MinDigits + rng.IntN(cfg.MaxDigits-cfg.MinDigits+1)
		d := decks[s]
		if len(d)-pos[s] < l {
			rng.Shuffle(len(d), func(a, b int) { d[a], d[b] = d[b], d[a] })
			pos[s] = 0
		}
		us[i] = c.utterance(speakers[s], d[pos[s]:pos[s]+l], cfg, rng)
		pos[s] += l
	}
	return us, nil
}

func checkStrings(n int, cfg StringConfig, rng *rand.Rand) error {
	switch {
	case rng == nil:
		return errors.New("fsdd: Strings: nil *rand.Rand")
	case n < 0:
		return fmt.Errorf("fsdd: Strings: %d utterances", n)
	case !(cfg.MinDigits >= 1 && cfg.MinDigits <= cfg.MaxDigits):
		return fmt.Errorf("fsdd: Strings: digits in [%d, %d], want 1 <= MinDigits <= MaxDigits", cfg.MinDigits, cfg.MaxDigits)
	case !(cfg.MinGap >= 0 && cfg.MinGap <= cfg.MaxGap):
		return fmt.Errorf("fsdd: Strings: gaps in [%v, %v], want 0 <= MinGap <= MaxGap", cfg.MinGap, cfg.MaxGap)
	}
	return nil
}

// decks returns the sorted speakers of pool and, for each, its recordings
// in pool, in the order of pool.
func (c *Corpus) decks(pool []int, minLen int) ([]string, [][]int, error) {
	if len(pool) == 0 {
		return nil, nil, errors.New("fsdd: Strings: empty pool")
	}
	var speakers []string
	for _, i := range pool {
		speakers = append(speakers, c.Recordings[i].Speaker)
	}
	slices.Sort(speakers)
	speakers = slices.Compact(speakers)
	decks := make([][]int, len(speakers))
	seen := make(map[int]bool, len(pool))
	for _, i := range pool {
		if seen[i] {
			return nil, nil, fmt.Errorf("fsdd: Strings: recording %s is twice in the pool", c.Recordings[i].Name())
		}
		seen[i] = true
		s, _ := slices.BinarySearch(speakers, c.Recordings[i].Speaker)
		decks[s] = append(decks[s], i)
	}
	for s, d := range decks {
		if len(d) < minLen {
			return nil, nil, fmt.Errorf("fsdd: Strings: speaker %s has %d recordings in the pool, fewer than MaxDigits (%d)", speakers[s], len(d), minLen)
		}
	}
	return speakers, decks, nil
}

// utterance concatenates the recordings src with silences drawn by rng.
func (c *Corpus) utterance(speaker string, src []int, cfg StringConfig, rng *rand.Rand) Utterance {
	u := Utterance{Speaker: speaker, Sources: slices.Clone(src), SNR: math.Inf(1)}
	words := make([]string, len(src))
	for k, i := range src {
		if k > 0 {
			gap := cfg.MinGap + time.Duration(rng.Int64N(int64(cfg.MaxGap-cfg.MinGap)+1))
			u.Samples = append(u.Samples, make([]float32, int(math.Round(gap.Seconds()*SampleRate)))...)
		}
		u.Samples = append(u.Samples, c.Samples[i]...)
		d := c.Recordings[i].Digit
		u.Digits = append(u.Digits, d)
		words[k] = Words[d]
	}
	u.Transcript = strings.Join(words, " ")
	return u
}

// AddNoise returns copies of us with white Gaussian noise added: for each
// utterance, in order, an SNR drawn uniformly in [minSNR, maxSNR] dB, then
// one standard normal draw per sample (rand.Rand.NormFloat64). The noise
// is scaled so that its mean power over the utterance is exactly the
// utterance's own mean power (over all its samples, silences included)
// divided by 10^(SNR/10); after rounding to float32 the SNR measured from
// the samples is within 10⁻³ dB of the drawn one. The result's SNR field
// holds the drawn SNR. Samples are not clipped, so they may leave [-1, 1].
// The inputs are not modified.
//
// AddNoise returns an error for a nil rng, bounds that are not finite with
// minSNR <= maxSNR, or an utterance without power (empty or all zeros).
func AddNoise(us []Utterance, minSNR, maxSNR float64, rng *rand.Rand) ([]Utterance, error) {
	switch {
	case rng == nil:
		return nil, errors.New("fsdd: AddNoise: nil *rand.Rand")
	case !(minSNR <= maxSNR) || math.IsInf(minSNR, 0) || math.IsInf(maxSNR, 0):
		return nil, fmt.Errorf("fsdd: AddNoise: SNR in [%v, %v] dB, want finite bounds in order", minSNR, maxSNR)
	}
	out := make([]Utterance, len(us))
	noise := []float64(nil)
	for i, u := range us {
		ps := meanPower(u.Samples)
		if !(ps > 0) {
			return nil, fmt.Errorf("fsdd: AddNoise: utterance %d (%q) has no power", i, u.Transcript)
		}
		snr := minSNR + rng.Float64()*(maxSNR-minSNR)
		noise = slices.Grow(noise[:0], len(u.Samples))[:len(u.Samples)]
		for k := range noise {
			noise[k] = rng.NormFloat64()
		}
		scale := math.Sqrt(ps / (meanPower(noise) * math.Pow(10, snr/10)))
		x := make([]float32, len(u.Samples))
		for k, v := range u.Samples {
			x[k] = float32(float64(v) + scale*noise[k])
		}
		u.Samples, u.SNR = x, snr
		u.Digits, u.Sources = slices.Clone(u.Digits), slices.Clone(u.Sources)
		out[i] = u
	}
	return out, nil
}

// SNR returns the signal-to-noise ratio in dB of changed taken as clean
// plus noise, 10·log10(Σclean² / Σ(changed − clean)²): the SNR AddNoise
// draws, measured, and the power of an attack's perturbation against its
// source. It returns an error when the lengths differ or either power is
// 0 (no finite ratio: a silent clean or no change at all).
func SNR(clean, changed []float32) (float64, error) {
	if len(clean) != len(changed) {
		return 0, fmt.Errorf("fsdd: SNR of %d samples against %d", len(changed), len(clean))
	}
	var ps, pn float64
	for i, v := range clean {
		e := float64(changed[i]) - float64(v)
		ps, pn = ps+float64(v)*float64(v), pn+e*e
	}
	if !(ps > 0 && pn > 0) {
		return 0, fmt.Errorf("fsdd: SNR: signal power %g, noise power %g: no finite ratio", ps, pn)
	}
	return 10 * math.Log10(ps/pn), nil
}

// meanPower returns the mean of the squares of x in float64, 0 for an empty
// x.
func meanPower[T float32 | float64](x []T) float64 {
	if len(x) == 0 {
		return 0
	}
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return s / float64(len(x))
}
