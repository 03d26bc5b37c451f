package report_test

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"subsetscan/report"
)

// groupSample is a group-scan experiment: three layers, the third
// repeating the second's points (as an up-sampling layer does), points
// out of proportion order, a second set, and a set whose values are all
// NaN.
func groupSample() *report.Results {
	pt := func(set string, prop, auc, prec, rec float64) report.GroupPoint {
		return report.GroupPoint{Set: set, Proportion: prop, Runs: 5, AUC: auc, Precision: prec, Recall: rec}
	}
	ptCI := func(set string, prop, auc, prec, rec float64) report.GroupPoint {
		p := pt(set, prop, auc, prec, rec)
		p.CI = &[2]float64{1, 1}
		return p
	}
	nan := math.NaN()
	return &report.Results{
		Experiment: "toy-group",
		CIMethod:   "DeLong (1988), 95 %",
		Provenance: report.Provenance{Seed: 3, ConfigHash: "0badc0de", GoVersion: "go1.x", Revision: "r3"},
		Samples:    map[string]int{"background": 10, "clean": 20, "adv": 8, "other": 8, "broken": 8},
		Sets:       []string{"adv", "other", "broken"},
		Group: []report.GroupLayer{
			{Layer: "conv2d_1", Points: []report.GroupPoint{
				ptCI("adv", 0.5, 1, 1, 0.9), pt("adv", 0.01, 0.5, 0.1, 0.8), pt("adv", 0.1, 0.9, 0.7, 1),
				pt("other", 0.1, 0.6, 0.2, 0.3), pt("broken", 0.1, nan, nan, nan)}},
			{Layer: "conv2d_2", Points: []report.GroupPoint{
				pt("adv", 0.01, 0.4, 0.05, 0.5), pt("adv", 0.1, 0.7, nan, 0.6), pt("adv", 0.5, 0.8, 0.4, 0.45),
				pt("other", 0.1, 0.6, 0.2, 0.3), pt("broken", 0.1, nan, nan, nan)}},
			{Layer: "up_sampling2d_1", Points: []report.GroupPoint{
				pt("adv", 0.01, 0.4, 0.05, 0.5), pt("adv", 0.1, 0.7, nan, 0.6), pt("adv", 0.5, 0.8, 0.4, 0.45),
				pt("broken", 0.1, nan, nan, nan)}},
		},
		Timings: map[string]float64{"total": 2},
	}
}

func TestGroupCurves(t *testing.T) {
	r := groupSample()
	type want struct {
		layer, sameAs string
		prop, auc     []float64
	}
	tests := []struct {
		set  string
		want []want
	}{
		{"adv", []want{
			{"conv2d_1", "", []float64{0.01, 0.1, 0.5}, []float64{0.5, 0.9, 1}},
			{"conv2d_2", "", []float64{0.01, 0.1, 0.5}, []float64{0.4, 0.7, 0.8}},
			{"up_sampling2d_1", "conv2d_2", []float64{0.01, 0.1, 0.5}, []float64{0.4, 0.7, 0.8}},
		}},
		// conv2d_2 repeats conv2d_1 here; up_sampling2d_1 has no point.
		{"other", []want{
			{"conv2d_1", "", []float64{0.1}, []float64{0.6}},
			{"conv2d_2", "conv2d_1", []float64{0.1}, []float64{0.6}},
		}},
		// NaN equals NaN when layers are compared.
		{"broken", []want{
			{"conv2d_1", "", []float64{0.1}, []float64{math.NaN()}},
			{"conv2d_2", "conv2d_1", []float64{0.1}, []float64{math.NaN()}},
			{"up_sampling2d_1", "conv2d_1", []float64{0.1}, []float64{math.NaN()}},
		}},
		{"missing", nil},
	}
	same := func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }
	for _, tc := range tests {
		got := r.GroupCurves(tc.set)
		if len(got) != len(tc.want) {
			t.Errorf("%s: %d curves, want %d: %+v", tc.set, len(got), len(tc.want), got)
			continue
		}
		for i, w := range tc.want {
			g := got[i]
			if g.Layer != w.layer || g.SameAs != w.sameAs || !slices.Equal(g.Proportion, w.prop) ||
				!slices.EqualFunc(g.AUC, w.auc, same) || len(g.Precision) != len(w.prop) || len(g.Recall) != len(w.prop) {
				t.Errorf("%s, curve %d: got %+v, want %+v", tc.set, i, g, w)
			}
		}
	}
	// Precision and recall follow their points through the sort.
	c := r.GroupCurves("adv")[0]
	if !slices.Equal(c.Precision, []float64{0.1, 0.7, 1}) || !slices.Equal(c.Recall, []float64{0.8, 1, 0.9}) ||
		!slices.Equal(c.Runs, []int{5, 5, 5}) {
		t.Errorf("conv2d_1 adv: got %+v", c)
	}
}

// TestGroupFigure renders the group sample: one three-panel figure per set
// with a finite point, of the fixed size 12 × 5 inches at 96 dpi, listed
// in the report; none for the set whose values are all NaN.
func TestGroupFigure(t *testing.T) {
	dir := t.TempDir()
	if err := report.Render(dir, groupSample()); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		set  string
		want bool
	}{{"adv", true}, {"other", true}, {"broken", false}} {
		name := "group_" + tc.set + ".png"
		listed := strings.Contains(string(md), "![group_"+tc.set+"]("+name+")")
		f, err := os.Open(filepath.Join(dir, name))
		if !tc.want {
			if err == nil {
				f.Close()
				t.Errorf("%s written for a set without finite values", name)
			}
			if listed {
				t.Errorf("report lists %s", name)
			}
			continue
		}
		if err != nil {
			t.Error(err)
			continue
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil {
			t.Errorf("%s: %v", name, err)
		} else if cfg.Width != 12*96 || cfg.Height != 5*96 {
			t.Errorf("%s: %d×%d pixels, want %d×%d", name, cfg.Width, cfg.Height, 12*96, 5*96)
		}
		if !listed {
			t.Errorf("report does not list %s", name)
		}
	}
}
