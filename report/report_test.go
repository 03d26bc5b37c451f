package report_test

import (
	"bytes"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"subsetscan/report"
	"subsetscan/scan"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func sample() *report.Results {
	return &report.Results{
		Experiment:  "toy",
		Description: "A synthetic experiment for the report golden files.",
		Config:      []byte(`{"name":"toy"}`),
		Provenance:  report.Provenance{Seed: 7, ConfigHash: "abc123", GoVersion: "go1.x", Revision: "r1"},
		Samples:     map[string]int{"background": 10, "clean": 4, "fgsm": 3},
		Sets:        []string{"fgsm", "extra"},
		Layers: []report.Layer{
			{Layer: "conv2d_1", Nodes: 12, AUC: map[string]float64{"fgsm": 1, "extra": 0.5},
				Published: map[string]float64{"fgsm": 0.999}, Tolerance: 0.02,
				Scores: map[string][]float64{"clean": {1, 2, 3, 4}, "fgsm": {5, 6, 7}, "extra": {1, 2.5, 4}}},
			{Layer: "conv2d_2", Nodes: 6, AUC: map[string]float64{"fgsm": 0.75, "extra": 0.25},
				Published: map[string]float64{"fgsm": 0.9}, Tolerance: 0.02},
		},
		Notes:   []string{"conv2d_2 differs because of a toy reason."},
		Timings: map[string]float64{"total": 1.5},
	}
}

func TestMarkdownGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := sample().WriteMarkdown(&buf, []string{"auc_layers.png"}); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "report.md.golden")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		os.WriteFile(golden+".got", buf.Bytes(), 0o644)
		t.Errorf("report differs from %s; see %s.got", golden, golden)
	}
	if !strings.Contains(buf.String(), "-0.150 ⚠") {
		t.Errorf("the out-of-tolerance cell is not flagged:\n%s", buf.String())
	}
}

func TestDeviations(t *testing.T) {
	d := sample().Deviations()
	if len(d) != 1 || d[0].Layer != "conv2d_2" || d[0].Set != "fgsm" {
		t.Errorf("got %+v, want conv2d_2/fgsm only", d)
	}
}

func TestROCMatchesAUC(t *testing.T) {
	clean := []float64{0, 1, 1, 2, 5}
	anom := []float64{1, 3, 4, 6}
	fpr, tpr := report.ROC(clean, anom)
	// Trapezoidal area under the ROC equals the Mann-Whitney AUC.
	area := 0.0
	for i := 1; i < len(fpr); i++ {
		area += (fpr[i] - fpr[i-1]) * (tpr[i] + tpr[i-1]) / 2
	}
	want, err := scan.AUC(clean, anom)
	if err != nil {
		t.Fatal(err)
	}
	if diff := area - want; diff > 1e-12 || diff < -1e-12 {
		t.Errorf("area %v, AUC %v", area, want)
	}
	if fpr[0] != 0 || tpr[0] != 0 || fpr[len(fpr)-1] != 1 || tpr[len(tpr)-1] != 1 {
		t.Errorf("ROC does not run from (0,0) to (1,1): %v %v", fpr, tpr)
	}
}

func TestSaveLoadRender(t *testing.T) {
	dir := t.TempDir()
	r := sample()
	if err := report.Save(dir, r); err != nil {
		t.Fatal(err)
	}
	got, err := report.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.Experiment != r.Experiment || !slices.Equal(got.Sets, r.Sets) || got.Layers[0].AUC["fgsm"] != 1 {
		t.Errorf("round trip: got %+v", got)
	}
	if err := report.Render(dir, got); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"report.md", "auc_layers.png", "roc_conv2d_1.png"} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, ".png") {
			img, err := png.Decode(f)
			if err != nil {
				t.Errorf("%s: %v", name, err)
			} else if b := img.Bounds(); b.Dx() < 300 || b.Dy() < 300 {
				t.Errorf("%s: %v too small", name, b)
			}
		}
		f.Close()
	}
	os.WriteFile(filepath.Join(dir, report.FileName), []byte("{"), 0o644)
	if _, err := report.Load(dir); err == nil || !strings.Contains(err.Error(), report.FileName) {
		t.Errorf("corrupt results.json: got %v", err)
	}
}
