package report_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"subsetscan/report"
)

// oodSample is an out-of-distribution study: two layers, an unknown-class
// set and two acquisition-shift sets, three detectors.
func oodSample() *report.Results {
	sets := []string{"unknown", "shot_noise", "stripe"}
	auc := func(a, b, c float64) map[string]float64 {
		return map[string]float64{"unknown": a, "shot_noise": b, "stripe": c}
	}
	return &report.Results{
		Experiment: "toy-ood",
		Provenance: report.Provenance{Seed: 1, ConfigHash: "ood789", GoVersion: "go1.x", Revision: "r3"},
		Samples:    map[string]int{"background": 10, "clean": 4, "unknown": 3, "shot_noise": 3, "stripe": 3},
		Sets:       sets,
		CIMethod:   "DeLong (1988), 95 %",
		Layers: []report.Layer{
			{Layer: "conv2d_1", Nodes: 8, AUC: auc(0.6, 0.9, 1), CI: map[string][2]float64{"unknown": {0.4, 0.8}}},
			{Layer: "dense_1", Nodes: 4, AUC: auc(0.8, 0.7, 0.95)},
		},
		OOD: &report.OOD{Known: []int{0, 1, 2}, Unknown: []int{3}, UnknownSets: sets[:1], ShiftSets: sets[1:],
			Temperature: 1000, Epsilon: 0.005, Accuracy: 0.75,
			Raw: []report.LayerAUC{{Layer: "conv2d_1", AUC: auc(0.55, 0.85, 1)}, {Layer: "dense_1", AUC: auc(0.7, 0.6, 0.9)}},
			Methods: []report.Method{
				{Name: "MSP", AUC: auc(0.7, 0.6, 0.5), CI: map[string][2]float64{"unknown": {0.5, 0.9}}, TNR: auc(0.2, 0.1, 0)},
				{Name: "scan x̃ (best layer)", AUC: auc(0.8, 0.9, 1), TNR: auc(0.3, 0.5, 1),
					Layer: map[string]string{"unknown": "dense_1", "shot_noise": "conv2d_1", "stripe": "conv2d_1"}},
			},
			Fairness: &report.Fairness{Classifier: "balanced", Attribute: "ink mass", Set: "unknown", Groups: []report.Subgroup{
				{Name: "ink 1/2", Lo: 0, Hi: 90, N: 2, Accuracy: 0.5, FPR: map[string]float64{"MSP": 0.5}, AUC: map[string]float64{"MSP": 0.6}},
				{Name: "ink 2/2", Lo: 90, Hi: 784, N: 2, Accuracy: 1, FPR: map[string]float64{"MSP": 0}, AUC: map[string]float64{"MSP": 0.8}},
			}},
			Skewed: &report.Fairness{Classifier: "skewed (ink 1/2 kept at 0.05)", Attribute: "ink mass", Set: "unknown", Groups: []report.Subgroup{
				{Name: "ink 1/2", Lo: 0, Hi: 90, N: 2, Accuracy: 0, FPR: map[string]float64{"MSP": 1}, AUC: map[string]float64{"MSP": 0.4}},
				{Name: "ink 2/2", Lo: 90, Hi: 784, N: 2, Accuracy: 1, FPR: map[string]float64{"MSP": 0}, AUC: map[string]float64{"MSP": 0.9}},
			}},
			Grid: "corruptions.png"},
		Timings: map[string]float64{"total": 2},
	}
}

// TestOODGolden renders the OOD sample and compares its report.md with
// testdata/ood.md.golden.
func TestOODGolden(t *testing.T) {
	dir := t.TempDir()
	if err := report.Render(dir, oodSample()); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, got, "ood.md.golden")
	for _, w := range []string{
		"| unknown    | 0.700 [0.500, 0.900] · 0.200 | 0.800 · 0.300 (dense_1)",
		"Unknown classes are best detected in layer dense_1 (mean AUC 0.800 over unknown; 0.600 in the first layer, conv2d_1; 0.800 in the last, dense_1).",
		"Acquisition shifts are best detected, on average over the 2 corruptions, in layer conv2d_1 (mean AUC 0.950). The best layer per corruption: conv2d_1 for 2 (shot_noise, stripe).",
		"![corruptions](corruptions.png)", "![ood_layers](ood_layers.png)", "![ood_fairness](ood_fairness.png)",
		"| ink 2/2  | (90.0, 784.0] | 2      | balanced                      | 1.000    | 0.000   | 0.800     |",
		"| ink 1/2  | (0.0, 90.0]   | 2      | skewed (ink 1/2 kept at 0.05) | 0.000    | 1.000   | 0.400     |",
	} {
		if !strings.Contains(string(got), w) {
			t.Errorf("report lacks %q", w)
		}
	}
	for _, png := range []string{"ood_layers.png", "ood_fairness.png"} {
		if _, err := os.Stat(filepath.Join(dir, png)); err != nil {
			t.Error(err)
		}
	}
}
