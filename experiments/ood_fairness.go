package experiments

import (
	"fmt"
	"os"
	"slices"

	"subsetscan/data"
	"subsetscan/report"
)

// oodFairness configures the breakdown of kind ood by subgroup of the
// in-distribution images: the ink mass of an image (the sum of its pixel
// values, a proxy of stroke thickness), cut into Groups quantile bins
// whose edges are the background images' quantiles; with Skewed, the same
// breakdown for a second classifier trained with one subgroup thinned.
type oodFairness struct {
	Groups int        `yaml:"groups" json:"groups" cfg:"required"`
	Skewed *oodSkewed `yaml:"skewed" json:"skewed,omitempty"`
}

// oodSkewed names the skewed classifier: its weights (of the config's
// model.arch) and how its training set was skewed, the subgroup Thinned
// (1-based, of the same Groups; `subsetscan train -thin-group`) keeping
// the fraction Keep of its images. Thinned and Keep are reported, not
// checked against the weights.
type oodSkewed struct {
	Weights string  `yaml:"weights" json:"weights" cfg:"required,path"`
	Thinned int     `yaml:"thinned" json:"thinned" cfg:"required"`
	Keep    float64 `yaml:"keep" json:"keep" cfg:"required"`
}

// check checks the section, whose key is key.
func (f *oodFairness) check(key string, clean int) error {
	if f.Groups < 2 || f.Groups > clean {
		return keyErr(key+".groups", "must be in [2, samples.clean], got %d", f.Groups)
	}
	sk := f.Skewed
	switch {
	case sk == nil:
		return nil
	case sk.Thinned < 1 || sk.Thinned > f.Groups:
		return keyErr(key+".skewed.thinned", "must be a subgroup 1 to groups (%d), got %d", f.Groups, sk.Thinned)
	case !(sk.Keep >= 0 && sk.Keep <= 1):
		return keyErr(key+".skewed.keep", "must be in [0, 1], got %v", sk.Keep)
	}
	if _, err := os.Stat(sk.Weights); err != nil {
		return keyErr(key+".skewed.weights", "%v", err)
	}
	return nil
}

// share returns the share of true values of ok among the indices in idx
// (all when idx is nil).
func share(ok []bool, idx []int) float64 {
	if idx == nil {
		idx = make([]int, len(ok))
		for i := range idx {
			idx[i] = i
		}
	}
	n := 0
	for _, i := range idx {
		if ok[i] {
			n++
		}
	}
	return float64(n) / float64(len(idx))
}

// layerScores returns a layer's scan scores in the order of im.Eval's
// rows.
func layerScores(l report.Layer, im *Images) []float64 {
	out := slices.Clone(l.Scores["clean"])
	for _, s := range im.Sets {
		out = append(out, l.Scores[s]...)
	}
	return out
}

// breakdown returns the subgroups of the clean images of im and, per
// subgroup: the classifier's accuracy, and for each detector (methods[i]
// with scores[i], one per row of im.Eval) the false-positive rate at the
// threshold of 95 % TPR over all clean images, and the AUROC of the
// subgroup's clean images against the unknown-class set.
func (f *oodFairness) breakdown(im *Images, methods []report.Method, scores [][]float64, correct []bool) *report.Fairness {
	edges := data.QuantileEdges(data.InkMass(im.Background), f.Groups)
	ink := data.InkMass(im.Eval.Slice(0, im.Clean()))
	members := make([][]int, f.Groups)
	for i, v := range ink {
		b := data.InkGroup(edges, v)
		members[b] = append(members[b], i)
	}
	out := &report.Fairness{Attribute: "ink mass (sum of pixel values), quantile bins of the background", Set: unknownSet}
	first, end := im.rows(unknownSet)
	for b, idx := range members {
		lo, hi := 0.0, float64(im.Eval.RowSize()) // the range of the ink mass of [0, 1] pixels
		if b > 0 {
			lo = edges[b-1]
		}
		if b < len(edges) {
			hi = edges[b]
		}
		g := report.Subgroup{Name: fmt.Sprintf("ink %d/%d", b+1, f.Groups), Lo: lo, Hi: hi, N: len(idx),
			FPR: map[string]float64{}, AUC: map[string]float64{}}
		if len(idx) > 0 {
			g.Accuracy = share(correct, idx)
		}
		for m, sc := range scores {
			name := methods[m].Name
			clean := sc[:im.Clean()]
			sub := make([]float64, len(idx))
			for j, i := range idx {
				sub[j] = clean[i]
			}
			if len(sub) > 0 {
				g.FPR[name] = shareAbove(sub, thresholdAt(clean, oodTPR))
				g.AUC[name], _, _ = aucCI(sub, sc[first:end])
			}
		}
		out.Groups = append(out.Groups, g)
	}
	return out
}
