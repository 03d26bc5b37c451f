package experiments

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"subsetscan/report"
	"subsetscan/scan"
)

// selectedNodes returns where the group scans of n's layer at proportion
// index pi selected nodes in the contaminated groups: for each spatial
// position of the layer's [h w c] output, the share of its c channels in
// the subsets found, averaged over the runs. It scans the same groups as
// ScanGroups (the same stream, set index 0). It returns false for a layer
// without a spatial layout (h or w of 1).
func (s *subsetGANSettings) selectedNodes(cfg *Config, n *ganNetScan, im *Images, acts *Activations, layer string, pi int,
	workers int) (report.GANNodes, bool, error) {
	shape, ok := n.model.OutputShape(layer)
	if !ok || len(shape) != 3 || shape[0] < 2 || shape[1] < 2 {
		return report.GANNodes{}, false, nil
	}
	tail, _ := scan.ParseTail(cfg.Scan.Tail)
	var buf pvalueBuffers
	ranges, err := buf.pvalues(acts.Background[layer], acts.Eval[layer], tail, workers)
	if err != nil {
		return report.GANNodes{}, false, err
	}
	g, prop := s.Group, s.Group.Proportions[pi]
	nAnom := min(max(1, int(math.Round(prop*float64(g.Size)))), im.Samples[n.set], g.Size)
	first, _ := im.rows(n.set)
	rng := rand.New(rand.NewPCG(cfg.Seed, uint64(pi)))
	groups := drawGroups(rng, im.Clean(), im.Samples[n.set], first, nAnom, g)
	results, err := groupScans(ranges, groups, g.options(cfg), workers)
	if err != nil {
		return report.GANNodes{}, false, err
	}
	h, w, c := shape[0], shape[1], shape[2]
	share := make([]float64, h*w)
	truth := make([]int, nAnom) // a contaminated group's fakes are its first rows
	for i := range truth {
		truth[i] = i
	}
	var recall float64
	for k := 1; k < len(results); k += 2 { // the contaminated groups
		for _, j := range results[k].Nodes {
			share[j/c]++
		}
		_, r := scan.PrecisionRecall(results[k].Samples, truth)
		recall += r
	}
	for i := range share {
		share[i] /= float64(g.Runs * c)
	}
	return report.GANNodes{Network: n.label, Layer: layer, Set: n.set, Proportion: prop, Height: h, Width: w,
		Share: share, Recall: recall / float64(g.Runs)}, true, nil
}

// bestGroupLayer returns the layer (without n's label) of n's highest group
// AUC at the proportion prop, the first of equal ones.
func bestGroupLayer(n *ganNetScan, prop float64) (string, error) {
	best, bestAUC := "", math.Inf(-1)
	for _, gl := range n.group {
		i := slices.IndexFunc(gl.Points, func(p report.GroupPoint) bool { return p.Proportion == prop })
		if i >= 0 && gl.Points[i].AUC > bestAUC {
			best, bestAUC = gl.Layer, gl.Points[i].AUC
		}
	}
	if best == "" {
		return "", fmt.Errorf("no group scan at proportion %v", prop)
	}
	return best, nil
}
