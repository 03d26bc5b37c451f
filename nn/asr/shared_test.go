package asr_test

import (
	"path/filepath"
	"testing"

	"subsetscan/data/fsdd"
	"subsetscan/internal/refdata"
	"subsetscan/nn"
	"subsetscan/nn/asr"
)

// fsddDir returns the shared FSDD copy (refdata.FSDD).
func fsddDir(tb testing.TB) string { tb.Helper(); return refdata.FSDD(tb) }

// TestCommittedModel loads the committed weights of each recogniser and
// transcribes the first 40 held-out test strings of train-asr (seed 1):
// their greedy and beam word error rates must be at most maxWER: for
// ds-fsdd 5 %, half the aim (0 % when committed), for lv-fsdd the
// issue's aim, 10 % (configs/models/README.md has the figures on 200).
func TestCommittedModel(t *testing.T) {
	dir := fsddDir(t)
	c, err := fsdd.Load(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	pools, err := asr.Pools(c.Recordings)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file   string
		arch   nn.Arch
		maxWER float64
	}{
		{"ds-fsdd.npz", asr.DSArch, 0.05},
		{"lv-fsdd.npz", asr.LVArch, 0.10},
	} {
		t.Run(tc.arch.Name, func(t *testing.T) {
			m, err := nn.Load(tc.arch, filepath.Join(refdata.Root(), "configs", "models", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			test, _, err := asr.TestStrings(c, pools, 40, tc.arch.Input[0], 1)
			if err != nil {
				t.Fatal(err)
			}
			for _, beam := range []int{0, 8} {
				s, err := asr.Evaluate(m, test, beam, 0)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("beam %d: WER %.4f, CER %.4f on %d strings", beam, s.WER, s.CER, s.N)
				if !(s.WER <= tc.maxWER) {
					t.Errorf("beam %d: WER %.4f on %d held-out strings, want ≤ %g", beam, s.WER, s.N, tc.maxWER)
				}
			}
		})
	}
}
