package experiments_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"subsetscan/experiments"
)

// valid is a minimal valid config; each case below breaks one key.
const valid = `
name: toy
kind: autoencoder-adversarial
seed: 1
dataset: {name: mnist, split: test, background: [0, 100], clean: [100, 150]}
model: {arch: autoencoder, weights: w.npz}
layers: all
sets:
  - {name: adv, file: adv.npy}
scan: {mode: individual, score: bj, tail: 1, alpha_max: 0.5}
published:
  tolerance: 0.02
  auc: {adv: {conv2d_1: 0.9}}
`

func writeFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"w.npz", "adv.npy"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestParseConfig(t *testing.T) {
	dir := writeFixture(t)
	path := filepath.Join(dir, "toy.yaml")
	cfg, err := experiments.ParseConfig([]byte(valid), path, experiments.Vars{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Model.Weights != filepath.Join(dir, "w.npz") || cfg.Sets[0].File != filepath.Join(dir, "adv.npy") {
		t.Errorf("relative paths not resolved against the config's directory: %q %q", cfg.Model.Weights, cfg.Sets[0].File)
	}
	if cfg.Layers != nil {
		t.Errorf("layers: all should decode to nil, got %v", cfg.Layers)
	}
}

func TestConfigErrors(t *testing.T) {
	dir := writeFixture(t)
	path := filepath.Join(dir, "toy.yaml")
	tests := []struct {
		name, old, new, msg string
	}{
		{"unknown key", "seed: 1", "seed: 1\nsede: 2", "sede"},
		{"wrong type", "seed: 1", "seed: one", "line 4: cannot unmarshal !!str `one`"},
		{"kind", "kind: autoencoder-adversarial", "kind: gan", `kind: unknown experiment kind "gan"`},
		{"dataset name", "name: mnist", "name: cifar", "dataset.name"},
		{"split", "split: test", "split: dev", "dataset.split"},
		{"range", "background: [0, 100]", "background: [100, 0]", "dataset.background"},
		{"arch", "arch: autoencoder", "arch: vae", "model.arch"},
		{"weights path", "weights: w.npz", "weights: missing.npz", "model.weights"},
		{"layer", "layers: all", "layers: [conv2d_1, conv9]", `"conv9"`},
		{"layers scalar", "layers: all", "layers: some", `"all"`},
		{"set file", "file: adv.npy", "file: nope.npy", "sets[0].file"},
		{"set name", "name: adv,", "name: clean,", "sets[0].name"},
		{"score", "score: bj", "score: xx", "scan.score"},
		{"tail", "tail: 1", "tail: 3", "scan.tail"},
		{"alpha", "alpha_max: 0.5", "alpha_max: 1.5", "scan.alpha_max"},
		{"mode", "mode: individual", "mode: pairs", "scan.mode"},
		{"published set", "auc: {adv:", "auc: {fgsm:", `unknown set "fgsm"`},
		{"published value", "conv2d_1: 0.9", "conv2d_1: 1.9", "published.auc.adv.conv2d_1"},
		{"set with both", "file: adv.npy}", "file: adv.npy, attack: {method: fgsm, eps: 0.1}}", "exactly one of file and attack"},
		{"attack without classifier", "file: adv.npy}", "attack: {method: fgsm, eps: 0.1}}", "classifier: is required"},
		{"keep", "file: adv.npy}", "file: adv.npy, keep: some}", "sets[0].keep"},
		{"attack method", "file: adv.npy}", "attack: {method: cw}}\nclassifier: {arch: classifier, weights: w.npz}", `must be fgsm, bim, deepfool or hopskipjump, got "cw"`},
		{"hopskipjump negative", "file: adv.npy}", "attack: {method: hopskipjump, max_eval: -1}}\nclassifier: {arch: classifier, weights: w.npz}", "sets[0].attack: hopskipjump needs"},
		{"hopskipjump init_eval", "file: adv.npy}", "attack: {method: hopskipjump, max_eval: 50}}\nclassifier: {arch: classifier, weights: w.npz}", "sets[0].attack.init_eval: 100 exceeds max_eval 50"},
		{"hopskipjump unknown key", "file: adv.npy}", "attack: {method: hopskipjump, init_evals: 5}}\nclassifier: {arch: classifier, weights: w.npz}", "field init_evals not found"},
		{"known without value", "tolerance: 0.02", "tolerance: 0.02\n  known: {adv: {conv2d_2: why}}", "published.known.adv.conv2d_2"},
		{"space", "layers: all", "layers: all\nspace: pixels", "space: must be activations or reconstruction_error"},
		{"space with layers", "layers: all", "layers: [conv2d_1]\nspace: reconstruction_error", "layers: must be all"},
		{"space of a classifier", "arch: autoencoder, weights: w.npz}\nlayers: all", "arch: classifier, weights: w.npz}\nlayers: all\nspace: reconstruction_error", "space: reconstruction_error needs a model whose last layer is a sigmoid"},
		{"recon published layer", "layers: all", "layers: all\nspace: reconstruction_error", "unknown layer \"conv2d_1\""},
		{"tolerance negative", "tolerance: 0.02", "tolerance: -1", "published.tolerance"},
		{"tolerances unknown set", "tolerance: 0.02", "tolerance: 0.02\n  tolerances: {fgsm: {value: 0.1, reason: why}}", "published.tolerances.fgsm"},
		{"tolerances no reason", "tolerance: 0.02", "tolerance: 0.02\n  tolerances: {adv: {value: 0.1}}", "published.tolerances.adv.reason"},
		{"tolerances value", "tolerance: 0.02", "tolerance: 0.02\n  tolerances: {adv: {value: -0.1, reason: why}}", "published.tolerances.adv.value"},
		{"tolerances unknown key", "tolerance: 0.02", "tolerance: 0.02\n  tolerances: {adv: {value: 0.1, reason: why, note: x}}", "field note not found"},
		{"idx without files", "name: mnist", "name: idx, dir: .", "supply the IDX files train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := strings.Replace(valid, tc.old, tc.new, 1)
			if raw == valid {
				t.Fatalf("test case does not change the config (%q not found)", tc.old)
			}
			_, err := experiments.ParseConfig([]byte(raw), path, experiments.Vars{})
			if err == nil {
				t.Fatal("got no error")
			}
			if !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name %q and the file", err, tc.msg)
			}
		})
	}
}

func FuzzConfig(f *testing.F) {
	f.Add([]byte(valid))
	f.Add([]byte("name: [\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		experiments.ParseConfig(raw, "", experiments.Vars{})
	})
}

func TestToleranceFor(t *testing.T) {
	dir := writeFixture(t)
	raw := strings.Replace(valid, "tolerance: 0.02", "tolerance: 0.02\n  tolerance_reason: truncation\n  tolerances: {adv: {value: 0.1, reason: a different sample}}", 1)
	cfg, err := experiments.ParseConfig([]byte(raw), filepath.Join(dir, "toy.yaml"), experiments.Vars{})
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Published.ToleranceFor("adv"); got.Value != 0.1 || got.Reason != "a different sample" {
		t.Errorf("adv: got %+v", got)
	}
	if got := cfg.Published.ToleranceFor("other"); got.Value != 0.02 || got.Reason != "truncation" {
		t.Errorf("default: got %+v", got)
	}
}

// TestDataVariable checks the message of a config that reads ${data} when
// -data is not given, and then when it names a directory without the
// files.
func TestDataVariable(t *testing.T) {
	raw := strings.NewReplacer(
		"name: mnist,", "name: idx, source: Fashion-MNIST, dir: \"${data}\",",
		"weights: w.npz", "weights: \"${data}/ae.npz\"").Replace(valid)
	_, err := experiments.ParseConfig([]byte(raw), "fm.yaml", experiments.Vars{})
	if err == nil {
		t.Fatal("no error without -data")
	}
	for _, want := range []string{"fm.yaml", "-data DIR", "Fashion-MNIST", "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
		"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "ae.npz", "model.weights", "dataset.dir"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	dir := t.TempDir()
	_, err = experiments.ParseConfig([]byte(raw), "fm.yaml", experiments.Vars{Data: dir})
	if err == nil || !strings.Contains(err.Error(), "dataset.dir: "+dir) || !strings.Contains(err.Error(), "t10k-labels-idx1-ubyte") {
		t.Errorf("empty data directory: got %v", err)
	}
	// With the IDX files (gzipped names are accepted) the next missing
	// input is the model.
	for _, f := range []string{"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err = experiments.ParseConfig([]byte(raw), "fm.yaml", experiments.Vars{Data: dir})
	if err == nil || !strings.Contains(err.Error(), "model.weights") || !strings.Contains(err.Error(), filepath.Join(dir, "ae.npz")) {
		t.Errorf("missing model: got %v", err)
	}
}
