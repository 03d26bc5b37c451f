package experiments

import (
	"context"
	"fmt"
	"math"
	"slices"

	"subsetscan/data"
	"subsetscan/data/fsdd"
	"subsetscan/internal/par"
	"subsetscan/nn"
	"subsetscan/nn/asr"
	"subsetscan/report"
)

// Why two node designs. The paper scans each layer's output flattened,
// time steps × units (nodesFlat). Here the utterances are padded with
// silence to the model's input, so node (t, u) compares an utterance's
// frame t with whatever the background has at t: speech, a pause or
// padding. Longer utterances then hold more nodes unlike most of the
// background's, and the flat scores follow length (Spearman 0.6–0.9)
// rather than content; worse, the control, the clean utterances with
// white noise at 0 dB SNR, is not told from them (AUC 0.26–0.65): noise
// does not make frame t extreme among a mixture of speech, pauses and
// silence. Summarising each unit over the utterance's own frames
// (nodesSummary: mean, maximum, minimum and standard deviation) compares
// like with like whatever the alignment, and two-tailed it tells that
// control at AUC 0.87–1 (results/audio-fsdd at bcbb423). It is not free
// of length (Spearman −0.5 to 0 there, strongest after the bidirectional
// LSTM), which the length-matched comparison keeps out of the AUCs. The
// table prints both.

// scans scans the clean and adversarial utterances and the row's controls
// (controlSet, one per control SNR) individually in every scanned
// layer against the background, in one pass: the background's p-values
// serve all three. It scans each of the row's columns (node design and
// tail) and each design with its other tail too (flat: in the recurrent
// layers, whose outputs are signed; summary: in every layer); the controls
// get the columns' scans, without scores. The background's activations
// are computed once (background).
func (d *audioRowData) scans(ctx context.Context, cfg *Config, env Env) (main []report.AudioLayer, controls []report.AudioControl, err error) {
	r := d.r
	im, ev, err := d.evaluationSet(cfg.Seed)
	if err != nil {
		return nil, nil, err
	}
	if err := d.background(env); err != nil {
		return nil, nil, err
	}
	env.logf("row %s: activations of %d evaluation utterances (clean, adversarial, control), %d layers", r.Name, ev.X.Len(), len(r.Layers))
	logits := d.model.Arch.Layers[len(d.model.Arch.Layers)-1].Name // the CTC logits (audioModel.check)
	want := r.Layers
	if !slices.Contains(want, logits) {
		want = append(slices.Clip(want), logits)
	}
	evActs, err := d.model.Forward(ev.X, want, env.Workers)
	if err != nil {
		return nil, nil, err
	}
	// The same pass gives the transcripts TD and DU compare with.
	hyps := asr.DecodeLogits(evActs[logits], ev.Frames, 0)
	d.hyps = [2][]string{hyps[:len(d.clean)], hyps[len(d.clean) : len(d.clean)+len(d.adv)]}
	main = make([]report.AudioLayer, len(r.Layers))
	for i, l := range r.Layers {
		main[i].Layer = l
		main[i].Dims, _ = d.model.OutputShape(l)
	}
	controls = make([]report.AudioControl, len(r.ControlSNR))
	for k, snr := range r.ControlSNR {
		controls[k] = report.AudioControl{SNR: snr, Layers: make([]report.AudioLayer, len(r.Layers))}
		for i := range main {
			controls[k].Layers[i].Layer, controls[k].Layers[i].Dims = main[i].Layer, main[i].Dims
		}
	}
	for _, col := range r.columns() {
		acts := &Activations{Background: d.bgActs, Eval: evActs}
		if col.Nodes == nodesSummary {
			if acts, err = d.summaries(evActs, ev.Frames, env.Workers); err != nil {
				return nil, nil, err
			}
		}
		if err := d.scanColumn(ctx, cfg, env, im, acts, col, main, controls); err != nil {
			return nil, nil, fmt.Errorf("%s nodes: %w", col.Nodes, err)
		}
	}
	return main, controls, nil
}

// evaluationSet returns the scans' sets, clean, adversarial and a control
// per control SNR (controlSet), and their utterances, in that order,
// padded into the model's input.
func (d *audioRowData) evaluationSet(seed uint64) (*Images, *asr.Batch, error) {
	eval := append(d.clean[:len(d.clean):len(d.clean)], d.adv...)
	im := &Images{Sets: []string{"adversarial"}, Timings: map[string]float64{},
		Samples: map[string]int{"background": len(d.bg), "clean": len(d.clean), "adversarial": len(d.adv)}}
	for _, snr := range d.r.ControlSNR {
		noisy, err := d.controlSet(seed, snr)
		if err != nil {
			return nil, nil, fmt.Errorf("control at %g dB: %w", snr, err)
		}
		eval = append(eval, noisy...)
		name := controlName(snr)
		im.Sets, im.Samples[name] = append(im.Sets, name), len(noisy)
	}
	ev, err := asr.Assemble(d.model.Arch, eval)
	if err != nil {
		return nil, nil, err
	}
	im.Eval = ev.X
	return im, ev, nil
}

// scanColumn scans acts (the nodes of column col) with col's tail and then
// with the other, in the layers that have it (flat: the recurrent ones;
// summary: all), adding each scan to its layer of main and, for col's
// tail, the controls' AUCs to their layers of controls.
func (d *audioRowData) scanColumn(ctx context.Context, cfg *Config, env Env, im *Images, acts *Activations, col report.SSColumn,
	main []report.AudioLayer, controls []report.AudioControl) error {
	r := d.r
	for k, tail := range []int{col.Tail, 3 - col.Tail} {
		acts.Layers = nil
		for _, l := range r.Layers {
			if k == 0 || col.Nodes == nodesSummary || recurrent(d.model.Arch, l) {
				acts.Layers = append(acts.Layers, l)
			}
		}
		if len(acts.Layers) == 0 {
			continue
		}
		c := *cfg
		c.Scan.Tail, c.Published = tail, nil
		layers, err := ScanIndividual(ctx, &c, im, acts, env, nil)
		if err != nil {
			return err
		}
		for _, l := range layers {
			i := slices.Index(r.Layers, l.Layer)
			main[i].Scans = append(main[i].Scans, report.SSTail{Nodes: col.Nodes, Tail: tail, AUC: l.AUC["adversarial"], CI: l.CI["adversarial"],
				Clean: l.Scores["clean"], Adversarial: l.Scores["adversarial"]})
			for c := range controls {
				if k == 0 {
					name := controlName(controls[c].SNR)
					controls[c].Layers[i].Scans = append(controls[c].Layers[i].Scans, report.SSTail{Nodes: col.Nodes, Tail: tail, AUC: l.AUC[name], CI: l.CI[name]})
				}
			}
		}
	}
	return nil
}

// controlName names the control set at snr dB among the scans' sets.
func controlName(snr float64) string { return fmt.Sprintf("control %g dB", snr) }

// controlSet returns a control of the scans: the clean utterances with
// white noise at snr dB (from a stream of the seed named "audio control",
// the same noise at every SNR but for its level), quantised to 16 bits.
func (d *audioRowData) controlSet(seed uint64, snr float64) ([]fsdd.Utterance, error) {
	noisy, err := fsdd.AddNoise(d.clean, snr, snr, stream(seed, "audio control"))
	if err != nil {
		return nil, err
	}
	for i := range noisy {
		quantise(noisy[i].Samples)
	}
	return noisy, nil
}

// background computes the background's activations in the scanned layers
// and its utterances' frames, once.
func (d *audioRowData) background(env Env) error {
	if d.bgActs != nil {
		return nil
	}
	bg, err := asr.Assemble(d.model.Arch, d.bg)
	if err != nil {
		return err
	}
	env.logf("row %s: activations of %d background utterances, %d layers", d.r.Name, bg.X.Len(), len(d.r.Layers))
	d.bgFrames = bg.Frames
	d.bgActs, err = d.model.Forward(bg.X, d.r.Layers, env.Workers)
	return err
}

// checkSummaryLayers checks, when the row scans summary nodes, that each
// of its scanned layers of m has the model's mel frames as its first axis:
// summaryStats keeps an utterance's first Frames steps, which are its own
// frames only on that axis (a layer strided in time, or without time,
// would have them summarised wrongly or refused halfway through a run).
func checkSummaryLayers(m *nn.Model, r *audioRow) error {
	if !slices.Contains(r.Nodes, nodesSummary) {
		return nil
	}
	mel, err := asr.MelOf(m.Arch)
	if err != nil {
		return err
	}
	samples := m.Arch.Input[0]
	frames := asr.Frames(mel, samples, samples)
	for _, l := range r.Layers {
		if shape, _ := m.OutputShape(l); len(shape) < 2 || shape[0] != frames {
			return fmt.Errorf("layer %s: summary nodes need a layer whose first axis is the model's %d mel frames, its output is %v; scan it with nodes [%s]",
				l, frames, shape, nodesFlat)
		}
	}
	return nil
}

// summaries returns the summary nodes (summaryStats) of the background
// and of the evaluation activations evActs, whose utterances have frames
// frames each, in every scanned layer.
func (d *audioRowData) summaries(evActs map[string]*data.Array, frames []int, workers int) (*Activations, error) {
	acts := &Activations{Background: map[string]*data.Array{}, Eval: map[string]*data.Array{}}
	for _, l := range d.r.Layers {
		shape, _ := d.model.OutputShape(l)
		var err error
		if acts.Background[l], err = summaryStats(d.bgActs[l], d.bgFrames, shape[0], workers); err != nil {
			return nil, fmt.Errorf("layer %s, background: %w", l, err)
		}
		if acts.Eval[l], err = summaryStats(evActs[l], frames, shape[0], workers); err != nil {
			return nil, fmt.Errorf("layer %s: %w", l, err)
		}
	}
	return acts, nil
}

// summaryStats returns, for each row of a (an utterance's layer output,
// steps time steps of u values each, row-major), the mean, maximum,
// minimum and standard deviation of each of its u values over its first
// frames[i] time steps (its own frames, the padding left out), as a row of
// 4u: the u means, then the maxima, the minima and the deviations
// (population ones, over the frames[i] values; exactly 0 for a unit
// constant over them). A NaN value makes its unit's nodes NaN, which the
// scans reject naming the node. It is an error when a row is not steps
// time steps, or an utterance has no frame or more than steps.
func summaryStats(a *data.Array, frames []int, steps, workers int) (*data.Array, error) {
	n, size := a.Len(), a.RowSize()
	if steps < 1 || size%steps != 0 {
		return nil, fmt.Errorf("summary nodes: rows of %d values are not %d time steps", size, steps)
	}
	if len(frames) != n {
		return nil, fmt.Errorf("summary nodes: %d frame counts for %d utterances", len(frames), n)
	}
	for i, f := range frames {
		if f < 1 || f > steps {
			return nil, fmt.Errorf("summary nodes: utterance %d has %d frames, want 1 to %d", i, f, steps)
		}
	}
	u := size / steps
	out := data.NewArray(n, 4*u)
	par.For(n, workers, func() []float64 { return make([]float64, 2*u) }, func(sum []float64, i int) {
		row, dst := a.Row(i), out.Row(i)
		s, s2 := sum[:u], sum[u:]
		clear(sum)
		copy(dst[u:2*u], row[:u])
		copy(dst[2*u:3*u], row[:u])
		// The sums are of the differences from the first frame's value:
		// a unit constant over the frames has a deviation of exactly 0,
		// not the rounding left by Σx²/n − mean², and less is cancelled.
		for t := range frames[i] {
			for k, v := range row[t*u : (t+1)*u] {
				x := float64(v) - float64(row[k])
				s[k] += x
				s2[k] += x * x
				dst[u+k] = max(dst[u+k], v)
				dst[2*u+k] = min(dst[2*u+k], v)
			}
		}
		m := 1 / float64(frames[i])
		for k := range u {
			shift := s[k] * m
			dst[k] = float32(float64(row[k]) + shift)
			dst[3*u+k] = float32(math.Sqrt(max(0, s2[k]*m-shift*shift)))
		}
	})
	return out, nil
}
