package report

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// OOD holds the results of an out-of-distribution study (kind ood): a
// classifier trained on known classes; sets of unknown classes and of
// acquisition shift; subset scans of every layer on perturbed inputs
// (Results.Layers) and on the inputs as they are (Raw); and the detectors
// compared (Methods).
type OOD struct {
	// Known and Unknown are the classes the classifier learnt and those
	// held out.
	Known   []int `json:"known"`
	Unknown []int `json:"unknown"`
	// UnknownSets and ShiftSets split Results.Sets by kind of shift:
	// unknown classes, acquisition shift.
	UnknownSets []string `json:"unknown_sets"`
	ShiftSets   []string `json:"shift_sets"`
	// Temperature and Epsilon are ODIN's T and ε, the perturbation of the
	// scanned inputs too.
	Temperature float64 `json:"temperature"`
	Epsilon     float64 `json:"epsilon"`
	// Accuracy is the classifier's accuracy on the clean images.
	Accuracy float64 `json:"accuracy"`
	// Raw holds the per-layer AUCs of the scans of the unperturbed inputs.
	Raw []LayerAUC `json:"raw"`
	// Methods are the detectors, scans and baselines, in table order.
	Methods []Method `json:"methods"`
	// Fairness is the breakdown by subgroup; nil when not asked for.
	Fairness *Fairness `json:"fairness,omitempty"`
	// Skewed is the same breakdown for a second classifier trained with
	// one subgroup under-represented; nil when there is none.
	Skewed *Fairness `json:"fairness_skewed,omitempty"`
	// Grid is the file name of the example grid of the corruptions, in
	// the results directory; "" when there is none.
	Grid string `json:"grid,omitempty"`
}

// LayerAUC is one layer's AUC of clean vs each set, with its interval.
type LayerAUC struct {
	Layer string                `json:"layer"`
	AUC   map[string]float64    `json:"auc"`
	CI    map[string][2]float64 `json:"ci,omitempty"`
}

// Method is one detector's performance on each set: AUROC with its
// interval and the TNR at 95 % TPR; for a scan, the layer used per set
// (the best one).
type Method struct {
	Name  string                `json:"name"`
	AUC   map[string]float64    `json:"auc"`
	CI    map[string][2]float64 `json:"ci,omitempty"`
	TNR   map[string]float64    `json:"tnr"`
	Layer map[string]string     `json:"layer,omitempty"`
}

// OODTable is the comparison table: one row per set, one column per
// method, each cell "AUROC [CI] · TNR" (with the layer for a scan).
func (o *OOD) OODTable(sets []string) Table {
	t := Table{Header: []string{"set"}}
	for _, m := range o.Methods {
		t.Header = append(t.Header, m.Name)
	}
	for _, s := range sets {
		row := []string{s}
		for _, m := range o.Methods {
			cell := withCI(m.AUC, m.CI, s)
			if v, ok := m.TNR[s]; ok {
				cell += fmt.Sprintf(" · %.3f", v)
			}
			if l := m.Layer[s]; l != "" {
				cell += " (" + l + ")"
			}
			row = append(row, cell)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// writeOOD writes the out-of-distribution section: the comparison table,
// the per-layer AUCs with and without the perturbation and the paragraph
// on which layers catch which kind of shift.
func (r *Results) writeOOD(w io.Writer) error {
	o := r.OOD
	fmt.Fprintf(w, "\n## Out-of-distribution detection\n\n")
	fmt.Fprintf(w, "Classifier trained on classes %v (held out: %v); accuracy on the %d clean images: %.4f. "+
		"Perturbation: T = %g, ε = %g. Each cell: AUROC [interval: %s] · TNR at 95 %% TPR (in-distribution positive); "+
		"for scans, the best layer in parentheses.\n\n", o.Known, o.Unknown, r.Samples["clean"], o.Accuracy, o.Temperature, o.Epsilon, r.CIMethod)
	if err := WriteMarkdownTable(w, o.OODTable(r.Sets)); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n### Per-layer AUC of the scans, perturbed (x̃) vs unperturbed (x)\n\n")
	t := Table{Header: []string{"layer"}}
	for _, s := range r.Sets {
		t.Header = append(t.Header, s+" x̃", s+" x")
	}
	for i, l := range r.Layers {
		row := []string{l.Layer}
		for _, s := range r.Sets {
			row = append(row, f3or(l.AUC, s), f3or(o.Raw[i].AUC, s))
		}
		t.Rows = append(t.Rows, row)
	}
	if err := WriteMarkdownTable(w, t); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "\n%s\n", r.OODParagraph()); err != nil {
		return err
	}
	if o.Fairness != nil {
		return o.Fairness.write(w, o.Skewed)
	}
	return nil
}

// write writes the fairness table: per subgroup its range, images and
// accuracy, and each detector's FPR and AUROC; with skewed (the breakdown
// of a second classifier, nil when none), one row per subgroup and
// classifier, the two classifiers' rows side by side.
func (f *Fairness) write(w io.Writer, skewed *Fairness) error {
	fmt.Fprintf(w, "\n### Fairness: subgroups by %s\n\n", f.Attribute)
	fmt.Fprintf(w, "Per subgroup of the clean images: the classifier's accuracy; per detector, the false-positive rate "+
		"(clean images flagged) at the threshold of 95 %% TPR over all clean images, and the AUROC of the subgroup's clean images against %s.", f.Set)
	all := []*Fairness{f}
	t := Table{Header: []string{"subgroup", "range", "images"}}
	if skewed != nil {
		fmt.Fprintf(w, " Classifiers: %s, trained on all the training images of its classes, and %s, trained with that subgroup's training images thinned; "+
			"each with its own perturbation, baselines and threshold, and the scan of x̃ in the balanced classifier's best layer.", f.Classifier, skewed.Classifier)
		all = append(all, skewed)
		t.Header = append(t.Header, "classifier")
	}
	fmt.Fprintf(w, "\n\n")
	t.Header = append(t.Header, "accuracy")
	methods := f.methods()
	for _, m := range methods {
		t.Header = append(t.Header, m+" FPR", m+" AUROC")
	}
	for i, g := range f.Groups {
		for _, c := range all {
			row := []string{g.Name, fmt.Sprintf("(%.1f, %.1f]", g.Lo, g.Hi), fmt.Sprint(g.N)}
			if skewed != nil {
				row = append(row, c.Classifier)
			}
			cg := c.Groups[i]
			row = append(row, f3(cg.Accuracy))
			for _, m := range methods {
				row = append(row, f3or(cg.FPR, m), f3or(cg.AUC, m))
			}
			t.Rows = append(t.Rows, row)
		}
	}
	return WriteMarkdownTable(w, t)
}

// methods returns the detectors of the breakdown, sorted.
func (f *Fairness) methods() []string {
	var names []string
	for _, g := range f.Groups {
		for m := range g.FPR {
			if !slices.Contains(names, m) {
				names = append(names, m)
			}
		}
	}
	slices.Sort(names)
	return names
}

// fairnessFigure writes a bar chart of each detector's FPR per subgroup;
// with a skewed classifier, three panels: the error rate per subgroup of
// both classifiers, and the FPRs of each.
func (r *Results) fairnessFigure(path string) (bool, error) {
	f := r.OOD.Fairness
	if f == nil || len(f.Groups) == 0 {
		return false, nil
	}
	title := r.Experiment + ": false-positive rate per subgroup at 95 % TPR"
	sk := r.OOD.Skewed
	if sk == nil {
		p, err := f.fprPanel(title, 0)
		if err != nil {
			return false, err
		}
		return true, p.Save(8*vg.Inch, 5*vg.Inch, path)
	}
	acc, err := errorPanel(f, sk)
	if err != nil {
		return false, err
	}
	panels := []*plot.Plot{acc}
	top := max(f.maxFPR(), sk.maxFPR()) // the same scale for both
	for _, c := range []*Fairness{f, sk} {
		p, err := c.fprPanel("FPR at 95 % TPR, "+c.Classifier, top)
		if err != nil {
			return false, err
		}
		panels = append(panels, p)
	}
	return true, saveTiles(path, r.Experiment+": per subgroup, balanced vs skewed classifier", panels, 3, 6*vg.Inch, 5*vg.Inch)
}

// fprPanel draws each detector's FPR per subgroup, the y axis up to at
// least yMax.
func (f *Fairness) fprPanel(title string, yMax float64) (*plot.Plot, error) {
	methods := f.methods()
	series := make([]plotter.Values, len(methods))
	for k, m := range methods {
		series[k] = make(plotter.Values, len(f.Groups))
		for i, g := range f.Groups {
			series[k][i] = g.FPR[m]
		}
	}
	return f.barPanel(title, "FPR", methods, series, yMax)
}

// maxFPR returns the largest FPR of any detector and subgroup.
func (f *Fairness) maxFPR() float64 {
	top := 0.0
	for _, g := range f.Groups {
		for _, v := range g.FPR {
			top = max(top, v)
		}
	}
	return top
}

// errorPanel draws the classifiers' error rate (1 − accuracy) per
// subgroup, where a gap of a few points shows better than in accuracies
// near 1.
func errorPanel(fs ...*Fairness) (*plot.Plot, error) {
	names := make([]string, len(fs))
	series := make([]plotter.Values, len(fs))
	for k, c := range fs {
		names[k] = c.Classifier
		series[k] = make(plotter.Values, len(c.Groups))
		for i, g := range c.Groups {
			series[k][i] = 1 - g.Accuracy
		}
	}
	return fs[0].barPanel("classification error per subgroup", "error rate (1 − accuracy)", names, series, 0)
}

// barPanel draws groups of bars, one group per subgroup of f, one bar
// per series (named names) in each.
func (f *Fairness) barPanel(title, ylabel string, names []string, series []plotter.Values, yMax float64) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = ylabel
	p.Add(lightGrid())
	width := vg.Points(60 / float64(len(names)))
	for k, vals := range series {
		bars, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return nil, fmt.Errorf("report: fairness figure, %s: %w", names[k], err)
		}
		bars.Color = plotutil.Color(k)
		bars.Offset = width * vg.Length(k-len(names)/2)
		p.Add(bars)
		p.Legend.Add(plotLabel(names[k]), bars)
	}
	groups := make([]string, len(f.Groups))
	for i, g := range f.Groups {
		groups[i] = g.Name
	}
	p.NominalX(groups...)
	p.Y.Min = 0
	p.Y.Max = max(p.Y.Max, yMax, 0.01) * 1.35 // room for the legend above the bars
	p.Legend.Top = true
	return p, nil
}

// plotLabel spells out what the plots' font cannot draw: it has no
// combining tilde, so "x̃" would show as "x" and a detached "˜".
func plotLabel(s string) string { return strings.ReplaceAll(s, "x̃", "perturbed x") }

// meanAUC returns the mean AUC of layer l over sets.
func meanAUC(l Layer, sets []string) float64 {
	sum := 0.0
	for _, s := range sets {
		sum += l.AUC[s]
	}
	return sum / float64(len(sets))
}

// bestLayer returns the index of the layer of highest mean AUC over sets
// (the first on ties).
func (r *Results) bestLayer(sets []string) int {
	best := 0
	for i, l := range r.Layers {
		if meanAUC(l, sets) > meanAUC(r.Layers[best], sets) {
			best = i
		}
	}
	return best
}

// OODParagraph says, from the numbers, which layers catch which kind of
// shift: the best layer for the unknown classes and for the acquisition
// shifts on average, and how many shifts each layer detects best.
func (r *Results) OODParagraph() string {
	o := r.OOD
	if len(r.Layers) == 0 {
		return ""
	}
	var b strings.Builder
	if len(o.UnknownSets) > 0 {
		i := r.bestLayer(o.UnknownSets)
		fmt.Fprintf(&b, "Unknown classes are best detected in layer %s (mean AUC %.3f over %s; %.3f in the first layer, %s; %.3f in the last, %s). ",
			r.Layers[i].Layer, meanAUC(r.Layers[i], o.UnknownSets), strings.Join(o.UnknownSets, ", "),
			meanAUC(r.Layers[0], o.UnknownSets), r.Layers[0].Layer, meanAUC(r.Layers[len(r.Layers)-1], o.UnknownSets), r.Layers[len(r.Layers)-1].Layer)
	}
	if len(o.ShiftSets) > 0 {
		i := r.bestLayer(o.ShiftSets)
		fmt.Fprintf(&b, "Acquisition shifts are best detected, on average over the %d corruptions, in layer %s (mean AUC %.3f). ",
			len(o.ShiftSets), r.Layers[i].Layer, meanAUC(r.Layers[i], o.ShiftSets))
		wins := make([][]string, len(r.Layers))
		for _, s := range o.ShiftSets {
			j := r.bestLayer([]string{s})
			wins[j] = append(wins[j], s)
		}
		var parts []string
		for j, ws := range wins {
			if len(ws) > 0 {
				parts = append(parts, fmt.Sprintf("%s for %d (%s)", r.Layers[j].Layer, len(ws), strings.Join(ws, ", ")))
			}
		}
		fmt.Fprintf(&b, "The best layer per corruption: %s.", strings.Join(parts, "; "))
	}
	return strings.TrimSpace(b.String())
}

// oodFigure writes the per-layer AUCs of the scans side by side: the
// unknown-class sets (left) and the acquisition-shift sets (right),
// perturbed inputs solid, unperturbed dashed. It returns false when r
// has no OOD results or fewer than two layers.
func (r *Results) oodFigure(path string) (bool, error) {
	o := r.OOD
	if o == nil || len(r.Layers) < 2 || len(o.Raw) != len(r.Layers) {
		return false, nil
	}
	var panels []*plot.Plot
	for _, g := range []struct {
		title string
		sets  []string
	}{{"unknown classes", o.UnknownSets}, {"acquisition shift", o.ShiftSets}} {
		p, err := r.oodPanel(g.title, g.sets)
		if err != nil {
			return false, err
		}
		panels = append(panels, p)
	}
	return true, saveTiles(path, r.Experiment+": AUC across layers, perturbed inputs solid, unperturbed dashed", panels, 2, 6*vg.Inch, 5*vg.Inch)
}

// oodPanel draws the AUC of each of sets across the layers.
func (r *Results) oodPanel(title string, sets []string) (*plot.Plot, error) {
	p := r.layerPlot()
	p.Title.Text = title
	p.Legend.Top, p.Legend.Left = false, true
	p.Legend.TextStyle.Font.Size = vg.Points(7)
	for k, s := range sets {
		var pert, raw plotter.XYs
		for i, l := range r.Layers {
			pert = append(pert, plotter.XY{X: float64(i), Y: l.AUC[s]})
			raw = append(raw, plotter.XY{X: float64(i), Y: r.OOD.Raw[i].AUC[s]})
		}
		line, pts, err := plotter.NewLinePoints(pert)
		if err != nil {
			return nil, fmt.Errorf("report: OOD figure, set %s: %w", s, err)
		}
		dashed, err := plotter.NewLine(raw)
		if err != nil {
			return nil, fmt.Errorf("report: OOD figure, set %s: %w", s, err)
		}
		col := plotutil.Color(k)
		line.Color, pts.Color, dashed.Color = col, col, col
		pts.Shape = plotutil.Shape(k)
		dashed.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(line, pts, dashed)
		p.Legend.Add(s, line, pts)
	}
	return p, nil
}

// oodFigures writes the OOD figures into dir and returns them, the
// corruption grid (written by the experiment) first.
func (r *Results) oodFigures(dir string) ([]Figure, error) {
	if r.OOD == nil {
		return nil, nil
	}
	var figs []Figure
	if r.OOD.Grid != "" {
		figs = append(figs, Figure{File: r.OOD.Grid, Caption: "The corruptions of the acquisition-shift sets (MNIST-C), one row each: the clean digit, then corrupted copies"})
	}
	ok, err := r.oodFigure(filepath.Join(dir, "ood_layers.png"))
	if err != nil {
		return nil, err
	}
	if ok {
		figs = append(figs, Figure{File: "ood_layers.png", Caption: "AUC of the individual scans across the layers: unknown classes (left) and acquisition shift (right), perturbed inputs x̃ solid, unperturbed x dashed"})
	}
	if ok, err = r.fairnessFigure(filepath.Join(dir, "ood_fairness.png")); err != nil {
		return nil, err
	}
	if ok {
		caption := "False-positive rate of each detector per subgroup, at the threshold of 95 % TPR over all clean images"
		if r.OOD.Skewed != nil {
			caption = "Per subgroup: the error rate (1 − accuracy) of the balanced and the skewed classifier (left); the false-positive rate of each detector " +
				"at the threshold of 95 % TPR over all clean images, balanced classifier (middle), skewed (right), on the same scale"
		}
		figs = append(figs, Figure{File: "ood_fairness.png", Caption: caption})
	}
	return slices.Clip(figs), nil
}

// Fairness is the breakdown of an OOD study by subgroup of the
// in-distribution images.
type Fairness struct {
	// Classifier names the classifier when the study has two ("" else).
	Classifier string `json:"classifier,omitempty"`
	// Attribute says how the subgroups are defined.
	Attribute string `json:"attribute"`
	// Set is the OOD set of the AUROCs.
	Set    string     `json:"set"`
	Groups []Subgroup `json:"groups"`
}

// Subgroup is one subgroup's numbers: its attribute range (Lo, Hi], its
// clean images, the classifier's accuracy on them and, per detector, the
// false-positive rate at the threshold of 95 % TPR over all clean images
// and the AUROC of its clean images against Fairness.Set.
type Subgroup struct {
	Name     string             `json:"name"`
	Lo       float64            `json:"lo"`
	Hi       float64            `json:"hi"`
	N        int                `json:"n"`
	Accuracy float64            `json:"accuracy"`
	FPR      map[string]float64 `json:"fpr"`
	AUC      map[string]float64 `json:"auc"`
}
