package report_test

import (
	"math"
	"strings"
	"testing"

	"subsetscan/report"
)

// TestSubsetGANCheck checks the committed results of subsetgan-mnist
// (no problem), then each kind of damage verify must report.
func TestSubsetGANCheck(t *testing.T) {
	tests := []struct {
		name   string
		damage func(r *report.Results)
		want   string // "" for no problem
	}{
		{"committed", func(*report.Results) {}, ""},
		{"NaN row", func(r *report.Results) { r.SubsetGAN.Rows[0].AUC = math.NaN() }, "table row"},
		{"AUC outside its interval", func(r *report.Results) { r.SubsetGAN.Rows[1].CI = [2]float64{0, 0.1} }, "table row"},
		{"layer without AUC", func(r *report.Results) { r.SubsetGAN.Individual[0].Layers[0].AUC = map[string]float64{} }, "individual scan"},
		{"missing proportion", func(r *report.Results) {
			l := &r.Group[len(r.Group)-1]
			l.Points = l.Points[:len(l.Points)-1]
		}, "proportions"},
		{"table proportion absent", func(r *report.Results) { r.SubsetGAN.TableProportion = 0.3 }, "table's proportion"},
		{"bad recall", func(r *report.Results) { r.Group[0].Points[0].Recall = 1.5 }, "recall 1.5"},
		{"no runs", func(r *report.Results) { r.Group[0].Points[0].Runs = 0 }, "0 runs"},
		{"one sample", func(r *report.Results) {
			for s := range r.Samples {
				r.Samples[s] = 1
				break
			}
		}, "1 samples"},
		{"no group scans", func(r *report.Results) { r.Group = nil }, "no group scans"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := report.Load("../results/subsetgan-mnist")
			if err != nil {
				t.Fatal(err)
			}
			tt.damage(r)
			cells, problems := r.SubsetGAN.Check(r.Samples, r.Group)
			if cells == 0 && tt.want != "no group scans" {
				t.Errorf("%d cells", cells)
			}
			got := strings.Join(problems, "\n")
			switch {
			case tt.want == "" && got != "":
				t.Errorf("problems in the committed results:\n%s", got)
			case tt.want != "" && !strings.Contains(got, tt.want):
				t.Errorf("problems %q, want one with %q", got, tt.want)
			}
		})
	}
}
