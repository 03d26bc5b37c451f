package attack_test

import (
	"flag"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"subsetscan/attack"
	"subsetscan/data/fsdd"
	"subsetscan/internal/cputime"
	"subsetscan/internal/refdata"
	"subsetscan/nn"
	"subsetscan/nn/asr"
)

var (
	measure  = flag.Int("audio.measure", 0, "TestAudioFigures: attack this many utterances of the attack pool (0: skip)")
	cwSteps  = flag.Int("audio.cw-steps", 0, "TestAudioFigures: CWAudio's steps (0: the default)")
	cwLR     = flag.Float64("audio.cw-lr", 0, "TestAudioFigures: CWAudio's learning rate ×32768 (0: the default)")
	iaSteps  = flag.Int("audio.ia-steps", -1, "TestAudioFigures: Imperceptible's stage-2 steps (-1: the default; 0: CW only)")
	iaLR     = flag.Float64("audio.ia-lr", 0, "TestAudioFigures: stage 2's learning rate ×32768 (0: the default)")
	iaAlpha  = flag.Float64("audio.ia-alpha", 0, "TestAudioFigures: stage 2's first α (0: the default)")
	chunkLen = flag.Int("audio.chunk", 0, "TestAudioFigures: utterances per chunk (0: the default)")
)

// dsSetup returns the committed ds-fsdd model and the first n strings of
// the attack pool drawn with seed 1 (those that fit), padded, with
// targets drawn with seed 2. It skips without the shared FSDD copy (and
// fails without it when CI=true).
func dsSetup(tb testing.TB, n int) (*nn.Model, *asr.Batch, [][]int, []int) {
	tb.Helper()
	dir := refdata.FSDD(tb)
	m, err := nn.Load(asr.DSArch, filepath.Join(refdata.Root(), "configs", "models", "ds-fsdd.npz"))
	if err != nil {
		tb.Fatal(err)
	}
	c, err := fsdd.Load(dir, 0)
	if err != nil {
		tb.Fatal(err)
	}
	pools, err := asr.Pools(c.Recordings)
	if err != nil {
		tb.Fatal(err)
	}
	us, err := c.Strings(pools[asr.PoolAttack], n, fsdd.DefaultStrings, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		tb.Fatal(err)
	}
	us, _ = asr.Fit(us, asr.DSSamples)
	b, err := asr.Assemble(asr.DSArch, us)
	if err != nil {
		tb.Fatal(err)
	}
	targets, err := asr.Targets(b.Labels, 2)
	if err != nil {
		tb.Fatal(err)
	}
	lengths := make([]int, len(us))
	for i, u := range us {
		lengths[i] = len(u.Samples)
	}
	return m, b, targets, lengths
}

// TestAudioFSDD attacks two strings of the attack pool on the committed
// model with a short schedule through AttackAudio: both CW examples must
// succeed as 16-bit audio below −10 dB_x, and stage 2 must keep them and
// not raise their masking loss.
func TestAudioFSDD(t *testing.T) {
	m, b, targets, lengths := dsSetup(t, 2)
	cw := attack.NewCWAudio(asr.Blank)
	cw.Steps, cw.LR = 60, 40.0/32768
	ia := attack.NewImperceptible(asr.Blank, 8000)
	ia.Stage1, ia.Steps = cw, 40
	for _, a := range []attack.AudioAttack{cw, ia} {
		es, err := attack.AttackAudio(t.Context(), a, m, b.X, lengths, b.Frames, targets, attack.AudioBatch{})
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range es {
			t.Logf("%T utterance %d (%v → %v): success %v, %.1f dB_x, masking loss %.3g → %.3g, step %d",
				a, i, b.Labels[i], targets[i], e.Success, e.DBx, e.Loss0, e.Loss, e.Step)
			if !e.Success || !(e.DBx <= -10) || e.Loss > e.Loss0 {
				t.Errorf("%T utterance %d: success %v, %.1f dB_x, masking loss %.3g → %.3g", a, i, e.Success, e.DBx, e.Loss0, e.Loss)
			}
		}
	}
}

// TestAudioFigures measures the default schedules on -audio.measure
// strings of the attack pool (go test ./attack -run AudioFigures -v
// -audio.measure 20): CW's success rate before and after quantisation,
// its median dB_x and CPU seconds per utterance; then Imperceptible's
// stage 2 (its CPU time less CW's) on CW's successes: those kept, and the
// masking loss before and after.
func TestAudioFigures(t *testing.T) {
	if *measure == 0 {
		t.Skip("set -audio.measure to attack that many utterances")
	}
	m, b, targets, lengths := dsSetup(t, *measure)
	cw := attack.NewCWAudio(asr.Blank)
	if *cwSteps > 0 {
		cw.Steps = *cwSteps
	}
	if *cwLR > 0 {
		cw.LR = float32(*cwLR / 32768)
	}
	t.Logf("%d utterances; CW %+v", len(lengths), cw)
	cwCPU, cwEs := runFigure(t, cw, m, b, lengths, targets)
	if *iaSteps == 0 {
		return
	}
	ia := attack.NewImperceptible(asr.Blank, 8000)
	ia.Stage1 = cw
	if *iaSteps >= 0 {
		ia.Steps = *iaSteps
	}
	if *iaLR > 0 {
		ia.LR = float32(*iaLR / 32768)
	}
	if *iaAlpha > 0 {
		ia.Alpha = *iaAlpha
	}
	t.Logf("IA stage 2: steps %d, lr %v×/32768, α %v", ia.Steps, ia.LR*32768, ia.Alpha)
	iaCPU, iaEs := runFigure(t, ia, m, b, lengths, targets)
	var kept, found int
	var ratios []float64
	for i, e := range iaEs {
		if cwEs[i].Found {
			found++
		}
		if e.Success {
			kept++
			ratios = append(ratios, e.Loss/e.Loss0)
		}
	}
	lo, hi := math.NaN(), math.NaN()
	if len(ratios) > 0 {
		lo, hi = slices.Min(ratios), slices.Max(ratios)
	}
	t.Logf("IA stage 2: %d of %d stage-1 examples kept as 16-bit successes; masking loss ratio kept/stage 1: median %.3g, range %.3g to %.3g; %.2f CPU-s per utterance (stage 2 alone)",
		kept, found, median(ratios), lo, hi, (iaCPU-cwCPU)/float64(len(lengths)))
}

// runFigure runs a on the utterances, logs its figures and returns its
// CPU seconds and examples.
func runFigure(t *testing.T, a attack.AudioAttack, m *nn.Model, b *asr.Batch, lengths []int, targets [][]int) (float64, []attack.AudioExample) {
	cpu0 := cputime.Used()
	es, err := attack.AttackAudio(t.Context(), a, m, b.X, lengths, b.Frames, targets, attack.AudioBatch{Chunk: *chunkLen})
	if err != nil {
		t.Fatal(err)
	}
	cpu := (cputime.Used() - cpu0).Seconds()
	var found, ok int
	var dbs, steps []float64
	for _, e := range es {
		if e.Found {
			found++
			steps = append(steps, float64(e.Step))
		}
		if e.Success {
			ok++
			dbs = append(dbs, e.DBx)
		}
	}
	n := len(es)
	t.Logf("%T: %d of %d found (%.0f %%), %d of %d as 16-bit audio (%.0f %%); median dB_x %.1f; median step of the kept example %.0f; %.2f CPU-s per utterance",
		a, found, n, 100*float64(found)/float64(n), ok, n, 100*float64(ok)/float64(n), median(dbs), median(steps), cpu/float64(n))
	return cpu, es
}

// median returns the median of v, NaN for none.
func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
