package report

import (
	"fmt"
	"maps"
	"slices"
)

// Check checks what can be checked of the SubsetGAN analog's results
// (subsetscan verify): its networks and images are not the paper's, so
// its AUCs are shown beside the published ones, not compared with them.
// It counts the cells (table rows, individual-scan layers, group points)
// and returns a problem for every row or layer without a valid AUC (in
// [0, 1], inside its interval), every group layer whose (set, proportion)
// points differ from the first one's or lack the table's proportion, and
// every sample count below 2.
func (g *SubsetGAN) Check(samples map[string]int, group []GroupLayer) (cells int, problems []string) {
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	for _, row := range g.Rows {
		cells++
		if !unitAUC(row.AUC) || !(row.CI[0] <= row.AUC && row.AUC <= row.CI[1]) {
			bad("table row %s (%s): AUC %v, CI %v", row.Key, row.Set, row.AUC, row.CI)
		}
	}
	for _, sc := range g.Individual {
		if len(sc.Layers) == 0 {
			bad("individual scans of %s on %s: no layer", sc.Network, sc.Set)
		}
		for _, l := range sc.Layers {
			cells++
			if a, ok := l.AUC[sc.Set]; !ok || !unitAUC(a) {
				bad("individual scan of %s layer %s on %s: AUC %v", sc.Network, l.Layer, sc.Set, l.AUC[sc.Set])
			}
		}
	}
	cells += checkGroupPoints(group, g.TableProportion, bad)
	for _, set := range slices.Sorted(maps.Keys(samples)) {
		if samples[set] < 2 {
			bad("set %s: %d samples", set, samples[set])
		}
	}
	return cells, problems
}

// checkGroupPoints checks that every set of every group layer has points
// at the same proportions as the first layer's first set, the table's
// proportion among them, with valid AUC, precision and recall; it returns
// the number of points.
func checkGroupPoints(group []GroupLayer, table float64, bad func(string, ...any)) int {
	if len(group) == 0 || len(group[0].Points) == 0 {
		bad("no group scans")
		return 0
	}
	proportions := func(l GroupLayer, set string) []float64 {
		var ps []float64
		for _, p := range l.Points {
			if p.Set == set {
				ps = append(ps, p.Proportion)
			}
		}
		return ps
	}
	want, n := proportions(group[0], group[0].Points[0].Set), 0
	if !slices.Contains(want, table) {
		bad("group layer %s: no point at the table's proportion %v", group[0].Layer, table)
	}
	for _, l := range group {
		seen := map[string]bool{}
		for _, p := range l.Points {
			n++
			if !seen[p.Set] {
				seen[p.Set] = true
				if got := proportions(l, p.Set); !slices.Equal(got, want) {
					bad("group layer %s, set %s: proportions %v, not %v", l.Layer, p.Set, got, want)
				}
			}
			if p.Runs < 1 || !unitAUC(p.AUC) || !unitAUC(p.Precision) || !unitAUC(p.Recall) {
				bad("group layer %s, %s at %v: %d runs, AUC %v, precision %v, recall %v", l.Layer, p.Set, p.Proportion, p.Runs, p.AUC, p.Precision, p.Recall)
			}
		}
	}
	return n
}
