package experiments

import (
	"fmt"
	"slices"
	"time"

	"subsetscan/nn"
	"subsetscan/report"
)

// methods returns the baselines' performance on the sets of raw (MSP on
// x, ODIN on tilde, Mahalanobis with its own perturbation) and the
// classifier's accuracy on the clean images.
// It also returns each baseline's scores, one per row of raw.Eval, and
// whether the classifier is right on each clean image.
func (s *oodSettings) methods(cfg *Config, model *nn.Model, arch nn.Arch, raw, tilde *Images, cleanLabels []int, env Env) ([]report.Method, [][]float64, []bool, error) {
	t0 := time.Now()
	lr, err := model.Logits(raw.Eval, env.Workers)
	if err != nil {
		return nil, nil, nil, err
	}
	lt, err := model.Logits(tilde.Eval, env.Workers)
	if err != nil {
		return nil, nil, nil, err
	}
	maha, err := s.mahalanobis(cfg, model, arch, raw, env)
	if err != nil {
		return nil, nil, nil, err
	}
	var ms []report.Method
	var scores [][]float64
	for _, m := range []struct {
		name   string
		scores []float64
	}{
		{"MSP", negMaxSoftmax(lr, 1)},
		{fmt.Sprintf("ODIN (T %g, ε %g)", s.Temperature, s.Epsilon), negMaxSoftmax(lt, s.Temperature)},
		{fmt.Sprintf("Mahalanobis (%s, ε %g)", s.Mahalanobis.Layer, s.Mahalanobis.Epsilon), maha},
	} {
		rm, err := scoreMethod(m.name, m.scores, raw)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", m.name, err)
		}
		ms, scores = append(ms, rm), append(scores, m.scores)
	}
	correct := make([]bool, raw.Clean())
	for i, c := range nn.Argmax(lr.Slice(0, raw.Clean())) {
		correct[i] = c == cleanLabels[i]
	}
	tilde.Timings["baselines"] = time.Since(t0).Seconds()
	return ms, scores, correct, nil
}

// mahalanobis fits the tied Gaussians on the known-class images of
// mahalanobis.train in the training split and returns the scores of
// raw's evaluation images.
func (s *oodSettings) mahalanobis(cfg *Config, model *nn.Model, arch nn.Arch, raw *Images, env Env) ([]float64, error) {
	key := "ood.mahalanobis.train"
	x, labels, err := loadSplit(cfg, "train")
	if err != nil {
		return nil, err
	}
	r := s.Mahalanobis.Train
	if r[1] > x.Len() {
		return nil, keyErr(key, "range %v exceeds the %d images of the training split", r, x.Len())
	}
	known := s.known()
	var idx, cls []int
	for i := r[0]; i < r[1]; i++ {
		if c := slices.Index(known, labels[i]); c >= 0 {
			idx, cls = append(idx, i), append(cls, c)
		}
	}
	feat, err := featureModel(model, arch, s.Mahalanobis.Layer)
	if err != nil {
		return nil, err
	}
	f, err := feat.Predict(x.Gather(idx), env.Workers)
	if err != nil {
		return nil, err
	}
	g, err := fitTiedGaussians(f, cls, len(known))
	if err != nil {
		return nil, keyErr(key, "%v", err)
	}
	return mahalanobisScores(feat, g, raw.Eval, s.Mahalanobis.Epsilon, env.Workers)
}

// scoreMethod returns the AUROC (with its interval) and the TNR at 95 %
// TPR of OOD scores, one per row of im.Eval, for each set.
func scoreMethod(name string, scores []float64, im *Images) (report.Method, error) {
	m := report.Method{Name: name, AUC: map[string]float64{}, CI: map[string][2]float64{}, TNR: map[string]float64{}}
	clean := scores[:im.Clean()]
	for _, s := range im.Sets {
		first, end := im.rows(s)
		auc, ci, err := aucCI(clean, scores[first:end])
		if err != nil {
			return m, fmt.Errorf("set %s: %w", s, err)
		}
		m.AUC[s], m.CI[s], m.TNR[s] = auc, ci, tnrAtTPR(clean, scores[first:end], oodTPR)
	}
	return m, nil
}

// bestLayerMethod returns the scans' performance on each set in the layer
// of highest AUC for that set (the first on ties).
func bestLayerMethod(name string, layers []report.Layer, sets []string) report.Method {
	m := report.Method{Name: name, AUC: map[string]float64{}, CI: map[string][2]float64{}, TNR: map[string]float64{},
		Layer: map[string]string{}}
	for _, s := range sets {
		best := 0
		for i, l := range layers {
			if l.AUC[s] > layers[best].AUC[s] {
				best = i
			}
		}
		l := layers[best]
		m.AUC[s], m.CI[s], m.Layer[s] = l.AUC[s], l.CI[s], l.Layer
		m.TNR[s] = tnrAtTPR(l.Scores["clean"], l.Scores[s], oodTPR)
	}
	return m
}
