package report_test

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"subsetscan/report"
)

// ganSample is a SubsetGAN study: two rows with published values, one
// without, one discriminator of two layers, group scans of two layers.
func ganSample() *report.Results {
	pub := func(v float64) *float64 { return &v }
	ci := func(lo, hi float64) *[2]float64 { return &[2]float64{lo, hi} }
	return &report.Results{
		Experiment: "toy-gan",
		Provenance: report.Provenance{Seed: 1, ConfigHash: "gan123", GoVersion: "go1.x", Revision: "r4"},
		Samples:    map[string]int{"background": 10, "clean": 4, "TS": 4},
		Sets:       []string{"TS"},
		CIMethod:   "DeLong (1988), 95 %",
		Tolerances: map[string]report.Tolerance{"TS": {Value: 0.05, Reason: "an analog"}},
		Group: []report.GroupLayer{
			{Layer: "gan_d/conv2d_1", Points: []report.GroupPoint{
				{Set: "TS", Proportion: 0.1, Runs: 5, AUC: 0.7, CI: ci(0.4, 1), Precision: 0.3, Recall: 0.5},
				{Set: "TS", Proportion: 0.5, Runs: 5, AUC: 0.95, CI: ci(0.8, 1), Precision: 0.9, Recall: 0.8}}},
			{Layer: "gan_d/dense_1", Points: []report.GroupPoint{
				{Set: "TS", Proportion: 0.1, Runs: 5, AUC: 0.5, Precision: 0.1, Recall: 0.2},
				{Set: "TS", Proportion: 0.5, Runs: 5, AUC: 0.6, Precision: 0.5, Recall: 0.4}}},
		},
		SubsetGAN: &report.SubsetGAN{TableProportion: 0.5, TSGrid: "samples_ts.png",
			Rows: []report.GANRow{
				{Key: "fakespotter", Set: "TS", Method: "FakeSpotter", Generation: "TS", PaperNetwork: "fake face classifier", Network: "coverage",
					AUC: 0.9, CI: [2]float64{0.8, 1}, Published: pub(0.985)},
				{Key: "subsetgan-individual", Set: "TS", Method: "SubsetGAN", Generation: "TS (individual)", PaperNetwork: "D(x) from PGGAN",
					Network: "D of the TS GAN (gan_d), layer conv2d_1", AUC: 0.96, CI: [2]float64{0.9, 1}, Published: pub(0.95)},
				{Set: "TS", Method: "fake-resnet", Generation: "TS", Network: "fake-resnet (supervised score, not a scan)", AUC: 0.99, CI: [2]float64{0.98, 1}},
			},
			Individual: []report.GANScan{{Network: "gan_d", Set: "TS", Layers: []report.LayerAUC{
				{Layer: "conv2d_1", AUC: map[string]float64{"TS": 0.96}, CI: map[string][2]float64{"TS": {0.9, 1}}},
				{Layer: "dense_1", AUC: map[string]float64{"TS": 0.7}, CI: map[string][2]float64{"TS": {0.5, 0.9}}}}}},
			Trained: []string{"FakeSpotter: fitted on 10 real and 10 fake images."},
			Nodes: []report.GANNodes{{Network: "gan_d", Layer: "conv2d_1", Set: "TS", Proportion: 0.5, Height: 2, Width: 3,
				Share: []float64{0, 0.1, 0.2, 0.05, 0.4, 0}, Recall: 0.8}}},
		Timings: map[string]float64{"total": 3},
	}
}

// TestSubsetGANGolden renders the SubsetGAN sample and compares its
// report.md with testdata/subsetgan.md.golden; verify's figures (the
// deviations and the number compared) come from the table's rows.
func TestSubsetGANGolden(t *testing.T) {
	dir := t.TempDir()
	r := ganSample()
	if err := os.WriteFile(filepath.Join(dir, "samples_ts.png"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := report.Render(dir, r); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, got, "subsetgan.md.golden")
	for _, w := range []string{
		"| FakeSpotter | TS              | fake face classifier | 0.985       | coverage",
		"| 0.900 [0.800, 1.000] | -0.085 ⚠ |",
		"On TS fakes the highest AUC is that of fake-resnet (supervised score, not a scan), 0.990 (FakeSpotter 0.900); group scans of TS keep an AUC ≥ 0.9 down to 50 % fakes in a group (in their best layer).",
		"![auc_layers_gan_d](auc_layers_gan_d.png)", "![group_TS](group_TS.png)", "![samples_ts](samples_ts.png)", "![nodes_gan_d](nodes_gan_d.png)", "(white: the largest, 0.400; black: 0)",
		// 2×3 map, ring 1: every position is on the border.
		"- gan_d, layer conv2d_1, TS fakes: 100 % of the selected nodes in the outer 1 ring(s) of its 2×3 map, which hold 100 % of its positions.\n",
		"- fakespotter, TS: 0.900 vs 0.985 published (Δ -0.085, tolerance 0.05) ⚠",
	} {
		if !strings.Contains(string(got), w) {
			t.Errorf("report lacks %q", w)
		}
	}
	for _, png := range []string{"auc_layers_gan_d.png", "group_TS.png"} {
		checkPNG(t, filepath.Join(dir, png))
	}
	checkNodesPNG(t, filepath.Join(dir, "nodes_gan_d.png"))
	if n, devs := r.Compared(), r.Deviations(); n != 2 || len(devs) != 1 || devs[0].Layer != "fakespotter" {
		t.Errorf("compared %d, deviations %+v; want 2 and fakespotter's", n, devs)
	}
}

// checkNodesPNG checks the node map of ganSample: 2×3 positions enlarged
// 16 times, the largest share (position (1, 1)) white, a zero black, 0.1
// a quarter of the peak's grey.
func checkNodesPNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	g, ok := img.(*image.Gray)
	if !ok || g.Bounds().Dx() != 48 || g.Bounds().Dy() != 32 {
		t.Fatalf("%s: %T of %v, want a 48×32 grey image", path, img, img.Bounds())
	}
	for _, c := range []struct {
		x, y int
		want uint8
	}{{16 + 5, 16 + 5, 255}, {3, 3, 0}, {16 + 2, 2, 64}} { // 0.1/0.4·255 = 63.75
		if got := g.GrayAt(c.x, c.y).Y; got != c.want {
			t.Errorf("pixel (%d, %d): %d, want %d", c.x, c.y, got, c.want)
		}
	}
}

// TestBorderShare checks the share of the selected nodes at the border of
// a 7×7 map (ring 1: 24 of the 49 positions).
func TestBorderShare(t *testing.T) {
	n := report.GANNodes{Height: 7, Width: 7, Share: make([]float64, 49)}
	n.Share[0], n.Share[3*7+3], n.Share[6*7+2] = 0.5, 0.25, 0.25 // corner, centre, bottom edge
	if sel, pos := n.BorderShare(); sel != 0.75 || pos != 24.0/49 {
		t.Errorf("BorderShare = %v, %v; want 0.75, 24/49", sel, pos)
	}
	if sel, pos := (report.GANNodes{Height: 2, Width: 2, Share: make([]float64, 4)}).BorderShare(); sel != 0 || pos != 0 {
		t.Errorf("empty map: %v, %v", sel, pos)
	}
}
