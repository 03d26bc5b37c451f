package experiments

import (
	"context"
	"fmt"
	"time"

	"subsetscan/nn"
	"subsetscan/report"
)

// fairness sets o's breakdowns by subgroup: the classifier's (its
// detectors o.Methods, the first len(scores), with scores) and, with
// fairness.skewed, the skewed classifier's, scanned in the layer of o's
// best scan of x̃ for the unknown classes (the last of scores).
func (s *oodSettings) fairness(ctx context.Context, cfg *Config, o *report.OOD, scores [][]float64, correct []bool, raw, tilde *Images, cleanLabels []int, env Env) error {
	methods := o.Methods[:len(scores)]
	o.Fairness = s.Fairness.breakdown(raw, methods, scores, correct)
	if s.Fairness.Skewed == nil {
		return nil
	}
	t0 := time.Now()
	var err error
	if o.Skewed, err = s.skewedBreakdown(ctx, cfg, raw, cleanLabels, methods[len(methods)-1].Layer[unknownSet], env); err != nil {
		return err
	}
	o.Fairness.Classifier = "balanced"
	tilde.Timings["skewed classifier"] = time.Since(t0).Seconds()
	return nil
}

// skewedBreakdown returns the fairness breakdown of the skewed classifier
// (fairness.skewed) on the same unperturbed images raw: its own ODIN
// perturbation of them, its baselines, and its scan of x̃ in layer, the
// balanced classifier's best layer for the unknown classes (so that the
// two scans compare the same layer).
func (s *oodSettings) skewedBreakdown(ctx context.Context, cfg *Config, raw *Images, cleanLabels []int, layer string, env Env) (*report.Fairness, error) {
	sk := s.Fairness.Skewed
	env.logf("skewed classifier %s", sk.Weights)
	arch, err := nn.ArchByName(cfg.Model.Arch)
	if err != nil {
		return nil, err
	}
	model, err := nn.Load(arch, sk.Weights)
	if err != nil {
		return nil, fmt.Errorf("ood.fairness.skewed.weights: %w", err)
	}
	tilde, err := s.perturbed(model, raw, env)
	if err != nil {
		return nil, err
	}
	one := *cfg
	one.Layers = Layers{layer}
	layers, _, err := scanModel(ctx, &one, tilde, model, env)
	if err != nil {
		return nil, err
	}
	methods, scores, correct, err := s.methods(cfg, model, arch, raw, tilde, cleanLabels, env)
	if err != nil {
		return nil, err
	}
	methods = append(methods, bestLayerMethod("scan x̃ (best layer)", layers, raw.Sets))
	scores = append(scores, layerScores(layers[0], raw))
	f := s.Fairness.breakdown(raw, methods, scores, correct)
	f.Classifier = fmt.Sprintf("skewed (ink %d/%d kept at %g)", sk.Thinned, s.Fairness.Groups, sk.Keep)
	return f, nil
}
