package experiments_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"subsetscan/experiments"
	"subsetscan/nn"
	"subsetscan/report"
	"subsetscan/runner"
)

// oodModels writes randomly initialised classifier6s as dir/c6.npz and,
// the skewed classifier, dir/c6-skewed.npz.
func oodModels(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for seed, name := range []string{"", "c6.npz", "c6-skewed.npz"} {
		if name == "" {
			continue
		}
		m, err := nn.New(experiments.Classifier6Arch)
		if err != nil {
			t.Fatal(err)
		}
		m.InitGlorot(uint64(seed))
		if err := m.SaveWeights(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
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
	if f := o.Fairness; f == nil || len(f.Groups) != 2 || f.Groups[0].N+f.Groups[1].N != 20 || len(f.Groups[0].FPR) != 4 || f.Classifier != "balanced" {
		t.Errorf("fairness %+v", f)
	}
	checkSkewed(t, o)
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
	for _, want := range []string{"## Out-of-distribution detection", "corruptions.png", "ood_layers.png", "Unknown classes are best detected in layer", "### Fairness", "ood_fairness.png",
		"| ink 1/2  ", "| skewed (ink 1/2 kept at 0.05) |"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// checkSkewed checks the skewed classifier's breakdown: the balanced
// one's subgroups, detectors and scan layer, numbers of its own.
func checkSkewed(t *testing.T, o *report.OOD) {
	t.Helper()
	f, sk := o.Fairness, o.Skewed
	if sk == nil || sk.Classifier != "skewed (ink 1/2 kept at 0.05)" || len(sk.Groups) != len(f.Groups) {
		t.Fatalf("skewed %+v", sk)
	}
	differ := false
	for i, g := range sk.Groups {
		b := f.Groups[i]
		if g.Name != b.Name || g.N != b.N || g.Lo != b.Lo || g.Hi != b.Hi || len(g.FPR) != len(b.FPR) || len(g.AUC) != len(b.AUC) {
			t.Errorf("subgroup %d: skewed %+v, balanced %+v", i, g, b)
		}
		for m, v := range g.AUC {
			if _, ok := b.AUC[m]; !ok || !(v >= 0 && v <= 1) || !(g.FPR[m] >= 0 && g.FPR[m] <= 1) {
				t.Errorf("subgroup %d, %s: AUROC %v, FPR %v (balanced has it: %v)", i, m, v, g.FPR[m], ok)
			}
			differ = differ || v != b.AUC[m]
		}
	}
	if !differ {
		t.Error("the skewed classifier's AUROCs are the balanced one's")
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
		{"skewed thinned", "thinned: 1", "thinned: 3", "ood.fairness.skewed.thinned: must be a subgroup 1 to groups (2), got 3"},
		{"skewed keep", "keep: 0.05", "keep: 1.5", "ood.fairness.skewed.keep: must be in [0, 1], got 1.5"},
		{"skewed weights", "/c6-skewed.npz\", thinned", "/nowhere.npz\", thinned", "ood.fairness.skewed.weights: stat "},
		{"skewed no weights", `weights: "${models}/c6-skewed.npz", `, "", "ood.fairness.skewed.weights: is required"},
		{"unknown key", "temperature: 1000", "temperature: 1000\n  temp: 1", "ood.temp: unknown key"},
	})
}
