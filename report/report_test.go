package report_test

import (
	"bytes"
	"flag"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"subsetscan/report"
	"subsetscan/scan"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sample is an activation-space experiment: two sets with published
// values and per-set tolerances (one cell within, one outside and
// unexplained ⚠, one outside but known †) and a set without.
func sample() *report.Results {
	return &report.Results{
		Experiment:  "toy",
		Description: "A synthetic experiment for the report golden files.",
		Config:      []byte(`{"name":"toy"}`),
		Provenance:  report.Provenance{Seed: 7, ConfigHash: "abc123", GoVersion: "go1.x", Revision: "r1"},
		Samples:     map[string]int{"background": 10, "clean": 4, "fgsm": 3, "deepfool": 3, "extra": 3},
		Sets:        []string{"fgsm", "deepfool", "extra"},
		CIMethod:    "DeLong (1988), 95 %",
		Tolerances: map[string]report.Tolerance{
			"fgsm":     {Value: 0.002, Reason: "the authors' images; published values truncated to three decimals"},
			"deepfool": {Value: 0.02, Reason: "generated here: a different number of images"},
		},
		Layers: []report.Layer{
			{Layer: "conv2d_1", Nodes: 12, AUC: map[string]float64{"fgsm": 1, "deepfool": 0.99, "extra": 0.5},
				Published: map[string]float64{"fgsm": 0.999, "deepfool": 0.999}, Tolerance: 0.002,
				CI:     map[string][2]float64{"fgsm": {1, 1}, "deepfool": {0.95, 1}, "extra": {0.1, 0.9}},
				Scores: map[string][]float64{"clean": {1, 2, 3, 4}, "fgsm": {5, 6, 7}, "deepfool": {3.5, 5, 8}, "extra": {1, 2.5, 4}}},
			{Layer: "conv2d_2", Nodes: 6, AUC: map[string]float64{"fgsm": 0.75, "deepfool": 0.7, "extra": 0.25},
				Published: map[string]float64{"fgsm": 0.9, "deepfool": 0.848}, Tolerance: 0.002,
				Known: map[string]string{"deepfool": "the authors' code gives 0.726."}},
		},
		Notes:   []string{"conv2d_2 differs because of a toy reason."},
		Timings: map[string]float64{"total": 1.5},
	}
}

// reconSample is a reconstruction-error experiment: one 4-pixel layer with
// the baseline AUCs and pixel maps, and no published values.
func reconSample() *report.Results {
	return &report.Results{
		Experiment: "toy-recon",
		Provenance: report.Provenance{Seed: 1, ConfigHash: "def456", GoVersion: "go1.x", Revision: "r2"},
		Samples:    map[string]int{"background": 10, "clean": 3, "adv": 2},
		Sets:       []string{"adv"},
		Baseline:   "mean reconstruction error",
		Layers: []report.Layer{{Layer: "reconstruction_error", Nodes: 4,
			AUC: map[string]float64{"adv": 1}, Baseline: map[string]float64{"adv": 0.6},
			Scores: map[string][]float64{"clean": {0.5, 1, 1.5}, "adv": {3, 4}}}},
		PixelMaps: []report.PixelMap{
			{Set: "clean", Index: 0, Score: 0.5, Alpha: 0.5, Height: 2, Width: 2, Image: []float32{0, 1, 1, 0}, Nodes: []int{1}},
			{Set: "adv", Index: 0, Score: 3, Alpha: 0.05, Height: 2, Width: 2, Image: []float32{0, 1, 1, 0}, Nodes: []int{0, 3}},
		},
		Timings: map[string]float64{"total": 0.5},
	}
}

// compareGolden compares got with testdata/name (rewriting it first with
// -update); a difference writes testdata/name.got.
func compareGolden(t *testing.T, got []byte, name string) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(got, want) {
		os.WriteFile(golden+".got", got, 0o644)
		t.Errorf("report differs from %s; see %s.got", golden, golden)
	}
}

// TestRenderGolden renders each sample and compares its report.md, whose
// structure (tables, flagged cells, tolerances, baseline columns, figure
// list) the golden files fix.
func TestRenderGolden(t *testing.T) {
	tests := []struct {
		golden  string
		res     *report.Results
		want    []string // substrings that must be there, whatever the golden says
		figures []string
	}{
		{"report.md.golden", sample(),
			[]string{"| fgsm published | Δ (±0.002) |", "| deepfool published | Δ (±0.02) |", "-0.150 ⚠", "-0.148 †", "+0.001  ", "| 0.990 [0.950, 1.000] |",
				"### Tolerances", "| deepfool | 0.02      | generated here: a different number of images",
				"(Δ -0.150, tolerance 0.002) ⚠: not explained", "(Δ -0.148, tolerance 0.02) †: the authors' code gives 0.726."},
			[]string{"auc_layers.png", "roc_conv2d_1.png", "scores_conv2d_1.png"}},
		{"recon.md.golden", reconSample(),
			[]string{"| adv   | adv baseline |", "| 1.000 | 0.600        |", "No published values to compare with.",
				"mean reconstruction error of each image"},
			[]string{"roc_reconstruction_error.png", "scores_reconstruction_error.png", "pixels_clean.png", "pixels_adv.png"}},
		{"group.md.golden", groupSample(),
			[]string{"## Group scans: detection power against the contamination proportion", "### adv", "### broken",
				"| conv2d_1        | 0.01       | 5    | 0.500                | 0.100     | 0.800  |",
				"| conv2d_1        | 0.50       | 5    | 1.000 [1.000, 1.000] |", "an interval of zero width", "precision and recall of the images the scan found"},
			[]string{"group_adv.png", "group_other.png"}},
	}
	for _, tc := range tests {
		t.Run(tc.golden, func(t *testing.T) {
			dir := t.TempDir()
			if err := report.Render(dir, tc.res); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(dir, "report.md"))
			if err != nil {
				t.Fatal(err)
			}
			compareGolden(t, got, tc.golden)
			for _, w := range tc.want {
				if !strings.Contains(string(got), w) {
					t.Errorf("report lacks %q", w)
				}
			}
			for _, f := range tc.figures {
				if !strings.Contains(string(got), "!["+strings.TrimSuffix(f, ".png")+"]("+f+")") {
					t.Errorf("report does not list %s", f)
				}
				checkPNG(t, filepath.Join(dir, f))
			}
		})
	}
}

func checkPNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Error(err)
		return
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Errorf("%s: %v", path, err)
	} else if b := img.Bounds(); b.Dx() < 300 || b.Dy() < 150 {
		t.Errorf("%s: %v too small", path, b)
	}
}

func TestDeviations(t *testing.T) {
	d := sample().Deviations()
	if len(d) != 2 || d[0].Layer != "conv2d_2" || d[0].Set != "fgsm" || d[0].Known != "" || d[0].Tolerance != 0.002 ||
		d[1].Set != "deepfool" || d[1].Known == "" || d[1].Tolerance != 0.02 {
		t.Errorf("got %+v, want conv2d_2 fgsm (unexplained) and deepfool (known)", d)
	}
	// conv2d_1 deepfool is 0.009 off: inside its 0.02, outside 0.002.
	r := sample()
	r.Tolerances["deepfool"] = report.Tolerance{Value: 0.002}
	if d := r.Deviations(); len(d) != 3 || d[0].Layer != "conv2d_1" || d[0].Set != "deepfool" {
		t.Errorf("with deepfool at 0.002: got %+v", d)
	}
	// Results written before per-set tolerances use the layer's.
	r.Tolerances = nil
	for i := range r.Layers {
		r.Layers[i].Tolerance = 0.2
	}
	if d := r.Deviations(); len(d) != 0 {
		t.Errorf("with layer tolerances 0.2: got %+v", d)
	}
	// A NaN AUC is never within tolerance.
	r.Layers[0].AUC["fgsm"] = math.NaN()
	if d := r.Deviations(); len(d) != 1 {
		t.Errorf("NaN AUC: got %+v", d)
	}
}

func TestDensity(t *testing.T) {
	x := []float64{0, 0.1, 0.5, 0.99, 1, math.NaN(), 2, math.Inf(1)}
	bins := report.Density(x, 0, 1, 4)
	if len(bins) != 4 {
		t.Fatalf("got %d bins", len(bins))
	}
	area := 0.0
	counts := make([]float64, 4)
	for i, b := range bins {
		area += b.Weight * (b.Max - b.Min)
		counts[i] = b.Weight * 5 * 0.25 // 5 values in range, width 0.25
	}
	if math.Abs(area-1) > 1e-12 {
		t.Errorf("area %v, want 1", area)
	}
	// 1 (= hi) falls in the last bin; NaN, Inf and 2 are dropped.
	if want := []float64{2, 0, 1, 2}; !slices.EqualFunc(counts, want, func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }) {
		t.Errorf("counts %v, want %v", counts, want)
	}
	for _, tc := range []struct {
		x      []float64
		lo, hi float64
		nb     int
	}{{x, 1, 1, 4}, {x, 0, 1, 0}, {[]float64{math.NaN()}, 0, 1, 3}, {[]float64{5}, 0, 1, 3}} {
		if b := report.Density(tc.x, tc.lo, tc.hi, tc.nb); b != nil {
			t.Errorf("Density(%v, %v, %v, %d) = %v, want nil", tc.x, tc.lo, tc.hi, tc.nb, b)
		}
	}
}

func TestPixelImage(t *testing.T) {
	m := report.PixelMap{Set: "adv", Height: 1, Width: 3, Image: []float32{0, 1, -0.5}, Nodes: []int{0, 1}}
	img, err := report.PixelImage(m)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 3*8 || b.Dy() != 8 {
		t.Fatalf("bounds %v", b)
	}
	for _, tc := range []struct {
		x       int
		r, g, b uint8
	}{
		{0, 153, 0, 0},     // black in the subset: dark red
		{1, 255, 102, 102}, // white in the subset: pink
		{2, 0, 0, 0},       // −0.5 outside it: clamped to black
	} {
		c := img.RGBAAt(tc.x*8+3, 4)
		if c.R != tc.r || c.G != tc.g || c.B != tc.b || c.A != 255 {
			t.Errorf("pixel %d: got %v, want (%d, %d, %d)", tc.x, c, tc.r, tc.g, tc.b)
		}
	}
	for _, bad := range []report.PixelMap{
		{Height: 2, Width: 2, Image: []float32{0}},
		{Height: 1, Width: 1, Image: []float32{0}, Nodes: []int{1}},
	} {
		if _, err := report.PixelImage(bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
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
	for _, name := range []string{"report.md", "auc_layers.png", "roc_conv2d_1.png", "scores_conv2d_1.png"} {
		if strings.HasSuffix(name, ".png") {
			checkPNG(t, filepath.Join(dir, name))
		} else if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	rec := reconSample()
	if err := report.Save(dir, rec); err != nil {
		t.Fatal(err)
	}
	if got, err = report.Load(dir); err != nil {
		t.Fatal(err)
	}
	if got.Baseline != rec.Baseline || got.Layers[0].Baseline["adv"] != 0.6 || len(got.PixelMaps) != 2 ||
		!slices.Equal(got.PixelMaps[1].Nodes, []int{0, 3}) || !slices.Equal(got.PixelMaps[1].Image, rec.PixelMaps[1].Image) {
		t.Errorf("round trip of a reconstruction-error result: got %+v", got)
	}
	if r := sample(); report.Save(dir, r) == nil {
		if got, err := report.Load(dir); err != nil || got.Tolerances["deepfool"] != r.Tolerances["deepfool"] {
			t.Errorf("round trip of the tolerances: got %+v, %v", got.Tolerances, err)
		}
	}
	os.WriteFile(filepath.Join(dir, report.FileName), []byte("{"), 0o644)
	if _, err := report.Load(dir); err == nil || !strings.Contains(err.Error(), report.FileName) {
		t.Errorf("corrupt results.json: got %v", err)
	}
}

// TestToleranceTableShares checks that sets sharing a tolerance and its
// reason share one row (the reason is printed once), in the order of the
// sets, and that a different value or reason gets a row of its own.
func TestToleranceTableShares(t *testing.T) {
	why := "generated here:   a different\nnumber of images"
	r := &report.Results{
		Sets: []string{"a", "b", "c", "d", "e"},
		Tolerances: map[string]report.Tolerance{
			"a": {Value: 0.05, Reason: why}, "b": {Value: 0.002, Reason: "the authors' images"},
			"c": {Value: 0.05, Reason: "generated here: a different number of images"},
			"e": {Value: 0.05, Reason: "another reason"},
		},
	}
	got := r.ToleranceTable().Rows
	want := [][]string{
		{"a, c", "0.05", "generated here: a different number of images"},
		{"b", "0.002", "the authors' images"},
		{"e", "0.05", "another reason"},
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("rows %q, want %q", got, want)
	}
}

// TestRenderRemovesStaleFigures checks that a figure of a layer the results
// no longer have is removed, and that other files are kept.
func TestRenderRemovesStaleFigures(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"roc_gone.png", "scores_gone.png", "notes.png", "roc_conv2d_9.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := report.Render(dir, sample()); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"roc_gone.png": false, "scores_gone.png": false, "notes.png": true,
		"roc_conv2d_9.txt": true, "roc_conv2d_1.png": true} {
		if _, err := os.Stat(filepath.Join(dir, name)); (err == nil) != want {
			t.Errorf("%s: present %v, want %v", name, err == nil, want)
		}
	}
}
