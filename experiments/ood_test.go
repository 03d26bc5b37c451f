package experiments_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"subsetscan/experiments"
	"subsetscan/nn"
	"subsetscan/runner"
)

// oodModels writes a randomly initialised classifier6 as dir/c6.npz.
func oodModels(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	m, err := nn.New(experiments.Classifier6Arch)
	if err != nil {
		t.Fatal(err)
	}
	m.InitGlorot(1)
	if err := m.SaveWeights(filepath.Join(dir, "c6.npz")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestOODKind runs the tiny ood config end to end through runner.Run.
func TestOODKind(t *testing.T) {
	cfg, err := experiments.ReadConfig(filepath.Join("testdata", "ood-tiny.yaml"), experiments.Vars{Models: oodModels(t)})
	if err != nil {
		t.Fatal(err)
	}
	dir, res, err := runner.Run(t.Context(), cfg, runner.Options{OutDir: t.TempDir(), Revision: "test"})
	if err != nil {
		t.Fatal(err)
	}
	o := res.OOD
	if o == nil || len(res.Layers) != 3 || len(o.Raw) != 3 || len(o.Methods) != 5 || len(res.Group) != 3 {
		t.Fatalf("got %d layers, OOD %+v, %d group layers", len(res.Layers), o, len(res.Group))
	}
	if res.Samples["clean"] != 20 || res.Samples["unknown"] != 12 || res.Samples["stripe"] != 12 || res.Samples["background"] != 40 {
		t.Errorf("samples %v", res.Samples)
	}
	for _, m := range o.Methods {
		for _, s := range res.Sets {
			if auc, tnr := m.AUC[s], m.TNR[s]; !(auc >= 0 && auc <= 1 && tnr >= 0 && tnr <= 1) {
				t.Errorf("%s, %s: AUC %v, TNR %v", m.Name, s, auc, tnr)
			}
		}
	}
	if f := o.Fairness; f == nil || len(f.Groups) != 2 || f.Groups[0].N+f.Groups[1].N != 20 || len(f.Groups[0].FPR) != 4 {
		t.Errorf("fairness %+v", f)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	// The same config gives the same report, but for the timings.
	dir2, _, err := runner.Run(t.Context(), cfg, runner.Options{OutDir: t.TempDir(), Revision: "test"})
	if err != nil {
		t.Fatal(err)
	}
	md2, err := os.ReadFile(filepath.Join(dir2, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	untimed := func(b []byte) string { return strings.Split(string(b), "## Timings")[0] }
	if untimed(md) != untimed(md2) {
		t.Error("two runs of the same config gave different reports")
	}
	for _, want := range []string{"## Out-of-distribution detection", "corruptions.png", "ood_layers.png", "Unknown classes are best detected in layer", "### Fairness", "ood_fairness.png"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// TestOODSection checks the bad inputs of kind ood: errors name the key.
func TestOODSection(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "ood-tiny.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	checkErrors(t, string(raw), "ood.yaml", experiments.Vars{Models: oodModels(t)}, []errorCase{
		{"unknown corruption", "[shot_noise, stripe]", "[shot_noise, snow]", `ood.corruptions[1]: unknown corruption "snow" (known: [shot_noise impulse_noise`},
		{"one known class", "held_out: [6, 7, 8, 9]", "held_out: [1, 2, 3, 4, 5, 6, 7, 8, 9]", "ood.held_out: leaves 1 known class(es); at least 2 are needed"},
		{"classes vs model", "held_out: [6, 7, 8, 9]", "held_out: [6, 7, 8]", "ood.held_out: leaves 7 known classes, but model classifier6 has 6 outputs"},
		{"digit", "held_out: [6, 7, 8, 9]", "held_out: [6, 7, 8, 10]", "ood.held_out[3]: must be a digit 0–9"},
		{"negative ε", "epsilon: 0.005\n  samples", "epsilon: -0.1\n  samples", "ood.epsilon: must be ≥ 0, got -0.1"},
		{"zero T", "temperature: 1000", "temperature: 0", "ood.temperature: must be > 0, got 0"},
		{"Mahalanobis ε", "train: [0, 300], epsilon: 0.005", "train: [0, 300], epsilon: -1", "ood.mahalanobis.epsilon: must be ≥ 0"},
		{"Mahalanobis layer", "layer: dense_1", "layer: dense_9", `ood.mahalanobis.layer: classifier6 has no layer "dense_9"`},
		{"samples", "sets: 12", "sets: 1", "ood.samples: needs background, clean and sets ≥ 2"},
		{"fairness groups", "groups: 2", "groups: 1", "ood.fairness.groups: must be in [2, samples.clean], got 1"},
		{"unknown key", "temperature: 1000", "temperature: 1000\n  temp: 1", "ood.temp: unknown key"},
	})
}
