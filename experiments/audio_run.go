package experiments

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"time"

	"subsetscan/attack"
	"subsetscan/data"
	"subsetscan/data/fsdd"
	"subsetscan/nn"
	"subsetscan/nn/asr"
	"subsetscan/report"
)

// audioRowData are a row's model and utterances.
type audioRowData struct {
	r                       *audioRow
	model                   *nn.Model
	bg, clean, sources, adv []fsdd.Utterance
	// drawn are the clean utterances drawn; clean is the subset matched to
	// the adversarial ones by digit count (matchClean), which the table's
	// comparisons use, cleanDrawn their indices in drawn; unmatched counts
	// the successes left without one.
	drawn      []fsdd.Utterance
	cleanDrawn []int
	unmatched  int
	targets    [][]int
	items      []attack.AudioExample
	advSource  []int       // the source of each adversarial utterance
	hyps       [2][]string // the clean and adversarial transcripts (transcripts)
	// bgActs are the background's activations in the scanned layers, kept
	// from the scans for the control's (the same background); nil after.
	bgActs map[string]*data.Array
	// bgFrames are the background utterances' own frames.
	bgFrames []int
}

// Run runs the audio study: first every row's attack set (generated or
// reused), then each row's scans and baselines.
func (audioKind) Run(ctx context.Context, cfg *Config, env Env) (*report.Results, error) {
	t0 := time.Now()
	s := cfg.Settings.(*audioSettings)
	ac, err := loadAudioCorpus(ctx, s.Data, env.Workers)
	if err != nil {
		return nil, err
	}
	timings := map[string]float64{"data": time.Since(t0).Seconds()}
	rows := make([]*audioRowData, len(s.Rows))
	t1 := time.Now()
	for i := range s.Rows {
		if rows[i], err = prepareAudioRow(ctx, cfg, &s.Rows[i], ac, env); err != nil {
			return nil, fmt.Errorf("row %s: %w", s.Rows[i].Name, err)
		}
	}
	timings["attacks"] = time.Since(t1).Seconds()
	res := &report.Results{Experiment: cfg.Name, Description: cfg.Description, Samples: map[string]int{},
		Timings: timings, CIMethod: CIMethod, Audio: &report.Audio{}}
	t2 := time.Now()
	for _, d := range rows {
		row, err := d.run(ctx, cfg, env)
		if err != nil {
			return nil, fmt.Errorf("row %s: %w", d.r.Name, err)
		}
		res.Audio.Rows = append(res.Audio.Rows, row)
		if res.Audio.Example == nil && len(d.adv) > 0 {
			res.Audio.Example = d.example()
		}
		for k, n := range map[string]int{"background": row.Background, "clean": row.Clean, "adversarial": row.Adversarial} {
			res.Samples[d.r.Name+" "+k] = n
		}
	}
	timings["scans and baselines"] = time.Since(t2).Seconds()
	return res, FinishResults(res, cfg, t0)
}

// prepareAudioRow loads the row's model, draws its utterances and gets
// its attack set.
func prepareAudioRow(ctx context.Context, cfg *Config, r *audioRow, ac *audioCorpus, env Env) (*audioRowData, error) {
	arch, _ := nn.ArchByName(r.Model.Arch)
	m, err := nn.Load(arch, r.Model.Weights)
	if err != nil {
		return nil, fmt.Errorf("%s.model: %w", r.Name, err)
	}
	if err := checkSummaryLayers(m, r); err != nil {
		return nil, err
	}
	d := &audioRowData{r: r, model: m}
	samples := arch.Input[0]
	for _, p := range []struct {
		pool string
		n    int
		dst  *[]fsdd.Utterance
	}{{asr.PoolBackground, r.Counts.Background, &d.bg}, {asr.PoolClean, r.Counts.Clean, &d.drawn}, {asr.PoolAttack, r.Counts.Attack, &d.sources}} {
		if *p.dst, err = ac.utterances(p.pool, p.n, samples, r.Condition, cfg.Seed, p.pool != asr.PoolBackground); err != nil {
			return nil, err
		}
	}
	env.logf("row %s: %d background, %d clean utterances and %d attack sources (%s)", r.Name, len(d.bg), len(d.drawn), len(d.sources), r.Condition.describe())
	if d.targets, d.items, err = audioAttackSet(ctx, r, m, d.sources, cfg.Seed, env); err != nil {
		return nil, err
	}
	if err := d.keepSuccesses(); err != nil {
		return nil, err
	}
	if len(d.adv) < 2 {
		return nil, fmt.Errorf("the attack succeeded on %d of the %d sources; the scans need at least 2", len(d.adv), len(d.sources))
	}
	return d, nil
}

// keepSuccesses sets d.adv to the successful adversarial utterances that
// have a clean utterance of as many digits (matchClean, the nearest in
// length), d.clean to those
// clean utterances, in the same order.
func (d *audioRowData) keepSuccesses() error {
	var adv []fsdd.Utterance
	var src, digits, samples []int
	for i, it := range d.items {
		if !it.Success {
			continue
		}
		u := d.sources[i]
		u.Samples, u.Digits, u.Transcript = attack.Dequantize16(it.Samples), d.targets[i], asr.Transcript(d.targets[i])
		if len(u.Samples) != len(d.sources[i].Samples) {
			return fmt.Errorf("attack set: source %d has %d adversarial samples, not its %d", i, len(u.Samples), len(d.sources[i].Samples))
		}
		adv, src, digits = append(adv, u), append(src, i), append(digits, len(d.sources[i].Digits))
		samples = append(samples, len(u.Samples))
	}
	matched, kept := matchClean(d.drawn, digits, samples)
	d.clean, d.cleanDrawn, d.unmatched = nil, matched, len(adv)-len(kept)
	for _, i := range matched {
		d.clean = append(d.clean, d.drawn[i])
	}
	d.adv, d.advSource = nil, nil
	for _, j := range kept {
		d.adv, d.advSource = append(d.adv, adv[j]), append(d.advSource, src[j])
	}
	return nil
}

// describe returns the condition as the report prints it.
func (c audioCondition) describe() string {
	if c.Name == "noisy" {
		return fmt.Sprintf("noisy, SNR %g–%g dB", c.SNR[0], c.SNR[1])
	}
	return c.Name
}

// run computes the row's scans and baselines.
func (d *audioRowData) run(ctx context.Context, cfg *Config, env Env) (report.AudioRow, error) {
	r := d.r
	wsum, err := fileSHA256(r.Model.Weights)
	if err != nil {
		return report.AudioRow{}, err
	}
	row := report.AudioRow{Name: r.Name, Model: r.Model.Arch, Weights: wsum, Condition: r.Condition.describe(),
		Attack:     r.Attack.describe(),
		Background: len(d.bg), Clean: len(d.clean), Sources: len(d.sources), Adversarial: len(d.adv), Columns: r.columns(),
		Drawn: len(d.drawn), Unmatched: d.unmatched}
	for k, i := range d.advSource {
		snr, err := fsdd.SNR(d.sources[i].Samples, d.adv[k].Samples)
		if err != nil {
			return row, fmt.Errorf("attack set: the success on source %d: %w", i, err)
		}
		row.DBx, row.SNR = append(row.DBx, d.items[i].DBx), append(row.SNR, snr)
	}
	if row.Layers, row.Controls, err = d.scans(ctx, cfg, env); err != nil {
		return row, err
	}
	if row.WER, row.CER, err = d.cleanErrorRates(env.Workers); err != nil {
		return row, err
	}
	row.Length = d.lengths(row.Columns, row.Layers)
	d.bgActs, d.bgFrames = nil, nil
	if row.TD, err = d.temporalDependency(env.Workers); err != nil {
		return row, fmt.Errorf("TD: %w", err)
	}
	if row.DU, err = d.downUp(env.Workers); err != nil {
		return row, fmt.Errorf("DU: %w", err)
	}
	if p := r.Published; p != nil {
		row.Published = &report.AudioPublished{Row: p.Row, Counts: p.Counts, Dims: p.Dims, TD: p.TD, DU: p.DU, SS: p.SS}
	}
	env.logf("row %s: TD AUC %.3f (%s), DU accuracy %.1f %%", r.Name, row.TD.AUC[row.TD.Used], row.TD.Used, row.DU.Accuracy)
	return row, nil
}

// cleanErrorRates returns the model's error rates (greedy decoding) on
// all the clean utterances drawn, as asr.Evaluate would: the matched ones'
// transcripts come from the scans' pass (d.hyps), only the others are
// transcribed here.
func (d *audioRowData) cleanErrorRates(workers int) (wer, cer float64, err error) {
	if len(d.hyps[0]) != len(d.cleanDrawn) {
		return 0, 0, fmt.Errorf("error rates: %d transcripts of the %d clean utterances compared (the scans give them)", len(d.hyps[0]), len(d.cleanDrawn))
	}
	hyps, refs := make([]string, len(d.drawn)), make([]string, len(d.drawn))
	done := make([]bool, len(d.drawn))
	for k, i := range d.cleanDrawn {
		hyps[i], done[i] = d.hyps[0][k], true
	}
	var rest []fsdd.Utterance
	var restIdx []int
	for i, u := range d.drawn {
		refs[i] = u.Transcript
		if !done[i] {
			rest, restIdx = append(rest, u), append(restIdx, i)
		}
	}
	if len(rest) > 0 {
		got, err := asr.Decode(d.model, rest, 0, workers)
		if err != nil {
			return 0, 0, err
		}
		for k, i := range restIdx {
			hyps[i] = got[k]
		}
	}
	wer, cer = asr.ErrorRates(refs, hyps)
	return wer, cer, nil
}

// fileSHA256 returns the hex SHA-256 of a file's bytes.
func fileSHA256(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:]), nil
}

// example returns the first adversarial utterance and its source.
func (d *audioRowData) example() *report.AudioExample {
	src := d.sources[d.advSource[0]]
	it := d.items[d.advSource[0]]
	mel, _ := asr.MelOf(d.model.Arch)
	return &report.AudioExample{Row: d.r.Name, Rate: mel.Rate, Transcript: src.Transcript, Target: asr.Transcript(d.targets[d.advSource[0]]),
		DBx: it.DBx, Clean: src.Samples, Adversarial: d.adv[0].Samples}
}

// describe returns the attack as the report prints it.
func (a audioAttack) describe() string {
	s := fmt.Sprintf("CW, %d steps from %g dB_x", a.Steps, a.StartDB)
	if a.Method == "ia" {
		s = fmt.Sprintf("IA, stage 1 %d steps from %g dB_x, stage 2 %d steps", a.Steps, a.StartDB, a.Stage2Steps)
	}
	return s
}
