package runner_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"subsetscan/experiments"
	"subsetscan/internal/refdata"
	"subsetscan/report"
	"subsetscan/runner"
)

// withoutTimings returns results.json with its timings removed: everything
// else must be identical between runs of the same config.
func withoutTimings(t *testing.T, dir string) []byte {
	t.Helper()
	r, err := report.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	r.Timings = nil
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestQuickEndToEnd(t *testing.T) {
	artifacts := filepath.Dir(refdata.Path(t, "models/mnist_autoencoder.npz"))
	artifacts = filepath.Dir(artifacts)
	cfg, err := experiments.ReadConfig(filepath.Join("testdata", "quick.yaml"), experiments.Vars{Artifacts: artifacts})
	if err != nil {
		t.Fatal(err)
	}
	var first []byte
	for run := range 2 {
		out := t.TempDir()
		dir, res, err := runner.Run(t.Context(), cfg, runner.Options{OutDir: out, Revision: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Layers) != 3 || res.Samples["background"] != 400 || res.Samples["fgsm-authors"] != 17 || res.Samples["deepfool-authors"] != 1126 {
			t.Fatalf("unexpected results: %d layers, samples %v", len(res.Layers), res.Samples)
		}
		// The first layer separates the authors' FGSM images from clean ones
		// almost perfectly, even with a background of 400 images (the
		// published AUC with 7000 is 1.0).
		if auc := res.Layers[0].AUC["fgsm-authors"]; auc < 0.95 {
			t.Errorf("conv2d_1 FGSM AUC %.3f, want ≥ 0.95", auc)
		}
		if got := len(res.Layers[0].Scores["clean"]); got != 200 {
			t.Errorf("%d clean scores, want 200", got)
		}
		for _, f := range []string{"results.json", "report.md", "auc_layers.png", "roc_conv2d_1.png", "scores_conv2d_1.png"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Error(err)
			}
		}
		b := withoutTimings(t, dir)
		if run == 0 {
			first = b
		} else if !bytes.Equal(first, b) {
			t.Error("two runs of the same config differ beyond their timings")
		}
	}
}

func TestQuickGroup(t *testing.T) {
	artifacts := filepath.Dir(filepath.Dir(refdata.Path(t, "models/mnist_autoencoder.npz")))
	cfg, err := experiments.ReadConfig(filepath.Join("testdata", "quick-group.yaml"), experiments.Vars{Artifacts: artifacts})
	if err != nil {
		t.Fatal(err)
	}
	dir, res, err := runner.Run(t.Context(), cfg, runner.Options{OutDir: t.TempDir(), Revision: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Group) != 2 || len(res.Group[0].Points) != 1 {
		t.Fatalf("got %+v", res.Group)
	}
	p := res.Group[0].Points[0]
	// Half of each contaminated group is DeepFool images: the first layer
	// tells those groups apart and finds most of those images.
	if p.AUC < 0.9 || p.Precision < 0.8 || p.Recall < 0.5 || p.Recall > 1 {
		t.Errorf("conv2d_1 at proportion 0.5: %+v", p)
	}
	if _, err := os.Stat(filepath.Join(dir, "group_deepfool-authors.png")); err != nil {
		t.Error(err)
	}
}

func TestQuickRecon(t *testing.T) {
	artifacts := filepath.Dir(filepath.Dir(refdata.Path(t, "models/mnist_autoencoder.npz")))
	cfg, err := experiments.ReadConfig(filepath.Join("testdata", "quick-recon.yaml"), experiments.Vars{Artifacts: artifacts})
	if err != nil {
		t.Fatal(err)
	}
	dir, res, err := runner.Run(t.Context(), cfg, runner.Options{OutDir: t.TempDir(), Revision: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Layers) != 1 || res.Layers[0].Layer != experiments.ReconLayer || res.Layers[0].Nodes != 784 {
		t.Fatalf("got layers %+v", res.Layers)
	}
	l := res.Layers[0]
	// The scan finds the FGSM perturbation in the reconstruction error far
	// better than the mean error does (0.98 against 0.73 with the full
	// background of 7000 images).
	if auc, base := l.AUC["fgsm-authors"], l.Baseline["fgsm-authors"]; !(auc > 0.9 && base < auc) {
		t.Errorf("AUC %.3f, baseline %.3f: want AUC > 0.9 and above the baseline", auc, base)
	}
	if len(res.PixelMaps) != 12 {
		t.Errorf("%d pixel maps, want 6 clean + 6 fgsm-authors", len(res.PixelMaps))
	}
	for _, m := range res.PixelMaps {
		if m.Height != 28 || m.Width != 28 || len(m.Image) != 784 || len(m.Nodes) == 0 {
			t.Errorf("pixel map %s #%d: %dx%d, %d values, %d nodes", m.Set, m.Index, m.Height, m.Width, len(m.Image), len(m.Nodes))
		}
	}
	for _, f := range []string{"report.md", "scores_reconstruction_error.png", "pixels_clean.png", "pixels_fgsm-authors.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

// TestQuickGroupRecon runs group scans in the reconstruction-error space.
func TestQuickGroupRecon(t *testing.T) {
	artifacts := filepath.Dir(filepath.Dir(refdata.Path(t, "models/mnist_autoencoder.npz")))
	raw, err := os.ReadFile(filepath.Join("testdata", "quick-group.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	raw = bytes.Replace(raw, []byte("layers: [conv2d_1, conv2d_7]\n"), nil, 1)
	raw = bytes.Replace(raw, []byte("autoencoder-group:\n"), []byte("autoencoder-group:\n  space: reconstruction_error\n"), 1)
	cfg, err := experiments.ParseConfig(raw, filepath.Join("testdata", "quick-group-recon.yaml"), experiments.Vars{Artifacts: artifacts})
	if err != nil {
		t.Fatal(err)
	}
	_, res, err := runner.Run(t.Context(), cfg, runner.Options{OutDir: t.TempDir(), Revision: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Group) != 1 || res.Group[0].Layer != experiments.ReconLayer || len(res.Group[0].Points) != 1 {
		t.Fatalf("got %+v", res.Group)
	}
	// Half of each contaminated group is DeepFool images, which the
	// reconstruction error shows (individual AUC 0.99).
	if p := res.Group[0].Points[0]; p.AUC < 0.9 {
		t.Errorf("proportion 0.5: %+v", p)
	}
}

// TestQuickTrain runs a config that trains its autoencoder and classifier
// here (tiny training): the first run trains both and writes them with
// their keys under models/, a second run reuses them and gives the same
// results, and a changed setting retrains only the model it belongs to
// (the attack set, which depends on the classifier, is reused). The scans
// use conditional p-values.
func TestQuickTrain(t *testing.T) {
	out := t.TempDir()
	run := func(raw []byte) (*report.Results, []string) {
		t.Helper()
		cfg, err := experiments.ParseConfig(raw, filepath.Join("testdata", "quick-train.yaml"), experiments.Vars{})
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		_, res, err := runner.Run(t.Context(), cfg, runner.Options{OutDir: out, Revision: "test",
			Progress: func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }})
		if err != nil {
			t.Fatal(err)
		}
		return res, lines
	}
	has := func(lines []string, prefix string) bool {
		return slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, prefix) })
	}
	raw, err := os.ReadFile(filepath.Join("testdata", "quick-train.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(out, "quick-train")
	readKeys := func() (model, clf string) {
		t.Helper()
		m, err := os.ReadFile(filepath.Join(dir, "models", "model.key"))
		if err != nil {
			t.Fatal(err)
		}
		c, err := os.ReadFile(filepath.Join(dir, "models", "classifier.key"))
		if err != nil {
			t.Fatal(err)
		}
		return string(m), string(c)
	}

	res, lines := run(raw)
	for _, want := range []string{"model: training autoencoder on 300 images", "model: epoch 1/1: loss ",
		"classifier: training classifier on 300 images", "classifier: epoch 1/1: loss "} {
		if !has(lines, want) {
			t.Errorf("first run: no progress line %q in %q", want, lines)
		}
	}
	if n := res.Samples["fgsm"]; n < 1 || n > 150 || res.Samples["clean"] != 150 || len(res.Layers) != 2 {
		t.Fatalf("samples %v, %d layers", res.Samples, len(res.Layers))
	}
	var cfg struct {
		experiments.Config
		Settings struct {
			Conditional bool `json:"conditional"`
		} `json:"autoencoder-adversarial"`
	}
	if err := json.Unmarshal(res.Config, &cfg); err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "models", "model.npz"); cfg.Model.Weights != want || cfg.Model.Train == nil || *cfg.Model.Train.Images != 300 || *cfg.Model.Train.Seed != 1 {
		t.Errorf("results.json config model: %+v, want weights %s and the train settings", cfg.Model, want)
	}
	if !cfg.Settings.Conditional {
		t.Error("results.json config: autoencoder-adversarial.conditional not recorded")
	}
	notes := strings.Join(res.Notes, "\n")
	for _, want := range []string{"Conditional p-values", "The model (autoencoder) was trained here", "The classifier (classifier) was trained here",
		"categorical_crossentropy with Adam, epochs 1, batch 32, seed 2, on the first 300 images of the mnist training split"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q lack %q", notes, want)
		}
	}
	report1 := withoutTimings(t, dir)
	weights1, err := os.ReadFile(filepath.Join(dir, "models", "model.npz"))
	if err != nil {
		t.Fatal(err)
	}
	mKey1, cKey1 := readKeys()

	// Second run: nothing is trained again.
	_, lines = run(raw)
	if has(lines, "model: training") || has(lines, "classifier: training") || !has(lines, "model: reusing") ||
		!has(lines, "classifier: reusing") || !has(lines, "set fgsm: reusing") {
		t.Errorf("second run: %q", lines)
	}
	if !bytes.Equal(report1, withoutTimings(t, dir)) {
		t.Error("the second run's results differ beyond their timings")
	}

	// Another seed for the model only: the model is retrained under a new
	// key, the classifier and the attack set are reused.
	_, lines = run(bytes.Replace(raw, []byte("train: {epochs: 1, batch: 32, images: 300}"), []byte("train: {epochs: 1, batch: 32, images: 300, seed: 5}"), 1))
	if !has(lines, "model: training") || has(lines, "classifier: training") || !has(lines, "set fgsm: reusing") {
		t.Errorf("run with another model seed: %q", lines)
	}
	mKey2, cKey2 := readKeys()
	if mKey2 == mKey1 || cKey2 != cKey1 {
		t.Errorf("model key %q → %q (want a change), classifier key %q → %q (want none)", mKey1, mKey2, cKey1, cKey2)
	}
	weights2, err := os.ReadFile(filepath.Join(dir, "models", "model.npz"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(weights1, weights2) {
		t.Error("another seed gave the same weights")
	}
}

// TestExportActivations checks that kind activations, on the values an
// autoencoder run exports (-export-activations), gives that run's AUCs
// and confidence intervals, individual and group scans alike.
func TestExportActivations(t *testing.T) {
	artifacts := filepath.Dir(filepath.Dir(refdata.Path(t, "models/mnist_autoencoder.npz")))
	// The small layers only, for speed.
	for _, tc := range []struct{ config, layers, small, mode, extra string }{
		{"quick.yaml", "[conv2d_1, max_pooling2d_3, conv2d_7]", "[max_pooling2d_3, conv2d_7]", "individual", ""},
		{"quick-group.yaml", "[conv2d_1, conv2d_7]", "[conv2d_7]", "group", "  group: {size: 20, proportions: [0.5], runs: 6}\n"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			path := filepath.Join("testdata", tc.config)
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			small := bytes.Replace(raw, []byte("layers: "+tc.layers), []byte("layers: "+tc.small), 1)
			if bytes.Equal(small, raw) {
				t.Fatalf("%s: no layers %s", path, tc.layers)
			}
			cfg, err := experiments.ParseConfig(small, path, experiments.Vars{Artifacts: artifacts})
			if err != nil {
				t.Fatal(err)
			}
			export := t.TempDir()
			_, want, err := runner.Run(t.Context(), cfg, runner.Options{OutDir: t.TempDir(), Revision: "test", ExportActivations: export})
			if err != nil {
				t.Fatal(err)
			}
			raw = []byte(fmt.Sprintf("name: from-files\nkind: activations\nseed: %d\nlayers: [%s]\nscan: {mode: %s, score: bj, tail: 1, alpha_max: 0.5}\n"+
				"activations:\n  dir: %s\n  sets: [%s]\n%s", cfg.Seed, strings.Join(cfg.Layers, ", "), tc.mode, export, strings.Join(want.Sets, ", "), tc.extra))
			acfg, err := experiments.ParseConfig(raw, "", experiments.Vars{})
			if err != nil {
				t.Fatal(err)
			}
			_, got, err := runner.Run(t.Context(), acfg, runner.Options{OutDir: t.TempDir(), Revision: "test"})
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Layers) != len(want.Layers) || len(got.Group) != len(want.Group) {
				t.Fatalf("got %d layers and %d group layers, want %d and %d", len(got.Layers), len(got.Group), len(want.Layers), len(want.Group))
			}
			for i, l := range want.Layers {
				g := got.Layers[i]
				if !reflect.DeepEqual(g.AUC, l.AUC) || !reflect.DeepEqual(g.CI, l.CI) || !reflect.DeepEqual(g.Scores, l.Scores) {
					t.Errorf("layer %s: AUC %v CI %v, want %v %v", l.Layer, g.AUC, g.CI, l.AUC, l.CI)
				}
			}
			if !reflect.DeepEqual(got.Group, want.Group) {
				t.Errorf("group points %+v, want %+v", got.Group, want.Group)
			}
			if !reflect.DeepEqual(got.Samples, want.Samples) {
				t.Errorf("samples %v, want %v", got.Samples, want.Samples)
			}
		})
	}
}
