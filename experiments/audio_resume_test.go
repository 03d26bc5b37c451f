package experiments

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"subsetscan/attack"
	"subsetscan/configs"
	"subsetscan/internal/refdata"
	"subsetscan/nn"
	"subsetscan/nn/asr"
)

// TestAudioAttackSetResume interrupts the generation of an attack set
// after its first chunk, runs it again and checks that the second run
// resumes from the checkpoint (it attacks only the other chunks) and ends
// with the set of an uninterrupted run; a third run reuses the saved set.
func TestAudioAttackSetResume(t *testing.T) {
	dir := sharedFSDD(t)
	defer func(n int) { audioChunk = n }(audioChunk)
	audioChunk = 2
	ac, err := loadAudioCorpus(t.Context(), dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	r := &audioRow{Name: "r", Model: audioModel{Arch: "ds-fsdd", Weights: filepath.Join(refdata.Root(), "configs", "models", "ds-fsdd.npz")},
		Condition: audioCondition{Name: "clean"}, Attack: audioAttack{Method: "cw", Steps: 10, Check: 5, LR: 0.002, StartDB: -10, Shrink: 0.8}}
	m, err := nn.Load(asr.DSArch, r.Model.Weights)
	if err != nil {
		t.Fatal(err)
	}
	src, err := ac.utterances(asr.PoolAttack, 5, asr.DSSamples, r.Condition, 1, true)
	if err != nil {
		t.Fatal(err)
	}
	_, want, err := audioAttackSet(t.Context(), r, m, src, 1, Env{})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	var points []string
	env := Env{Dir: out, Hold: func(_ context.Context, p string) {
		points = append(points, p)
		if p == "set r batch 1" {
			cancel()
		}
	}}
	if _, _, err := audioAttackSet(ctx, r, m, src, 1, env); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	points = nil
	_, got, err := audioAttackSet(t.Context(), r, m, src, 1, env)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(points, []string{"set r batch 2", "set r batch 3", "set r saved"}) {
		t.Errorf("the resumed run passed %v; want chunks 2 and 3 only, then the saved set", points)
	}
	if !sameExamples(got, want) {
		t.Error("the resumed run's set differs from an uninterrupted run's")
	}
	if _, err := os.Stat(filepath.Join(out, "sets", ".r.checkpoints")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("checkpoints left after the set was saved: %v", err)
	}
	points = nil
	if _, again, err := audioAttackSet(t.Context(), r, m, src, 1, env); err != nil || len(points) != 0 || !sameExamples(again, want) {
		t.Errorf("third run: %v, points %v, same set %v", err, points, sameExamples(again, want))
	}
}

// sameExamples reports whether a and b are the same examples, bit for
// bit (their gob encodings; NaN fields compare equal).
func sameExamples(a, b []attack.AudioExample) bool {
	var ea, eb bytes.Buffer
	return gob.NewEncoder(&ea).Encode(a) == nil && gob.NewEncoder(&eb).Encode(b) == nil && bytes.Equal(ea.Bytes(), eb.Bytes())
}

// TestCommittedAudioSets checks that the attack sets committed in
// results/audio-fsdd/sets are those the shipped config asks for: each
// row's key, computed from the shipped models, FSDD and the config, is
// the committed file's, with every source's target, so that `subsetscan
// run audio-fsdd` reuses them rather than spending CPU-minutes.
func TestCommittedAudioSets(t *testing.T) {
	dir := sharedFSDD(t)
	raw, ok := configs.Read("audio-fsdd")
	if !ok {
		t.Fatal("audio-fsdd is not shipped")
	}
	cfg, err := ParseConfig(raw, "", Vars{Data: dir, Models: filepath.Join(refdata.Root(), "configs", "models")})
	if err != nil {
		t.Fatal(err)
	}
	ac, err := loadAudioCorpus(t.Context(), dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	sets := filepath.Join(refdata.Root(), "results", "audio-fsdd", "sets")
	checkNoStaleSets(t, sets, cfg.Settings.(*audioSettings).Rows)
	for _, r := range cfg.Settings.(*audioSettings).Rows {
		arch, _ := nn.ArchByName(r.Model.Arch)
		src, err := ac.utterances(asr.PoolAttack, r.Counts.Attack, arch.Input[0], r.Condition, cfg.Seed, true)
		if err != nil {
			t.Fatal(err)
		}
		digits := make([][]int, len(src))
		for i, u := range src {
			digits[i] = u.Digits
		}
		tg, err := asr.Targets(digits, cfg.Seed)
		if err != nil {
			t.Fatal(err)
		}
		key, err := audioSetKey(&r, src, tg)
		if err != nil {
			t.Fatal(err)
		}
		var saved audioSetFile
		if err := readGzipGob(filepath.Join(sets, r.Name+".gob.gz"), &saved); err != nil {
			t.Fatal(err)
		}
		if saved.Key != key || !sameTargets(saved.Targets, tg) || len(saved.Examples) != len(src) {
			t.Errorf("row %s: the committed set has key %.12s…, %d targets and %d examples; the config asks for key %.12s… and %d sources",
				r.Name, saved.Key, len(saved.Targets), len(saved.Examples), key, len(src))
		}
	}
}

// checkNoStaleSets checks that every file of the sets directory dir is
// the attack set of one of rows (the checkpoints of a generation under
// way, hidden, aside): a set left from a row since renamed or dropped
// would be committed for nothing.
func checkNoStaleSets(t *testing.T, dir string, rows []audioRow) {
	t.Helper()
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Name()[0] == '.' {
			continue
		}
		if !slices.ContainsFunc(rows, func(r audioRow) bool { return f.Name() == r.Name+".gob.gz" }) {
			t.Errorf("%s: %s is the set of no row of the shipped config", dir, f.Name())
		}
	}
}

// sharedFSDD returns the shared FSDD copy beside the project, skipping
// the test without it (failing it when CI=true).
func sharedFSDD(t *testing.T) string {
	t.Helper()
	return refdata.FSDD(t)
}

// TestCleanErrorRates checks that the error rates from the scans'
// transcripts of the matched clean utterances plus a pass over the others
// are asr.Evaluate's over all the drawn ones, and that missing transcripts
// are an error.
func TestCleanErrorRates(t *testing.T) {
	ac, err := loadAudioCorpus(t.Context(), sharedFSDD(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.Load(asr.DSArch, filepath.Join(refdata.Root(), "configs", "models", "ds-fsdd.npz"))
	if err != nil {
		t.Fatal(err)
	}
	drawn, err := ac.utterances(asr.PoolClean, 12, asr.DSSamples, audioCondition{Name: "noisy", SNR: &[2]float64{0, 10}}, 1, true)
	if err != nil {
		t.Fatal(err)
	}
	want, err := asr.Evaluate(m, drawn, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want.WER == 0 {
		t.Fatal("no errors at 0-10 dB SNR: the test would not see transcripts mixed up")
	}
	d := &audioRowData{model: m, drawn: drawn, cleanDrawn: []int{7, 2, 9, 0}}
	for _, i := range d.cleanDrawn {
		d.clean = append(d.clean, drawn[i])
	}
	if d.hyps[0], err = asr.Decode(m, d.clean, 0, 0); err != nil {
		t.Fatal(err)
	}
	wer, cer, err := d.cleanErrorRates(2)
	if err != nil || wer != want.WER || cer != want.CER {
		t.Errorf("error rates %v, %v (%v); asr.Evaluate's %v, %v", wer, cer, err, want.WER, want.CER)
	}
	d.hyps[0] = d.hyps[0][:3]
	if _, _, err := d.cleanErrorRates(2); err == nil || !strings.Contains(err.Error(), "3 transcripts of the 4 clean utterances") {
		t.Errorf("missing transcripts: error %v", err)
	}
}
