package fsdd_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"subsetscan/data/fsdd"
)

var speakers = []string{"george", "jackson", "lucas", "nicolas", "theo", "yweweler"}

// experimentPools are the pools issue 9 asks for.
var experimentPools = []fsdd.PoolSize{{"training", fsdd.Rest}, {"background", 800}, {"clean", 200}, {"attack", 150}}

// synthCorpus returns a corpus in the layout of v1.0.10 (6 speakers × 10
// digits × takes), each recording a few hundred samples drawn from rng,
// in the order of Open.
func synthCorpus(takes int, rng *rand.Rand) *fsdd.Corpus {
	c := &fsdd.Corpus{}
	for _, s := range speakers {
		for d := range fsdd.Digits {
			for k := range takes {
				x := make([]float32, 200+rng.IntN(400))
				for i := range x {
					x[i] = float32(rng.Float64()*1.6 - 0.8)
				}
				c.Recordings = append(c.Recordings, fsdd.Recording{Digit: d, Speaker: s, Take: k})
				c.Samples = append(c.Samples, x)
			}
		}
	}
	return c
}

func TestSplit(t *testing.T) {
	c := synthCorpus(fsdd.Takes, rand.New(rand.NewPCG(1, 1)))
	recs := c.Recordings
	pools, err := fsdd.Split(recs, experimentPools, rand.New(rand.NewPCG(7, 0)))
	if err != nil {
		t.Fatal(err)
	}
	owner := make([]int, len(recs))
	for p, pool := range pools {
		if pool.Name != experimentPools[p].Name || !slices.IsSorted(pool.Index) {
			t.Errorf("pool %d: name %q, sorted %v", p, pool.Name, slices.IsSorted(pool.Index))
		}
		perCell := make(map[[2]int]int)
		for _, i := range pool.Index {
			if owner[i] != 0 {
				t.Fatalf("%s is in pools %d and %d", recs[i].Name(), owner[i]-1, p)
			}
			owner[i] = p + 1
			perCell[[2]int{slices.Index(speakers, recs[i].Speaker), recs[i].Digit}]++
		}
		// Balance: every cell holds len/60 recordings of the pool, within two.
		mean := float64(len(pool.Index)) / 60
		for cell, n := range perCell {
			if math.Abs(float64(n)-mean) >= 2 || len(perCell) != 60 {
				t.Errorf("%s: cell %v holds %d, mean %.2f, %d cells", pool.Name, cell, n, mean, len(perCell))
			}
		}
	}
	if n := []int{len(pools[0].Index), len(pools[1].Index), len(pools[2].Index), len(pools[3].Index)}; !slices.Equal(n, []int{1850, 800, 200, 150}) {
		t.Errorf("pool sizes %v, want [1850 800 200 150]", n)
	}
	if slices.Contains(owner, 0) {
		t.Error("a recording is in no pool")
	}
	// The order of recs does not matter; the seed does.
	shuffled := slices.Clone(recs)
	perm := rand.New(rand.NewPCG(3, 3)).Perm(len(recs))
	for i, j := range perm {
		shuffled[j] = recs[i]
	}
	again, err := fsdd.Split(shuffled, experimentPools, rand.New(rand.NewPCG(7, 0)))
	if err != nil {
		t.Fatal(err)
	}
	for p := range pools {
		if a, b := poolNames(shuffled, again[p]), poolNames(recs, pools[p]); !slices.Equal(a, b) {
			t.Errorf("pool %s differs for shuffled input", pools[p].Name)
		}
	}
	other, err := fsdd.Split(recs, experimentPools, rand.New(rand.NewPCG(8, 0)))
	if err != nil || slices.Equal(other[1].Index, pools[1].Index) {
		t.Errorf("seed 8 gave the background pool of seed 7 (%v)", err)
	}
}

// poolNames returns the sorted file names of the recordings of p.
func poolNames(recs []fsdd.Recording, p fsdd.Pool) []string {
	var names []string
	for _, i := range p.Index {
		names = append(names, recs[i].Name())
	}
	slices.Sort(names)
	return names
}

func ms(x float64) time.Duration { return time.Duration(x * float64(time.Millisecond)) }

func TestSplitBad(t *testing.T) {
	recs := synthCorpus(2, rand.New(rand.NewPCG(1, 1))).Recordings // 120
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name  string
		recs  []fsdd.Recording
		sizes []fsdd.PoolSize
		rng   *rand.Rand
		want  string
	}{
		{"nil rng", recs, []fsdd.PoolSize{{"a", 1}}, nil, "nil *rand.Rand"},
		{"too many", recs, []fsdd.PoolSize{{"a", 100}, {"b", 21}}, rng, "121 recordings in all, from 120"},
		{"two rests", recs, []fsdd.PoolSize{{"a", fsdd.Rest}, {"b", fsdd.Rest}}, rng, `"a" and "b" both take the rest`},
		{"negative", recs, []fsdd.PoolSize{{"a", -2}}, rng, `pool "a" of -2`},
		{"same name", recs, []fsdd.PoolSize{{"a", 1}, {"a", 2}}, rng, `two pools named "a"`},
		{"recording twice", append(slices.Clone(recs), recs[5]), []fsdd.PoolSize{{"a", 1}}, rng, recs[5].Name() + " given twice"},
	} {
		if _, err := fsdd.Split(tc.recs, tc.sizes, tc.rng); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
	pools, err := fsdd.Split(recs, []fsdd.PoolSize{{"a", 10}}, rng)
	if err != nil || len(pools[0].Index) != 10 {
		t.Errorf("no rest pool: got %v, %v; want 10 recordings and the others in none", pools, err)
	}
}

// buildStrings splits c as the experiment does with seed and builds n
// utterances of pool p.
func buildStrings(t *testing.T, c *fsdd.Corpus, seed uint64, p, n int) ([]fsdd.Pool, []fsdd.Utterance) {
	t.Helper()
	pools, err := fsdd.Split(c.Recordings, experimentPools, rand.New(rand.NewPCG(seed, 0)))
	if err != nil {
		t.Fatal(err)
	}
	us, err := c.Strings(pools[p].Index, n, fsdd.DefaultStrings, rand.New(rand.NewPCG(seed, uint64(1+p))))
	if err != nil {
		t.Fatal(err)
	}
	return pools, us
}

func TestStrings(t *testing.T) {
	c := synthCorpus(fsdd.Takes, rand.New(rand.NewPCG(1, 1)))
	pools, us := buildStrings(t, c, 42, 3, 300)
	inPool := make(map[int]bool)
	for _, i := range pools[3].Index {
		inPool[i] = true
	}
	used := make(map[int]int)
	for k, u := range us {
		checkUtterance(t, c, u)
		for _, i := range u.Sources {
			if !inPool[i] {
				t.Fatalf("utterance %d uses %s, not in its pool", k, c.Recordings[i].Name())
			}
			used[i]++
		}
	}
	// 300 utterances of 3.5 digits on average use the pool of 150 about
	// seven times: every recording is used, none more than 10 times.
	for _, i := range pools[3].Index {
		if used[i] == 0 || used[i] > 10 {
			t.Errorf("%s used %d times", c.Recordings[i].Name(), used[i])
		}
	}
	// Same seed: same utterances bit for bit; a prefix does not depend on n.
	_, again := buildStrings(t, c, 42, 3, 300)
	_, prefix := buildStrings(t, c, 42, 3, 20)
	for k := range us {
		if !sameUtterance(us[k], again[k]) || k < len(prefix) && !sameUtterance(us[k], prefix[k]) {
			t.Fatalf("utterance %d differs for the same seed", k)
		}
	}
	if _, other := buildStrings(t, c, 43, 3, 1); sameUtterance(other[0], us[0]) {
		t.Error("seeds 42 and 43 gave the same first utterance")
	}
}

// checkUtterance checks that u is its sources of one speaker, with
// transcript and digits to match, and 50 to 150 ms of zeros between them.
func checkUtterance(t *testing.T, c *fsdd.Corpus, u fsdd.Utterance) {
	t.Helper()
	if n := len(u.Sources); n < 2 || n > 5 || !math.IsInf(u.SNR, 1) {
		t.Fatalf("%d recordings, SNR %v; want 2 to 5, +Inf", n, u.SNR)
	}
	var words []string
	at := 0
	for k, i := range u.Sources {
		r := c.Recordings[i]
		if r.Speaker != u.Speaker || r.Digit != u.Digits[k] || slices.Contains(u.Sources[:k], i) {
			t.Fatalf("source %d, %s, in an utterance of %s with digits %v, sources %v", k, r.Name(), u.Speaker, u.Digits, u.Sources)
		}
		words = append(words, fsdd.Words[r.Digit])
		if k > 0 {
			gap := 0
			for at < len(u.Samples) && u.Samples[at] == 0 {
				gap, at = gap+1, at+1
			}
			if gap < 400 || gap > 1200 { // 50 and 150 ms at 8000 Hz; the synthetic samples are never 0
				t.Fatalf("gap of %d samples", gap)
			}
		}
		if !slices.Equal(u.Samples[at:at+len(c.Samples[i])], c.Samples[i]) {
			t.Fatalf("samples of source %d (%s) not found at %d", k, r.Name(), at)
		}
		at += len(c.Samples[i])
	}
	if at != len(u.Samples) || u.Transcript != strings.Join(words, " ") {
		t.Fatalf("%d samples, %d accounted for; transcript %q, want %q", len(u.Samples), at, u.Transcript, strings.Join(words, " "))
	}
}

func sameUtterance(a, b fsdd.Utterance) bool {
	return a.Speaker == b.Speaker && a.Transcript == b.Transcript && slices.Equal(a.Sources, b.Sources) &&
		slices.Equal(a.Digits, b.Digits) && slices.Equal(a.Samples, b.Samples) && math.Float64bits(a.SNR) == math.Float64bits(b.SNR)
}

// TestStringsDisjoint builds utterances from every pool and checks that no
// recording is used by two pools.
func TestStringsDisjoint(t *testing.T) {
	c := synthCorpus(fsdd.Takes, rand.New(rand.NewPCG(1, 1)))
	pool := make(map[int]int) // recording → pool + 1
	for p, n := range []int{400, 800, 200, 150} {
		_, us := buildStrings(t, c, 5, p, n)
		for _, u := range us {
			for _, i := range u.Sources {
				if pool[i] != 0 && pool[i] != p+1 {
					t.Fatalf("%s used by pools %d and %d", c.Recordings[i].Name(), pool[i]-1, p)
				}
				pool[i] = p + 1
			}
		}
	}
}

func TestStringsBad(t *testing.T) {
	c := synthCorpus(3, rand.New(rand.NewPCG(1, 1))) // 3 takes per digit
	all := make([]int, len(c.Recordings))
	for i := range all {
		all[i] = i
	}
	rng := rand.New(rand.NewPCG(1, 2))
	cfg := func(minD, maxD int, minG, maxG float64) fsdd.StringConfig {
		return fsdd.StringConfig{MinDigits: minD, MaxDigits: maxD, MinGap: ms(minG), MaxGap: ms(maxG)}
	}
	for _, tc := range []struct {
		name string
		pool []int
		n    int
		cfg  fsdd.StringConfig
		rng  *rand.Rand
		want string
	}{
		{"nil rng", all, 1, fsdd.DefaultStrings, nil, "nil *rand.Rand"},
		{"negative n", all, -1, fsdd.DefaultStrings, rng, "-1 utterances"},
		{"zero digits", all, 1, cfg(0, 3, 50, 150), rng, "want 1 <= MinDigits <= MaxDigits"},
		{"digits reversed", all, 1, cfg(4, 3, 50, 150), rng, "want 1 <= MinDigits"},
		{"gaps reversed", all, 1, cfg(2, 3, 150, 50), rng, "want 0 <= MinGap <= MaxGap"},
		{"empty pool", nil, 1, fsdd.DefaultStrings, rng, "empty pool"},
		{"twice", []int{0, 1, 2, 0}, 1, cfg(1, 1, 0, 0), rng, "0_george_0.wav is twice"},
		{"small speaker", []int{0, 1, 2, 3, 4, 5, 31, 32}, 1, fsdd.DefaultStrings, rng, "speaker jackson has 2 recordings in the pool, fewer than MaxDigits (5)"},
	} {
		if _, err := c.Strings(tc.pool, tc.n, tc.cfg, tc.rng); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

func TestAddNoise(t *testing.T) {
	c := synthCorpus(fsdd.Takes, rand.New(rand.NewPCG(1, 1)))
	_, clean := buildStrings(t, c, 9, 2, 200)
	keep := slices.Clone(clean[0].Samples)
	noisy, err := fsdd.AddNoise(clean, 10, 30, rand.New(rand.NewPCG(9, 99)))
	if err != nil {
		t.Fatal(err)
	}
	// The SNR measured from the float32 samples against the clean ones.
	const tol = 0.01 // dB, what issue 9 asks; the doc promises 1e-3
	lo, hi := math.Inf(1), math.Inf(-1)
	for k, u := range noisy {
		got, err := fsdd.SNR(clean[k].Samples, u.Samples)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-u.SNR) > tol/10 || !(u.SNR >= 10 && u.SNR <= 30) || u.Transcript != clean[k].Transcript {
			t.Errorf("utterance %d: measured SNR %.6f dB, drawn %.6f dB", k, got, u.SNR)
		}
		lo, hi = min(lo, u.SNR), max(hi, u.SNR)
	}
	if lo > 11 || hi < 29 {
		t.Errorf("SNRs in [%.2f, %.2f] dB, want them spread over [10, 30]", lo, hi)
	}
	if !slices.Equal(clean[0].Samples, keep) || !math.IsInf(clean[0].SNR, 1) {
		t.Error("AddNoise changed its input")
	}
	again, err := fsdd.AddNoise(clean, 10, 30, rand.New(rand.NewPCG(9, 99)))
	if err != nil || !sameUtterance(again[17], noisy[17]) {
		t.Errorf("same seed, different noise (%v)", err)
	}
	for _, tc := range []struct {
		name   string
		lo, hi float64
		us     []fsdd.Utterance
		want   string
	}{
		{"reversed", 30, 10, clean, "want finite bounds in order"},
		{"NaN", math.NaN(), 10, clean, "want finite bounds"},
		{"Inf", 10, math.Inf(1), clean, "want finite bounds"},
		{"silent", 10, 20, []fsdd.Utterance{{Samples: make([]float32, 8), Transcript: "zero"}}, `utterance 0 ("zero") has no power`},
	} {
		if _, err := fsdd.AddNoise(tc.us, tc.lo, tc.hi, rand.New(rand.NewPCG(1, 1))); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}
