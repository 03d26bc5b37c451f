package report

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"subsetscan/data"
)

// Render writes report.md and the PNG figures of r into dir, each file
// atomically: the AUC across layers, the group-scan power curves, per layer
// the ROC curves and the subset-score distributions, and the pixel maps.
func Render(dir string, r *Results) error {
	var figures []Figure
	add := func(name, caption string, p *plot.Plot, w, h vg.Length) error {
		if err := savePNG(filepath.Join(dir, name), p, w, h); err != nil {
			return err
		}
		figures = append(figures, Figure{File: name, Caption: caption})
		return nil
	}
	if p, err := r.aucPlot(); err != nil {
		return err
	} else if p != nil {
		if err := add("auc_layers.png", "AUC of each set across the layers, published values dashed", p, 9*vg.Inch, 5*vg.Inch); err != nil {
			return err
		}
	}
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
		p, err := r.rocPlot(l)
		if err != nil {
			return err
		}
		if p != nil {
			if err := add(fmt.Sprintf("roc_%s.png", l.Layer), "ROC curves, layer "+l.Layer, p, 5*vg.Inch, 5*vg.Inch); err != nil {
				return err
			}
		}
		name := fmt.Sprintf("scores_%s.png", l.Layer)
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
	return data.WriteFileAtomic(filepath.Join(dir, "report.md"), func(w io.Writer) error {
		return r.WriteMarkdown(w, figures)
	})
}

func savePNG(path string, p *plot.Plot, w, h vg.Length) error {
	c := vgimg.PngCanvas{Canvas: vgimg.New(w, h)}
	p.Draw(draw.New(c))
	return data.WriteFileAtomic(path, func(out io.Writer) error {
		_, err := c.WriteTo(out)
		return err
	})
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// aucPlot draws the AUC of each set across the layers (the encoder/decoder
// "U"), with the published values dashed.
func (r *Results) aucPlot() (*plot.Plot, error) {
	if len(r.Layers) < 2 || len(r.Sets) == 0 {
		return nil, nil
	}
	p := plot.New()
	p.Title.Text = r.Experiment + ": detection power across layers"
	p.X.Label.Text = "layer"
	p.Y.Label.Text = "AUC (clean vs set)"
	p.Y.Min, p.Y.Max = 0, 1.05
	names := make([]string, len(r.Layers))
	for i, l := range r.Layers {
		names[i] = l.Layer
	}
	p.NominalX(names...)
	p.X.Tick.Label.Rotation = math.Pi / 4
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	// Top centre: the middle layers sit low, the ends high.
	p.Legend.Top = true
	p.Legend.XOffs = -2.5 * vg.Inch
	for k, s := range r.Sets {
		var got, pub plotter.XYs
		for i, l := range r.Layers {
			if v, ok := l.AUC[s]; ok && finite(v) {
				got = append(got, plotter.XY{X: float64(i), Y: v})
			}
			if v, ok := l.Published[s]; ok && finite(v) {
				pub = append(pub, plotter.XY{X: float64(i), Y: v})
			}
		}
		col := plotutil.Color(k)
		if len(got) > 0 {
			line, pts, err := plotter.NewLinePoints(got)
			if err != nil {
				return nil, err
			}
			line.Color, pts.Color = col, col
			pts.Shape = plotutil.Shape(k)
			p.Add(line, pts)
			p.Legend.Add(s, line, pts)
		}
		if len(pub) > 0 {
			line, err := plotter.NewLine(pub)
			if err != nil {
				return nil, err
			}
			line.Color = col
			line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			p.Add(line)
			p.Legend.Add(s+" (published)", line)
		}
	}
	return p, nil
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

// rocPlot draws the ROC curves of one layer, one per set.
func (r *Results) rocPlot(l Layer) (*plot.Plot, error) {
	clean := l.Scores["clean"]
	if len(clean) == 0 {
		return nil, nil
	}
	p := plot.New()
	p.Title.Text = "ROC, layer " + l.Layer
	p.X.Label.Text = "false positive rate (clean)"
	p.Y.Label.Text = "true positive rate"
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	p.Legend.Top = false
	p.Legend.Left = false
	diag, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		return nil, err
	}
	diag.Color = color.Gray{Y: 160}
	diag.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
	p.Add(diag)
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
			return nil, err
		}
		line.Color = plotutil.Color(k)
		line.Width = vg.Points(1.5)
		p.Add(line)
		p.Legend.Add(fmt.Sprintf("%s (AUC %.3f)", s, l.AUC[s]), line)
	}
	return p, nil
}
