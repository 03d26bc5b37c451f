package report

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"subsetscan/data"
)

// Render writes report.md and the PNG figures of r into dir, each file
// atomically: the AUC across layers, the group-scan power curves, per layer
// the ROC curves and the subset-score distributions, and the pixel maps.
func Render(dir string, r *Results) error {
	var figures []Figure
	if ok, err := r.aucFigure(filepath.Join(dir, "auc_layers.png")); err != nil {
		return err
	} else if ok {
		figures = append(figures, Figure{File: "auc_layers.png", Caption: "AUC of each set across the layers, published values dashed"})
	}
	ood, err := r.oodFigures(dir)
	if err != nil {
		return err
	}
	figures = append(figures, ood...)
	audio, err := r.audioFigures(dir)
	if err != nil {
		return err
	}
	figures = append(figures, audio...)
	gan, err := r.subsetGANFigures(dir)
	if err != nil {
		return err
	}
	figures = append(figures, gan...)
	for _, set := range r.Sets {
		name := fmt.Sprintf("group_%s.png", set)
		if ok, err := r.groupFigure(filepath.Join(dir, name), set); err != nil {
			return err
		} else if ok {
			figures = append(figures, Figure{File: name, Caption: "Group scans of " + set + " against the contamination proportion: " +
				"AUC of clean vs contaminated groups, precision and recall of the images the scan found, one line per layer; layers with identical values share a line"})
		}
	}
	for _, l := range r.Layers {
		name := fmt.Sprintf("roc_%s.png", l.Layer)
		if ok, err := r.rocFigure(filepath.Join(dir, name), l); err != nil {
			return err
		} else if ok {
			figures = append(figures, Figure{File: name, Caption: "ROC curves, layer " + l.Layer})
		}
		name = fmt.Sprintf("scores_%s.png", l.Layer)
		if ok, err := r.scoresFigure(filepath.Join(dir, name), l); err != nil {
			return err
		} else if ok {
			figures = append(figures, Figure{File: name, Caption: "Subset-score distributions, layer " + l.Layer + ": clean (grey) vs each set"})
		}
	}
	for _, set := range append([]string{"clean"}, r.Sets...) {
		name := fmt.Sprintf("pixels_%s.png", set)
		if ok, err := r.pixelFigure(filepath.Join(dir, name), set); err != nil {
			return err
		} else if ok {
			figures = append(figures, Figure{File: name, Caption: "Pixel maps, " + set + ": the pixels of each image's highest-scoring subset (red)"})
		}
	}
	if err := removeStale(dir, figures); err != nil {
		return err
	}
	return data.WriteFileAtomic(filepath.Join(dir, "report.md"), func(w io.Writer) error {
		return r.WriteMarkdown(w, figures)
	})
}

// perItemFigures are the name prefixes of the figures drawn once per layer
// or set: when a config drops a layer or set, its figures from an earlier
// run would stay beside the report without it.
var perItemFigures = []string{"roc_", "scores_", "group_", "pixels_", "audio_roc_"}

// removeStale removes the per-layer and per-set figures in dir that the
// report being written does not list.
func removeStale(dir string, figures []Figure) error {
	listed := map[string]bool{}
	for _, f := range figures {
		listed[f.File] = true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		stale := !e.IsDir() && filepath.Ext(name) == ".png" && !listed[name] &&
			slices.ContainsFunc(perItemFigures, func(p string) bool { return strings.HasPrefix(name, p) })
		if stale {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				return fmt.Errorf("report: removing a stale figure: %w", err)
			}
		}
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// unitTicks are the ticks of an axis spanning [0, 1].
var unitTicks = plot.ConstantTicks{{Value: 0, Label: "0"}, {Value: 0.2, Label: "0.2"}, {Value: 0.4, Label: "0.4"},
	{Value: 0.6, Label: "0.6"}, {Value: 0.8, Label: "0.8"}, {Value: 1, Label: "1"}}

// lightGrid returns the light grey grid lines of the figures' panels.
func lightGrid() *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical.Color, g.Horizontal.Color = color.Gray{Y: 225}, color.Gray{Y: 225}
	return g
}

// Size of the AUC-across-layers figure's plot; its legend widens the
// figure.
const (
	aucPlotWidth  = 8.5 * vg.Inch
	aucPlotHeight = 5 * vg.Inch
)

// aucFigure writes the AUC of each set across the layers (the
// encoder/decoder "U") to path, with the confidence intervals as error bars
// where the results hold them, the published values dashed, y in [0, 1]
// and the legend of the sets to the right of the plot, where it hides no
// curve. It returns false, writing nothing, when r has fewer than two
// layers or no set.
func (r *Results) aucFigure(path string) (bool, error) {
	if len(r.Layers) < 2 || len(r.Sets) == 0 {
		return false, nil
	}
	p := r.layerPlot()
	legend := newSideLegend("set")
	for k, s := range r.Sets {
		got, pub, bars := r.layerCurves(s)
		col := plotutil.Color(k)
		if len(got) > 0 {
			line, pts, err := plotter.NewLinePoints(got)
			if err != nil {
				return false, fmt.Errorf("report: AUC figure, set %s: %w", s, err)
			}
			line.Color, pts.Color = col, col
			pts.Shape = plotutil.Shape(k)
			p.Add(line, pts)
			legend.Add(s, line, pts)
		}
		if len(bars.XYs) > 0 {
			eb, err := plotter.NewYErrorBars(bars)
			if err != nil {
				return false, fmt.Errorf("report: AUC figure, set %s (intervals): %w", s, err)
			}
			eb.Color = col
			p.Add(eb)
		}
		if len(pub) > 0 {
			line, err := plotter.NewLine(pub)
			if err != nil {
				return false, fmt.Errorf("report: AUC figure, set %s (published): %w", s, err)
			}
			line.Color = col
			line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			p.Add(line)
			legend.Add(s+" (published)", line)
		}
	}
	title := r.Experiment + ": detection power across layers"
	return true, saveLegendFigure(path, title, p, legend, aucPlotWidth, aucPlotHeight)
}

// layerCurves returns the finite AUCs of set across the layers (x is the
// layer's index), their confidence intervals where the results hold them,
// and the published values.
func (r *Results) layerCurves(set string) (got, pub plotter.XYs, bars errorBars) {
	for i, l := range r.Layers {
		if v, ok := l.AUC[set]; ok && finite(v) {
			got = append(got, plotter.XY{X: float64(i), Y: v})
			if ci, ok := l.CI[set]; ok {
				bars.XYs = append(bars.XYs, plotter.XY{X: float64(i), Y: v})
				bars.YErrors = append(bars.YErrors, struct{ Low, High float64 }{v - ci[0], ci[1] - v})
			}
		}
		if v, ok := l.Published[set]; ok && finite(v) {
			pub = append(pub, plotter.XY{X: float64(i), Y: v})
		}
	}
	return got, pub, bars
}

// layerPlot returns a plot of AUCs against r's layers: the layers'
// names along x, slanted, the AUC in [0, 1] along y, a light grid.
func (r *Results) layerPlot() *plot.Plot {
	p := plot.New()
	p.X.Label.Text = "layer"
	p.Y.Label.Text = "AUC (clean vs set)"
	p.Add(lightGrid())
	names := make([]string, len(r.Layers))
	for i, l := range r.Layers {
		names[i] = l.Layer
	}
	p.NominalX(names...)
	p.X.Tick.Label.Rotation = math.Pi / 4
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	p.Y.Min, p.Y.Max = 0, 1
	p.Y.Tick.Marker = unitTicks
	return p
}

// errorBars are points with vertical error bars (the AUCs' confidence
// intervals), as plotter.NewYErrorBars takes them.
type errorBars struct {
	plotter.XYs
	plotter.YErrors
}

// ROC returns the ROC curve of scores that should rank anomalous above
// clean: false and true positive rates at every distinct threshold, from
// (0, 0) to (1, 1); tied scores move diagonally.
func ROC(clean, anomalous []float64) (fpr, tpr []float64) {
	c := slices.Clone(clean)
	a := slices.Clone(anomalous)
	slices.Sort(c)
	slices.Sort(a)
	fpr, tpr = []float64{0}, []float64{0}
	i, j := len(c), len(a) // scores above the threshold: c[i:], a[j:]
	for i > 0 || j > 0 {
		var t float64
		switch {
		case i == 0:
			t = a[j-1]
		case j == 0:
			t = c[i-1]
		default:
			t = max(c[i-1], a[j-1])
		}
		for i > 0 && c[i-1] == t {
			i--
		}
		for j > 0 && a[j-1] == t {
			j--
		}
		fpr = append(fpr, float64(len(c)-i)/float64(max(len(c), 1)))
		tpr = append(tpr, float64(len(a)-j)/float64(max(len(a), 1)))
	}
	return fpr, tpr
}

// newROCPlot returns an empty ROC plot: the unit square, the axes'
// labels and grid, and the chance diagonal dashed.
func newROCPlot() (*plot.Plot, error) {
	p := plot.New()
	p.X.Label.Text = "false positive rate (clean)"
	p.Y.Label.Text = "true positive rate"
	p.Add(lightGrid())
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	p.X.Tick.Marker, p.Y.Tick.Marker = unitTicks, unitTicks
	diag, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		return nil, err
	}
	diag.Color = color.Gray{Y: 160}
	diag.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
	p.Add(diag)
	return p, nil
}

// Size of an ROC figure's plot; its legend widens the figure.
const rocPlotSize = 5 * vg.Inch

// rocFigure writes the ROC curves of layer l to path, one per set with
// its AUC in the legend, which sits to the right of the plot: a set
// ranked below the clean images (AUC near 0) runs along the bottom and
// right edges, where a legend inside would hide it. It returns false,
// writing nothing, when the layer has no clean scores.
func (r *Results) rocFigure(path string, l Layer) (bool, error) {
	clean := l.Scores["clean"]
	if len(clean) == 0 {
		return false, nil
	}
	p, err := newROCPlot()
	if err != nil {
		return false, err
	}
	legend := newSideLegend("set")
	for k, s := range r.Sets {
		sc := l.Scores[s]
		if len(sc) == 0 {
			continue
		}
		fpr, tpr := ROC(clean, sc)
		xy := make(plotter.XYs, len(fpr))
		for i := range fpr {
			xy[i] = plotter.XY{X: fpr[i], Y: tpr[i]}
		}
		line, err := plotter.NewLine(xy)
		if err != nil {
			return false, fmt.Errorf("report: ROC figure, layer %s, set %s: %w", l.Layer, s, err)
		}
		line.Color = plotutil.Color(k)
		line.Width = vg.Points(1.5)
		p.Add(line)
		legend.Add(fmt.Sprintf("%s (AUC %.3f)", s, l.AUC[s]), line)
	}
	title := fmt.Sprintf("%s: ROC, layer %s", r.Experiment, l.Layer)
	return true, saveLegendFigure(path, title, p, legend, rocPlotSize, rocPlotSize)
}
