package experiments

import (
	"context"
	"fmt"
	"slices"

	"subsetscan/nn/asr"
	"subsetscan/report"
)

// scans scans the clean and adversarial utterances individually in every
// scanned layer against the background (ScanIndividual: the flattened
// time × units outputs, over the whole padded input), with the row's tail
// and, for recurrent layers, the other tail too. The background's
// activations are computed once, kept in d.bgActs for the control's scans.
func (d *audioRowData) scans(ctx context.Context, cfg *Config, env Env) ([]report.AudioLayer, error) {
	r := d.r
	bg, err := asr.Assemble(d.model.Arch, d.bg)
	if err != nil {
		return nil, err
	}
	ev, err := asr.Assemble(d.model.Arch, append(d.clean[:len(d.clean):len(d.clean)], d.adv...))
	if err != nil {
		return nil, err
	}
	im := &Images{Background: bg.X, Eval: ev.X, Sets: []string{"adversarial"}, Timings: map[string]float64{},
		Samples: map[string]int{"background": len(d.bg), "clean": len(d.clean), "adversarial": len(d.adv)}}
	acts := &Activations{Layers: r.Layers}
	env.logf("row %s: activations of %d background and %d evaluation utterances, %d layers", r.Name, bg.X.Len(), ev.X.Len(), len(r.Layers))
	if d.bgActs == nil {
		if d.bgActs, err = d.model.Forward(bg.X, r.Layers, env.Workers); err != nil {
			return nil, err
		}
	}
	acts.Background = d.bgActs
	if acts.Eval, err = d.model.Forward(ev.X, r.Layers, env.Workers); err != nil {
		return nil, err
	}
	out := make([]report.AudioLayer, len(r.Layers))
	for k, tail := range []int{r.Tail, 3 - r.Tail} {
		a := *acts
		a.Layers = nil
		for _, l := range r.Layers {
			if k == 0 || recurrent(d.model.Arch, l) {
				a.Layers = append(a.Layers, l)
			}
		}
		if len(a.Layers) == 0 {
			continue
		}
		c := *cfg
		c.Scan.Tail, c.Published = tail, nil
		layers, err := ScanIndividual(ctx, &c, im, &a, env, nil)
		if err != nil {
			return nil, err
		}
		for _, l := range layers {
			i := slices.Index(r.Layers, l.Layer)
			shape, _ := d.model.OutputShape(l.Layer)
			out[i].Layer, out[i].Dims = l.Layer, shape
			out[i].Scans = append(out[i].Scans, report.SSTail{Tail: tail, AUC: l.AUC["adversarial"], CI: l.CI["adversarial"],
				Clean: l.Scores["clean"], Adversarial: l.Scores["adversarial"]})
		}
	}
	for _, l := range out {
		if len(l.Scans) == 0 {
			return nil, fmt.Errorf("layer %s was not scanned", l.Layer)
		}
	}
	return out, nil
}
