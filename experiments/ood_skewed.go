package experiments

import (
	"context"
	"fmt"

	"subsetscan/nn"
	"subsetscan/report"
)

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
