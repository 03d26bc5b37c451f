package experiments

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"subsetscan/data"
	"subsetscan/data/mnistc"
	"subsetscan/nn"
	"subsetscan/report"
)

// oodTPR is the true-positive rate at which the TNR is reported.
const oodTPR = 0.95

func (k oodKind) Run(ctx context.Context, cfg *Config, env Env) (*report.Results, error) {
	t0 := time.Now()
	s := cfg.Settings.(*oodSettings)
	model, arch, err := loadModel(cfg)
	if err != nil {
		return nil, err
	}
	raw, cleanLabels, err := s.images(cfg, env)
	if err != nil {
		return nil, err
	}
	tilde, err := s.perturbed(model, raw, env)
	if err != nil {
		return nil, err
	}
	res := NewResults(cfg, tilde)
	layersTilde, acts, err := scanModel(ctx, cfg, tilde, model, env)
	if err != nil {
		return nil, err
	}
	env.logf("scans of the unperturbed images")
	layersRaw, _, err := scanModel(ctx, cfg, raw, model, env)
	if err != nil {
		return nil, err
	}
	tilde.Timings["scans (x)"] = raw.Timings["scans"]
	res.Layers = layersTilde
	o := &report.OOD{Known: s.known(), Unknown: slices.Sorted(slices.Values(s.HeldOut)), UnknownSets: []string{unknownSet},
		ShiftSets: s.Corruptions, Temperature: s.Temperature, Epsilon: s.Epsilon}
	for _, l := range layersRaw {
		o.Raw = append(o.Raw, report.LayerAUC{Layer: l.Layer, AUC: l.AUC, CI: l.CI})
	}
	methods, scores, correct, err := s.methods(cfg, model, arch, raw, tilde, cleanLabels, env)
	if err != nil {
		return nil, err
	}
	o.Accuracy = share(correct, nil)
	scanT := bestLayerMethod("scan x̃ (best layer)", layersTilde, raw.Sets)
	o.Methods = append(methods, scanT, bestLayerMethod("scan x (best layer)", layersRaw, raw.Sets))
	if s.Fairness != nil {
		best := slices.IndexFunc(layersTilde, func(l report.Layer) bool { return l.Layer == scanT.Layer[unknownSet] })
		scores = append(scores, layerScores(layersTilde[best], raw))
		if err := s.fairness(ctx, cfg, o, scores, correct, raw, tilde, cleanLabels, env); err != nil {
			return nil, err
		}
	}
	if s.Group != nil {
		individual := tilde.Timings["scans"]
		if res.Group, err = ScanGroups(ctx, cfg, tilde, acts, *s.Group, env); err != nil {
			return nil, err
		}
		tilde.Timings["group scans"], tilde.Timings["scans"] = tilde.Timings["scans"], individual
	}
	if env.Dir != "" && len(s.Corruptions) > 0 {
		o.Grid = "corruptions.png"
		if err := mnistc.WriteGrid(filepath.Join(env.Dir, o.Grid), raw.Eval.Row(0), 3, cfg.Seed); err != nil {
			return nil, err
		}
	}
	res.OOD = o
	return res, FinishResults(res, cfg, t0)
}

// images selects and makes the unperturbed images (see oodSamples) and
// returns them with the classes (0…k−1) of the clean images.
func (s *oodSettings) images(cfg *Config, env Env) (*Images, []int, error) {
	split, labels, err := loadSplit(cfg, cfg.Dataset.Split)
	if err != nil {
		return nil, nil, err
	}
	known := s.known()
	pick := func(key string, r [2]int, wantKnown bool, skip, n int) (*data.Array, []int, error) {
		if r[1] > split.Len() {
			return nil, nil, keyErr(key, "range %v exceeds the %d images of the %s split", r, split.Len(), cfg.Dataset.Split)
		}
		var idx, cls []int
		for i := r[0]; i < r[1] && len(idx) < skip+n; i++ {
			if c := slices.Index(known, labels[i]); (c >= 0) == wantKnown {
				idx, cls = append(idx, i), append(cls, c)
			}
		}
		if len(idx) < skip+n {
			return nil, nil, keyErr(key, "range %v holds %d of the %d images needed (ood.samples)", r, len(idx), skip+n)
		}
		return split.Gather(idx[skip:]), cls[skip:], nil
	}
	ds, n := cfg.Dataset, s.Samples
	bg, _, err := pick("dataset.background", ds.Background, true, 0, n.Background)
	if err != nil {
		return nil, nil, err
	}
	clean, cleanLabels, err := pick("dataset.clean", ds.Clean, true, 0, n.Clean)
	if err != nil {
		return nil, nil, err
	}
	im := &Images{Background: bg, Eval: clean, Timings: map[string]float64{},
		Samples: map[string]int{"background": bg.Len(), "clean": clean.Len()}}
	unknown, _, err := pick("dataset.clean", ds.Clean, false, 0, n.Sets)
	if err != nil {
		return nil, nil, err
	}
	if err := im.appendSet(unknownSet, unknown); err != nil {
		return nil, nil, err
	}
	src, _, err := pick("dataset.clean", ds.Clean, true, n.Clean, n.Sets)
	if err != nil {
		return nil, nil, err
	}
	for _, c := range s.Corruptions {
		x, err := mnistc.Apply(c, src, cfg.Seed, env.Workers)
		if err != nil {
			return nil, nil, fmt.Errorf("corruption %s: %w", c, err)
		}
		if err := im.appendSet(c, x); err != nil {
			return nil, nil, err
		}
	}
	return im, cleanLabels, nil
}

// appendSet appends set name's images to Eval, without AddSet's warning
// about pixels outside [0, 1] (ODIN's perturbation leaves that range).
func (im *Images) appendSet(name string, a *data.Array) error {
	eval, err := data.Concat(im.Eval, a)
	if err != nil {
		return fmt.Errorf("set %s: %w", name, err)
	}
	im.Eval, im.Sets, im.Samples[name] = eval, append(im.Sets, name), a.Len()
	return nil
}

// perturbed returns a copy of im whose images are perturbed as ODIN does.
func (s *oodSettings) perturbed(model *nn.Model, im *Images, env Env) (*Images, error) {
	t0 := time.Now()
	env.logf("perturbing %d images (T %g, ε %g)", im.Background.Len()+im.Eval.Len(), s.Temperature, s.Epsilon)
	bg, err := odinPerturb(model, im.Background, s.Temperature, s.Epsilon, env.Workers)
	if err != nil {
		return nil, err
	}
	eval, err := odinPerturb(model, im.Eval, s.Temperature, s.Epsilon, env.Workers)
	if err != nil {
		return nil, err
	}
	return &Images{Background: bg, Eval: eval, Sets: im.Sets, Samples: im.Samples,
		Timings: map[string]float64{"perturbation": time.Since(t0).Seconds()}}, nil
}

// scanModel computes the activations of every layer of model (or the
// config's layers) and scans them individually.
func scanModel(ctx context.Context, cfg *Config, im *Images, model *nn.Model, env Env) ([]report.Layer, *Activations, error) {
	a := &Activations{Layers: slices.Clone([]string(cfg.Layers))}
	if a.Layers == nil {
		a.Layers = model.LayerNames()
	}
	var err error
	if a.Background, err = model.Forward(im.Background, a.Layers, env.Workers); err != nil {
		return nil, nil, err
	}
	if a.Eval, err = model.Forward(im.Eval, a.Layers, env.Workers); err != nil {
		return nil, nil, err
	}
	layers, err := ScanIndividual(ctx, cfg, im, a, env, nil)
	return layers, a, err
}
