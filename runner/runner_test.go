package runner_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
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
	raw = bytes.Replace(raw, []byte("layers: [conv2d_1, conv2d_7]"), []byte("space: reconstruction_error"), 1)
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
