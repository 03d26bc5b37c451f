package report

import (
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"path/filepath"
	"strings"

	"subsetscan/data"
)

// SubsetGAN holds the results of the SubsetGAN analog (kind subsetgan):
// the comparison table in the published shape, the per-layer individual
// scans of each GAN's discriminator, what each detector was trained on,
// and the sample grids. The group scans are in Results.Group, their
// layers named "<arch>/<layer>".
type SubsetGAN struct {
	// Rows are the comparison table's rows, in the published order, then
	// the rows without a published value.
	Rows []GANRow `json:"rows"`
	// Individual are the individual scans of each discriminator, one
	// per layer.
	Individual []GANScan `json:"individual"`
	// Trained says, per detector, what it was trained on.
	Trained []string `json:"trained"`
	// TableProportion is the proportion of fakes of the group rows.
	TableProportion float64 `json:"table_proportion"`
	// TSGrid and AEGrid are the sample grids' files ("" when none): TS
	// samples, and AE sources above their edits.
	TSGrid string `json:"ts_grid,omitempty"`
	AEGrid string `json:"ae_grid,omitempty"`
	// Nodes are, per network, where its group scans found the fakes in
	// the layer of the table's row.
	Nodes []GANNodes `json:"nodes,omitempty"`
}

// GANNodes is where the group scans of one layer selected nodes in the
// contaminated groups at one proportion: Share[y·Width+x] is the share of
// the channels at position (y, x) in the subsets found, averaged over the
// runs.
type GANNodes struct {
	Network    string    `json:"network"`
	Layer      string    `json:"layer"`
	Set        string    `json:"set"`
	Proportion float64   `json:"proportion"`
	Height     int       `json:"height"`
	Width      int       `json:"width"`
	Share      []float64 `json:"share"`
	// Recall is the mean recall of the fakes in those scans, as the
	// group point of the same layer and proportion has it.
	Recall float64 `json:"recall"`
}

// GANRow is one row of the comparison table: a method's AUC on one
// generation type, with the network it used here and in the paper.
type GANRow struct {
	// Key names the row in the config's published values; Set is the
	// fake set (TS, AE or AE+TS).
	Key string `json:"key"`
	Set string `json:"set"`
	// Method, Generation and PaperNetwork are the published table's
	// columns; Network is this project's network (with the layer and
	// proportion where they apply).
	Method       string `json:"method"`
	Generation   string `json:"generation"`
	PaperNetwork string `json:"paper_network,omitempty"`
	Network      string `json:"network"`
	// AUC and CI are this project's AUC and its confidence interval.
	AUC float64    `json:"auc"`
	CI  [2]float64 `json:"ci"`
	// Published is the published AUC, nil when there is none.
	Published *float64 `json:"published,omitempty"`
}

// GANScan is the individual scans of one network's layers on one set.
type GANScan struct {
	Network string     `json:"network"`
	Set     string     `json:"set"`
	Layers  []LayerAUC `json:"layers"`
}

// GANTable returns the comparison table: the published columns, the
// published AUC, this project's AUC with its interval, the network used
// here and Δ (headed with the tolerance of each set, flagged ⚠ beyond it).
func (r *Results) GANTable() Table {
	t := Table{Header: []string{"method", "generation type", "network (paper)", "AUC (paper)", "network here", "AUC here", "Δ"}}
	for _, row := range r.SubsetGAN.Rows {
		pub, delta, paper := "–", "–", row.PaperNetwork
		if paper == "" {
			paper = "–"
		}
		if row.Published != nil {
			pub = f3(*row.Published)
			d := row.AUC - *row.Published
			delta = fmt.Sprintf("%+.3f", d)
			if tol, ok := r.Tolerances[row.Set]; ok && !(math.Abs(d) <= tol.Value) {
				delta += " ⚠"
			}
		}
		here := fmt.Sprintf("%s [%.3f, %.3f]", f3(row.AUC), row.CI[0], row.CI[1])
		t.Rows = append(t.Rows, []string{row.Method, row.Generation, paper, pub, row.Network, here, delta})
	}
	return t
}

// ganDeviations returns the rows with a published value outside the
// tolerance of their set, or without an AUC (NaN).
func (r *Results) ganDeviations() []Deviation {
	if r.SubsetGAN == nil {
		return nil
	}
	var out []Deviation
	for _, row := range r.SubsetGAN.Rows {
		if row.Published == nil {
			continue
		}
		tol := r.Tolerances[row.Set].Value
		if d := row.AUC - *row.Published; !(math.Abs(d) <= tol) {
			out = append(out, Deviation{Layer: row.Key, Set: row.Set, Got: row.AUC, Published: *row.Published, Diff: d, Tolerance: tol})
		}
	}
	return out
}

// ganCompared returns the number of rows with a published value.
func (r *Results) ganCompared() int {
	if r.SubsetGAN == nil {
		return 0
	}
	n := 0
	for _, row := range r.SubsetGAN.Rows {
		if row.Published != nil {
			n++
		}
	}
	return n
}

// writeSubsetGAN writes the SubsetGAN section: what the analog is, the
// comparison table, what the detectors were trained on, the individual
// scans' best layers and a paragraph read from the numbers.
func (r *Results) writeSubsetGAN(w io.Writer) error {
	g := r.SubsetGAN
	if g == nil {
		return nil
	}
	fmt.Fprintf(w, "\n## The SubsetGAN table (analog)\n\n")
	fmt.Fprintf(w, "This is an analog of the third table of Cintas et al. (2021), not a reproduction. The same: fakes of two kinds, total synthesis (TS: a GAN's generator from noise) "+
		"and attribute editing (AE: a StarGAN-style generator changing one attribute of a real image), detected by subset scans of networks that never saw a fake as such — "+
		"each GAN's own discriminator (individual and group scans) and two fake classifiers, a ResNet and a SqueezeNet (group scans of mixed AE and TS fakes) — "+
		"beside the supervised baselines FakeSpotter and AutoGAN scored on the same held-out images. What differs, and why: no face images or pretrained face GANs can be obtained here, "+
		"so the images are MNIST digits and every network was trained in this project: the TS GAN is a small DCGAN (not PGGAN), the AE generator a small StarGAN that edits stroke "+
		"thickness (thin/thick, by ink mass against the median of the digit's class) instead of facial attributes, FakeSpotter monitors this project's MNIST classifier instead of a "+
		"face recogniser. The numbers can therefore only be compared in shape with the published ones.\n\n")
	fmt.Fprintf(w, "AUC here: of the clean real images against the held-out fakes (individual scans, baselines), or of clean against contaminated groups with %.0f %% fakes "+
		"(group rows), with its %s interval. Δ = here − paper; ⚠ marks |Δ| above the set's tolerance (below). The best layer of each network is chosen on these same images, "+
		"as the table reports the best layer: an optimistic choice.\n\n", 100*g.TableProportion, r.CIMethod)
	if err := WriteMarkdownTable(w, r.GANTable()); err != nil {
		return err
	}
	if tt := r.ToleranceTable(); len(tt.Rows) > 0 {
		fmt.Fprintf(w, "\nTolerances:\n\n")
		if err := WriteMarkdownTable(w, tt); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nWhat each detector was trained on:\n\n")
	for _, s := range g.Trained {
		fmt.Fprintf(w, "- %s\n", strings.TrimSpace(s))
	}
	if err := r.writeGANLayers(w); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "\n%s\n", r.GANParagraph()); err != nil {
		return err
	}
	if len(g.Nodes) > 0 {
		fmt.Fprintf(w, "\nWhere the group scans found the fakes (the node maps under Figures): a share of the selected nodes in the border ring well above "+
			"the ring's share of the positions means the scans find the fakes mostly at the image border, where real MNIST digits are blank.\n\n")
	}
	for _, n := range g.Nodes {
		in, area := n.BorderShare()
		fmt.Fprintf(w, "- %s, layer %s, %s fakes: %.0f %% of the selected nodes in the outer %d ring(s) of its %d×%d map, which hold %.0f %% of its positions.\n",
			n.Network, n.Layer, n.Set, 100*in, n.ring(), n.Height, n.Width, 100*area)
	}
	return nil
}

// ring returns the width of the border BorderShare counts: a seventh of
// the map's smaller side, at least 1 (2 positions of a 14×14 map, 4 pixels
// of the image).
func (n GANNodes) ring() int { return max(1, min(n.Height, n.Width)/7) }

// BorderShare returns the share of the selected nodes (Share's mass) in
// the outer ring() rows and columns of the map, and the share of the
// map's positions there; 0, 0 for a map without selected nodes.
func (n GANNodes) BorderShare() (selected, positions float64) {
	k := n.ring()
	var in, all float64
	cells := 0
	for y := range n.Height {
		for x := range n.Width {
			v := n.Share[y*n.Width+x]
			all += v
			if min(y, x, n.Height-1-y, n.Width-1-x) < k {
				in += v
				cells++
			}
		}
	}
	if all == 0 {
		return 0, 0
	}
	return in / all, float64(cells) / float64(n.Height*n.Width)
}

// writeGANLayers writes the per-layer AUC of each discriminator's
// individual scans.
func (r *Results) writeGANLayers(w io.Writer) error {
	for _, sc := range r.SubsetGAN.Individual {
		fmt.Fprintf(w, "\n### Individual scans of %s, %s fakes\n\n", sc.Network, sc.Set)
		t := Table{Header: []string{"layer", "AUC"}}
		for _, l := range sc.Layers {
			t.Rows = append(t.Rows, []string{l.Layer, withCI(l.AUC, l.CI, sc.Set)})
		}
		if err := WriteMarkdownTable(w, t); err != nil {
			return err
		}
	}
	return nil
}

// GANParagraph says from the numbers which method detects each set of
// fakes best, what the published baselines reach on it, and how far down
// the proportion of fakes group scans keep their power.
func (r *Results) GANParagraph() string {
	var parts []string
	for _, set := range r.Sets {
		best, ok := r.bestGANRow(set)
		if !ok {
			continue
		}
		name := best.Method + " (" + best.Network + ")"
		if strings.HasPrefix(best.Network, best.Method) {
			name = best.Network
		}
		s := fmt.Sprintf("On %s fakes the highest AUC is that of %s, %.3f", set, name, best.AUC)
		var others []string
		for _, row := range r.SubsetGAN.Rows {
			if row.Set == set && row.Published != nil && row.Method != best.Method && row.Method != "SubsetGAN" {
				others = append(others, fmt.Sprintf("%s %.3f", row.Method, row.AUC))
			}
		}
		if len(others) > 0 {
			s += " (" + strings.Join(others, ", ") + ")"
		}
		if p, ok := r.holdsDown(set, 0.9); ok {
			s += fmt.Sprintf("; group scans of %s keep an AUC ≥ 0.9 down to %g %% fakes in a group (in their best layer)", set, 100*p)
		} else {
			s += fmt.Sprintf("; no group scan of %s reaches an AUC of 0.9 at any proportion", set)
		}
		parts = append(parts, s+".")
	}
	return strings.Join(parts, " ")
}

// bestGANRow returns the row of set with the highest AUC, the first of
// equal ones, and whether set has a row.
func (r *Results) bestGANRow(set string) (GANRow, bool) {
	var best GANRow
	ok := false
	for _, row := range r.SubsetGAN.Rows {
		if row.Set == set && (!ok || row.AUC > best.AUC) {
			best, ok = row, true
		}
	}
	return best, ok
}

// holdsDown returns the smallest proportion of set's group scans at which
// some layer's AUC is at least min, and whether there is one.
func (r *Results) holdsDown(set string, min float64) (float64, bool) {
	best, ok := math.Inf(1), false
	for _, gl := range r.Group {
		for _, p := range gl.Points {
			if p.Set == set && p.AUC >= min && p.Proportion < best {
				best, ok = p.Proportion, true
			}
		}
	}
	return best, ok
}

// subsetGANFigures writes the per-layer AUC figure of each
// discriminator's individual scans into dir and returns them with the
// sample grids the run wrote, in the report's order.
func (r *Results) subsetGANFigures(dir string) ([]Figure, error) {
	g := r.SubsetGAN
	if g == nil {
		return nil, nil
	}
	var figs []Figure
	for _, sc := range g.Individual {
		sub := &Results{Experiment: r.Experiment + ", " + sc.Network, Sets: []string{sc.Set}}
		for _, l := range sc.Layers {
			sub.Layers = append(sub.Layers, Layer{Layer: l.Layer, AUC: l.AUC, CI: l.CI})
		}
		name := "auc_layers_" + sc.Network + ".png"
		if ok, err := sub.aucFigure(filepath.Join(dir, name)); err != nil {
			return nil, err
		} else if ok {
			figs = append(figs, Figure{File: name, Caption: fmt.Sprintf("Individual scans of %s: AUC of the clean images against the %s fakes across its layers", sc.Network, sc.Set)})
		}
	}
	for _, n := range g.Nodes {
		name := "nodes_" + n.Network + ".png"
		peak, err := writeNodes(filepath.Join(dir, name), n)
		if err != nil {
			return nil, err
		}
		figs = append(figs, Figure{File: name, Caption: fmt.Sprintf("Where the group scans of %s, layer %s, found the %s fakes in the groups with %g %% of them: "+
			"for each position of the layer's %d×%d map, the share of its channels in the subsets found, averaged over the runs (white: the largest, %.3f; black: 0)",
			n.Network, n.Layer, n.Set, 100*n.Proportion, n.Height, n.Width, peak)})
	}
	if g.TSGrid != "" {
		figs = append(figs, Figure{File: g.TSGrid, Caption: "TS fakes: the first held-out samples of the GAN's generator"})
	}
	if g.AEGrid != "" {
		figs = append(figs, Figure{File: g.AEGrid, Caption: "AE fakes: the first held-out real source images (top row) above their edits (bottom row)"})
	}
	return figs, nil
}

// nodesZoom is the size in pixels of one position of a nodes figure at
// most; maps are enlarged to about 112 pixels across.
const nodesZoom = 16

// writeNodes writes n's shares as a grey image to path, scaled so that
// the largest share is white, and returns that share. It is an error if
// the shares do not fill Height × Width.
func writeNodes(path string, n GANNodes) (float64, error) {
	if n.Height < 1 || n.Width < 1 || len(n.Share) != n.Height*n.Width {
		return 0, fmt.Errorf("report: nodes of %s: %d shares for a %d×%d map", n.Network, len(n.Share), n.Height, n.Width)
	}
	peak := 0.0
	for _, v := range n.Share {
		peak = max(peak, v)
	}
	v := make([]float32, len(n.Share))
	for i, x := range n.Share {
		if peak > 0 {
			v[i] = float32(x / peak)
		}
	}
	zoom := max(1, min(nodesZoom, 112/n.Width))
	img := image.NewGray(image.Rect(0, 0, n.Width*zoom, n.Height*zoom))
	DrawGray(img, v, n.Width, zoom, 0, 0)
	return peak, data.WriteFileAtomic(path, func(w io.Writer) error { return png.Encode(w, img) })
}
