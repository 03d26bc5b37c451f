package experiments

import (
	"context"
	"fmt"
	"time"

	"subsetscan/report"
	"subsetscan/scan"
)

func init() { Register(adversarial{}) }

// adversarial is the kind autoencoder-adversarial: it scans every chosen
// layer of an autoencoder: the activations of clean and anomalous images
// are compared with those of a clean background, each image gets an
// individual-scan score, and the AUC of clean vs each set measures the
// layer's detection power (Cintas et al. 2020). With space
// reconstruction_error the one "layer" is the per-pixel reconstruction
// error, and the results also hold the baseline AUC of the mean error and
// the pixel maps.
type adversarial struct{}

// adversarialSettings are the section of kind autoencoder-adversarial.
type adversarialSettings struct {
	autoencoderSettings `yaml:",inline"`
	// Conditional computes conditional p-values: one background per class
	// label, each image compared with the background images of its class.
	// The class of a data-set image is its true label; that of an
	// attacked image is the true label of the image it was made from.
	// Sets read from files carry no labels and are rejected.
	Conditional bool `yaml:"conditional" json:"conditional,omitempty"`
}

func (adversarial) Name() string { return "autoencoder-adversarial" }

// Decode decodes and checks the section: individual scans of the sets.
func (adversarial) Decode(cfg *Config, sec *Section) (Settings, error) {
	return decodeChecked[adversarialSettings](cfg, sec, "individual")
}

// check checks the settings, whose key is key.
func (s *adversarialSettings) check(cfg *Config, key string) error {
	return s.autoencoderSettings.check(cfg, key, s.Conditional)
}

func (k adversarial) Run(ctx context.Context, cfg *Config, env Env) (*report.Results, error) {
	t0 := time.Now()
	s := cfg.Settings.(*adversarialSettings)
	im, acts, err := s.prepare(ctx, cfg, k.Name(), s.Conditional, env)
	if err != nil {
		return nil, err
	}
	res := NewResults(cfg, im)
	var extra func(*report.Layer, []scan.Result) error
	if s.recon() {
		res.Baseline = "mean per-pixel reconstruction error (binary cross-entropy)"
		extra = reconExtra(res, im, acts, env)
	}
	if res.Layers, err = ScanIndividual(ctx, cfg, im, acts, env, extra); err != nil {
		return nil, err
	}
	if s.Conditional {
		res.Notes = append(res.Notes, conditionalNote)
	}
	return res, FinishResults(res, cfg, t0)
}

// reconExtra returns what ScanIndividual adds to the reconstruction-error
// layer: the baseline AUC of each image's mean error, with its confidence
// interval, and the pixel maps.
func reconExtra(res *report.Results, im *Images, acts *Activations, env Env) func(*report.Layer, []scan.Result) error {
	return func(l *report.Layer, results []scan.Result) error {
		means := rowMeans(acts.Eval[l.Layer])
		l.Baseline, l.BaselineCI = map[string]float64{}, map[string][2]float64{}
		for _, s := range im.Sets {
			first, end := im.rows(s)
			auc, ci, err := aucCI(means[:im.Clean()], means[first:end])
			if err != nil {
				return fmt.Errorf("set %s, baseline: %w", s, err)
			}
			l.Baseline[s], l.BaselineCI[s] = auc, ci
		}
		env.logf("layer %s: baseline AUC %s", l.Layer, formatAUC(l.Baseline, im.Sets))
		nodes := make([][]int, len(results))
		alphas := make([]float64, len(results))
		for i, r := range results {
			nodes[i], alphas[i] = r.Nodes, r.Alpha
		}
		groups := append([]string{"clean"}, im.Sets...)
		sizes := make([]int, len(groups))
		for i, g := range groups {
			sizes[i] = im.Samples[g]
		}
		res.PixelMaps = pixelMaps(im.Eval, nodes, resultScores(results), alphas, groups, sizes)
		return nil
	}
}
