package experiments_test

import (
	"encoding/json"
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
scan: {mode: individual, score: bj, tail: 1, alpha_max: 0.5}
autoencoder-adversarial:
  sets:
    - {name: adv, file: adv.npy}
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

// settings returns the kind's settings of cfg as its JSON echo has them.
func settings(t *testing.T, cfg *experiments.Config) map[string]any {
	t.Helper()
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	s, ok := m[cfg.Kind].(map[string]any)
	if !ok {
		t.Fatalf("the JSON echo %s has no settings under %q", b, cfg.Kind)
	}
	return s
}

func TestParseConfig(t *testing.T) {
	dir := writeFixture(t)
	path := filepath.Join(dir, "toy.yaml")
	cfg, err := experiments.ParseConfig([]byte(valid), path, experiments.Vars{})
	if err != nil {
		t.Fatal(err)
	}
	file := settings(t, cfg)["sets"].([]any)[0].(map[string]any)["file"]
	if cfg.Model.Weights != filepath.Join(dir, "w.npz") || file != filepath.Join(dir, "adv.npy") {
		t.Errorf("relative paths not resolved against the config's directory: %q %q", cfg.Model.Weights, file)
	}
	if cfg.Layers != nil {
		t.Errorf("layers: all should decode to nil, got %v", cfg.Layers)
	}
}

// attackSet replaces the file set of valid with an attack (completed by
// the set's keys after it) and adds a classifier.
func attackSet(attack string) (old, new string) {
	return "file: adv.npy}", attack + "\nclassifier: {arch: classifier, weights: w.npz}"
}

// The section's key and the scan line of valid, for the cases below.
const (
	sec      = "autoencoder-adversarial:\n"
	scanLine = "scan: {mode: individual, score: bj, tail: 1, alpha_max: 0.5}\n"
)

// errorCase replaces old with new in valid, which must give an error
// containing msg.
type errorCase struct{ name, old, new, msg string }

// attackCase is an errorCase with an attack set.
func attackCase(name, attack, msg string) errorCase {
	old, new := attackSet(attack)
	return errorCase{name, old, new, msg}
}

// configErrors are the cases of TestConfigErrors.
var configErrors = []errorCase{
	{"unknown key", "seed: 1", "seed: 1\nsede: 2", "line 5: sede: unknown key (known: name, description, kind, seed,"},
	{"key twice", "seed: 1", "seed: 1\nseed: 2", "line 5: seed: given twice"},
	{"wrong type", "seed: 1", "seed: one", "line 4: seed: one is not an integer"},
	{"seed missing", "seed: 1\n", "", "seed: is required"},
	{"seed negative", "seed: 1", "seed: -1", "seed: must be ≥ 0, got -1"},
	{"second document", "published:", "---\nname: other\n---\npublished:", "a second YAML document"},
	{"name with slash", "name: toy", "name: a/b", "name: must be one path element"},
	{"name dot", "name: toy", "name: .", `name: must be one path element, without slashes or spaces, not . or .., got "."`},
	{"name dot dot", "name: toy", "name: ..", `got ".."`},
	{"kind", "kind: autoencoder-adversarial", "kind: gan", `kind: unknown experiment kind "gan"`},
	{"kind missing", "kind: autoencoder-adversarial\n", "", "kind: is required"},
	{"dataset name", "name: mnist", "name: cifar", "dataset.name"},
	{"dataset missing key", "split: test, ", "", "dataset.split: is required"},
	{"split", "split: test", "split: dev", "dataset.split"},
	{"range", "background: [0, 100]", "background: [100, 0]", "dataset.background"},
	{"range length", "background: [0, 100]", "background: [0, 100, 200]", "dataset.background: must be a list of 2 values, got 3"},
	{"range float", "background: [0, 100]", "background: [0, 100.5]", "dataset.background[1]: 100.5 is not an integer"},
	{"arch", "arch: autoencoder", "arch: vae", "model.arch"},
	{"weights path", "weights: w.npz", "weights: missing.npz", "model.weights"},
	{"layer", "layers: all", "layers: [conv2d_1, conv9]", `layers[1]: autoencoder has no layer "conv9"`},
	{"layers scalar", "layers: all", "layers: some", `"all"`},
	{"layers empty", "layers: all", "layers: []", "layers: is empty"},
	{"layers repeated", "layers: all", "layers: [conv2d_1, conv2d_2, conv2d_1]", "layers[2]: conv2d_1 is listed twice (also layers[0])"},
	{"score", "score: bj", "score: xx", "scan.score"},
	{"tail", "tail: 1", "tail: 3", "scan.tail"},
	{"tail float", "tail: 1", "tail: 1.9", "line 8: scan.tail: 1.9 is not an integer"},
	{"alpha", "alpha_max: 0.5", "alpha_max: 1.5", "scan.alpha_max"},
	{"alpha string", "alpha_max: 0.5", "alpha_max: half", "scan.alpha_max: half is not a number"},
	{"mode", "mode: individual", "mode: pairs", "scan.mode"},
	{"mode of the kind", "mode: individual", "mode: group", "scan.mode: must be individual for kind autoencoder-adversarial"},
	{"section missing", sec + "  sets:\n    - {name: adv, file: adv.npy}\n", "", "autoencoder-adversarial: is required"},
	{"section unknown key", "file: adv.npy}", "flie: adv.npy}", "line 11: autoencoder-adversarial.sets[0].flie: unknown key (known: name, file, attack, source, keep)"},
	{"another kind's section", "published:", "autoencoder-group: {}\npublished:", "autoencoder-group: is the section of kind autoencoder-group, but this config's kind is autoencoder-adversarial"},
	{"sets missing", "  sets:\n    - {name: adv, file: adv.npy}\n", "  space: activations\n", "autoencoder-adversarial.sets: is required"},
	{"sets empty", "  sets:\n    - {name: adv, file: adv.npy}\n", "  sets: []\n", "autoencoder-adversarial.sets: at least one anomalous set is required"},
	{"published set", "auc: {adv:", "auc: {fgsm:", `unknown set "fgsm"`},
	{"published value", "conv2d_1: 0.9", "conv2d_1: 1.9", "published.auc.adv.conv2d_1"},
	{"set file", "file: adv.npy", "file: nope.npy", "autoencoder-adversarial.sets[0].file"},
	{"set name", "name: adv,", "name: clean,", "autoencoder-adversarial.sets[0].name"},
	{"set with both", "file: adv.npy}", "file: adv.npy, attack: {method: fgsm, eps: 0.1}}", "autoencoder-adversarial.sets[0]: needs exactly one of file and attack"},
	{"attack without classifier", "file: adv.npy}", "attack: {method: fgsm, eps: 0.1}}", "classifier: is required by the attack of autoencoder-adversarial.sets[0]"},
	attackCase("attack without source", "attack: {method: fgsm, eps: 0.1}}", "autoencoder-adversarial.attack_source: is required by the attack of autoencoder-adversarial.sets[0]"),
	{"keep", "file: adv.npy}", "file: adv.npy, keep: some}", "autoencoder-adversarial.sets[0].keep"},
	{"source of a file set", "file: adv.npy}", "file: adv.npy, source: [0, 10]}", "sets[0].source: applies only to sets generated by an attack"},
	attackCase("source range", "attack: {method: fgsm, eps: 0.1}, source: [10, 5]}", "sets[0].source: must be [first, end)"),
	attackCase("attack source range", "attack: {method: fgsm, eps: 0.1}}\n  attack_source: [5, 5]", "autoencoder-adversarial.attack_source: must be [first, end)"),
	attackCase("attack method", "attack: {method: cw}, source: [0, 10]}", `must be fgsm, bim, deepfool or hopskipjump, got "cw"`),
	attackCase("attack eps float32", "attack: {method: fgsm, eps: 1e39}, source: [0, 10]}", "attack.eps: 1e39 is out of range"),
	attackCase("hopskipjump negative", "attack: {method: hopskipjump, max_eval: -1}, source: [0, 10]}", "sets[0].attack: hopskipjump needs"),
	attackCase("hopskipjump init_eval", "attack: {method: hopskipjump, max_eval: 50}, source: [0, 10]}", "sets[0].attack.init_eval: 100 exceeds max_eval 50"),
	attackCase("hopskipjump unknown key", "attack: {method: hopskipjump, init_evals: 5}, source: [0, 10]}", "autoencoder-adversarial.sets[0].attack.init_evals: unknown key"),
	attackCase("max_iter float", "attack: {method: bim, eps: 0.1, eps_step: 0.01, max_iter: 10.5}, source: [0, 10]}", "autoencoder-adversarial.sets[0].attack.max_iter: 10.5 is not an integer"),
	{"known without value", "tolerance: 0.02", "tolerance: 0.02\n  known: {adv: {conv2d_2: why}}", "published.known.adv.conv2d_2"},
	{"space", sec, sec + "  space: pixels\n", "autoencoder-adversarial.space: must be activations or reconstruction_error"},
	{"space with layers", "layers: all\n" + scanLine + sec, "layers: [conv2d_1]\n" + scanLine + sec + "  space: reconstruction_error\n", "layers: must be all"},
	{"space of a classifier", "arch: autoencoder, weights: w.npz}\nlayers: all\n" + scanLine + sec, "arch: classifier, weights: w.npz}\nlayers: all\n" + scanLine + sec + "  space: reconstruction_error\n", "space: reconstruction_error needs a model whose last layer is a sigmoid"},
	{"recon published layer", sec, sec + "  space: reconstruction_error\n", "unknown layer \"conv2d_1\""},
	{"tolerance negative", "tolerance: 0.02", "tolerance: -1", "published.tolerance"},
	{"tolerances unknown set", "tolerance: 0.02", "tolerance: 0.02\n  tolerances: {fgsm: {value: 0.1, reason: why}}", "published.tolerances.fgsm"},
	{"tolerances no reason", "tolerance: 0.02", "tolerance: 0.02\n  tolerances: {adv: {value: 0.1}}", "published.tolerances.adv.reason"},
	{"tolerances value", "tolerance: 0.02", "tolerance: 0.02\n  tolerances: {adv: {value: -0.1, reason: why}}", "published.tolerances.adv.value"},
	{"tolerances unknown key", "tolerance: 0.02", "tolerance: 0.02\n  tolerances: {adv: {value: 0.1, reason: why, note: x}}", "published.tolerances.adv.note: unknown key"},
	{"idx without files", "name: mnist", "name: idx, dir: .", "supply the IDX files train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte"},
	{"weights and train", "weights: w.npz}", "weights: w.npz, train: {epochs: 1, batch: 32}}", "model: needs exactly one of weights and train"},
	{"neither weights nor train", "arch: autoencoder, weights: w.npz}", "arch: autoencoder}", "model: needs exactly one of weights and train"},
	{"train epochs", "weights: w.npz}", "train: {batch: 32}}", "model.train.epochs: must be ≥ 1, got 0"},
	{"train batch", "weights: w.npz}", "train: {epochs: 2, batch: 0}}", "model.train.batch: must be ≥ 1, got 0"},
	{"train images", "weights: w.npz}", "train: {epochs: 2, batch: 8, images: 0}}", "model.train.images: must be ≥ 1"},
	{"train unknown key", "weights: w.npz}", "train: {epochs: 2, batch: 8, epoch: 3}}", "model.train.epoch: unknown key"},
	{"train wrong type", "weights: w.npz}", "train: {epochs: two, batch: 8}}", "model.train.epochs: two is not an integer"},
	{"train seed negative", "weights: w.npz}", "train: {epochs: 1, batch: 8, seed: -1}}", "model.train.seed: must be ≥ 0, got -1"},
	{"classifier train", "file: adv.npy}", "attack: {method: fgsm, eps: 0.1}, source: [0, 10]}\nclassifier: {arch: classifier, train: {epochs: 1, batch: -2}}", "classifier.train.batch: must be ≥ 1, got -2"},
	{"classifier without attacks", "layers: all", "layers: all\nclassifier: {arch: classifier, weights: nope.npz}", "classifier.weights"},
	{"conditional file set", sec, sec + "  conditional: true\n", "autoencoder-adversarial.sets[0].file: conditional p-values need the class of every image"},
	{"conditional type", sec, sec + "  conditional: yes please\n", "line 10: autoencoder-adversarial.conditional: yes please is not true or false"},
}

func TestConfigErrors(t *testing.T) {
	dir := writeFixture(t)
	checkErrors(t, valid, filepath.Join(dir, "toy.yaml"), experiments.Vars{}, configErrors)
}

// checkErrors runs the cases on base: each replaces old with new (which
// must change base), and ParseConfig must then give an error naming msg
// and path.
func checkErrors(t *testing.T, base, path string, vars experiments.Vars, cases []errorCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			raw := strings.Replace(base, tc.old, tc.new, 1)
			if raw == base {
				t.Fatalf("test case does not change the config (%q not found)", tc.old)
			}
			_, err := experiments.ParseConfig([]byte(raw), path, vars)
			if err == nil || !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), path) {
				t.Errorf("got %v, want an error naming %q and the file", err, tc.msg)
			}
		})
	}
}

// TestConfigErrorOrder checks that of several errors in a mapping, the
// first in the file is reported, whatever the order of the keys' names.
func TestConfigErrorOrder(t *testing.T) {
	dir := writeFixture(t)
	cases := []errorCase{
		{"published sets", "auc: {adv: {conv2d_1: 0.9}}", "auc: {zeta: {conv2d_1: 0.9}, alpha: {conv2d_1: 0.9}}", `unknown set "zeta"`},
		{"published layers", "auc: {adv: {conv2d_1: 0.9}}", "auc: {adv: {conv2d_7: 1.5, conv2d_1: 2}}", "published.auc.adv.conv2d_7"},
		{"known", "tolerance: 0.02", "tolerance: 0.02\n  known: {adv: {conv2d_9: x, conv2d_1: y}}", "published.known.adv.conv2d_9"},
		{"tolerances", "tolerance: 0.02", "tolerance: 0.02\n  tolerances: {zeta: {value: 0.1, reason: x}, alpha: {value: 0.1, reason: y}}", "published.tolerances.zeta"},
		{"type errors", "auc: {adv: {conv2d_1: 0.9}}", "auc: {adv: {conv2d_7: x, conv2d_1: y}}", "published.auc.adv.conv2d_7: x is not a number"},
	}
	for range 5 { // map order would differ between runs
		checkErrors(t, valid, filepath.Join(dir, "toy.yaml"), experiments.Vars{}, cases)
	}
}

// TestConfigDocument checks the errors of a config that is not one
// mapping.
func TestConfigDocument(t *testing.T) {
	for _, tc := range []struct{ name, raw, msg string }{
		{"empty", "# nothing\n", "config: empty"},
		{"null", "---\n", "config: empty"},
		{"list", "- name: toy\n", "config: line 1: a config is a mapping of keys (name, kind, ...), got a list"},
		{"second document", valid + "---\nname: other\n", "a second YAML document: a config is one document"},
		{"syntax", "name: [\n", "config: yaml: line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := experiments.ParseConfig([]byte(tc.raw), "", experiments.Vars{})
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("got %v, want %q", err, tc.msg)
			}
		})
	}
}

// TestGroupSettings checks the section of kind autoencoder-group.
func TestGroupSettings(t *testing.T) {
	dir := writeFixture(t)
	path := filepath.Join(dir, "toy.yaml")
	group := strings.NewReplacer(
		"kind: autoencoder-adversarial", "kind: autoencoder-group",
		"mode: individual", "mode: group",
		"autoencoder-adversarial:", "autoencoder-group:",
		"    - {name: adv, file: adv.npy}\n", "    - {name: adv, file: adv.npy}\n  group: {size: 10, proportions: [0.1, 0.5], runs: 2, restarts: 1, thresholds: exact}\n",
	).Replace(valid)
	cfg, err := experiments.ParseConfig([]byte(group), path, experiments.Vars{})
	if err != nil {
		t.Fatal(err)
	}
	g := settings(t, cfg)["group"].(map[string]any)
	if g["size"] != 10.0 || g["runs"] != 2.0 || g["restarts"] != 1.0 || g["thresholds"] != "exact" {
		t.Errorf("group settings %v", g)
	}
	checkErrors(t, group, path, experiments.Vars{}, []errorCase{
		{"size float", "size: 10", "size: 100.5", "line 12: autoencoder-group.group.size: 100.5 is not an integer"},
		{"size too large", "size: 10", "size: 100", "autoencoder-group.group.size: 100 exceeds the 50 clean images"},
		{"proportion", "0.5]", "1.5]", "autoencoder-group.group.proportions[1]: must be in (0, 1], got 1.5"},
		{"runs missing", "runs: 2, ", "", "autoencoder-group.group.runs: is required"},
		{"restarts", "restarts: 1", "restarts: -1", "autoencoder-group.group.restarts: must be ≥ 0"},
		{"thresholds", "thresholds: exact", "thresholds: some", "autoencoder-group.group.thresholds"},
		{"group missing", "  group: {size: 10, proportions: [0.1, 0.5], runs: 2, restarts: 1, thresholds: exact}\n", "", "autoencoder-group.group: is required"},
		{"conditional", "  group:", "  conditional: true\n  group:", "autoencoder-group.conditional: unknown key"},
		{"mode", "mode: group", "mode: individual", "scan.mode: must be group for kind autoencoder-group"},
	})
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

// TestParseTrain checks a config that trains its models: the train
// settings replace the weights, and the training seed defaults to the
// config's.
func TestParseTrain(t *testing.T) {
	dir := writeFixture(t)
	raw := strings.NewReplacer(
		"weights: w.npz}", "train: {epochs: 2, batch: 16, images: 500}}",
		"file: adv.npy}", "attack: {method: fgsm, eps: 0.1}, source: [0, 10]}\nclassifier: {arch: classifier, train: {epochs: 1, batch: 64, seed: 9}}",
		"seed: 1", "seed: 7",
		"autoencoder-adversarial:\n", "autoencoder-adversarial:\n  conditional: true\n").Replace(valid)
	cfg, err := experiments.ParseConfig([]byte(raw), filepath.Join(dir, "toy.yaml"), experiments.Vars{})
	if err != nil {
		t.Fatal(err)
	}
	m, c := cfg.Model, cfg.Classifier
	if m.Weights != "" || m.Train == nil || m.Train.Epochs != 2 || m.Train.Batch != 16 || *m.Train.Images != 500 || *m.Train.Seed != 7 {
		t.Errorf("model: got %+v, train %+v", m, m.Train)
	}
	if c == nil || c.Train == nil || *c.Train.Seed != 9 || c.Train.Images != nil {
		t.Errorf("classifier: got %+v", c)
	}
	if settings(t, cfg)["conditional"] != true {
		t.Error("autoencoder-adversarial.conditional not set")
	}
	// An idx data set must then hold the training split too.
	idx := t.TempDir()
	for _, f := range []string{"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"} {
		if err := os.WriteFile(filepath.Join(idx, f), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw = strings.Replace(raw, "name: mnist,", "name: idx, dir: "+idx+",", 1)
	_, err = experiments.ParseConfig([]byte(raw), filepath.Join(dir, "toy.yaml"), experiments.Vars{})
	if err == nil || !strings.Contains(err.Error(), "dataset.dir: "+idx+" holds neither train-images-idx3-ubyte") {
		t.Errorf("idx data set without its training split: got %v", err)
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

// TestTrainModelsErrors checks the errors of train settings that only the
// training split can reveal, and that a config without train settings is
// returned as it is.
func TestTrainModelsErrors(t *testing.T) {
	dir := writeFixture(t)
	path := filepath.Join(dir, "toy.yaml")
	raw := strings.Replace(valid, "weights: w.npz}", "train: {epochs: 1, batch: 8, images: 60001}}", 1)
	cfg, err := experiments.ParseConfig([]byte(raw), path, experiments.Vars{})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = experiments.TrainModels(t.Context(), cfg, experiments.Env{})
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "needs a results directory") {
		t.Errorf("without a results directory: got %v", err)
	}
	_, _, err = experiments.TrainModels(t.Context(), cfg, experiments.Env{Dir: t.TempDir()})
	want := "config " + path + ": model.train.images: 60001 exceeds the 60000 images of the mnist training split"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want %q", err, want)
	}
	if cfg.Model.Weights != "" || *cfg.Model.Train.Images != 60001 {
		t.Errorf("TrainModels modified its config: %+v", cfg.Model)
	}
	plain, err := experiments.ParseConfig([]byte(valid), path, experiments.Vars{})
	if err != nil {
		t.Fatal(err)
	}
	got, notes, err := experiments.TrainModels(t.Context(), plain, experiments.Env{})
	if err != nil || got != plain || notes != nil {
		t.Errorf("config without train settings: got %p, %q, %v", got, notes, err)
	}
}
