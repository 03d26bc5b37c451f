package report

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// GroupCurve is the detection power of one layer's group scans of one set,
// the numbers behind a panel line of the group figure: Proportion holds
// the contamination proportions in ascending order and AUC, Precision and
// Recall the matching values, as in results.json (possibly NaN).
type GroupCurve struct {
	Layer string
	// SameAs names the first earlier layer whose points are all equal to
	// this layer's (an up-sampling layer repeats the values of the layer
	// before it), "" when there is none.
	SameAs                             string
	Proportion, AUC, Precision, Recall []float64
	Runs                               []int
}

// GroupCurves returns, in layer order, the group-scan curves of set of
// every layer that has points for it; points of equal proportion keep
// their order in results.json.
func (r *Results) GroupCurves(set string) []GroupCurve {
	var out []GroupCurve
	for _, gl := range r.Group {
		var pts []GroupPoint
		for _, p := range gl.Points {
			if p.Set == set {
				pts = append(pts, p)
			}
		}
		if len(pts) == 0 {
			continue
		}
		slices.SortStableFunc(pts, func(a, b GroupPoint) int { return cmpFloat(a.Proportion, b.Proportion) })
		c := GroupCurve{Layer: gl.Layer}
		for _, p := range pts {
			c.Proportion = append(c.Proportion, p.Proportion)
			c.AUC = append(c.AUC, p.AUC)
			c.Precision = append(c.Precision, p.Precision)
			c.Recall = append(c.Recall, p.Recall)
			c.Runs = append(c.Runs, p.Runs)
		}
		for _, prev := range out {
			if prev.SameAs == "" && sameCurve(prev, c) {
				c.SameAs = prev.Layer
				break
			}
		}
		out = append(out, c)
	}
	return out
}

// cmpFloat orders NaN first, then ascending.
func cmpFloat(a, b float64) int {
	switch {
	case math.IsNaN(a) && math.IsNaN(b):
		return 0
	case math.IsNaN(a) || a < b:
		return -1
	case math.IsNaN(b) || a > b:
		return 1
	}
	return 0
}

// sameCurve reports whether a and b have the same points, NaN equal to NaN.
func sameCurve(a, b GroupCurve) bool {
	eq := func(x, y []float64) bool {
		return slices.EqualFunc(x, y, func(u, v float64) bool { return u == v || math.IsNaN(u) && math.IsNaN(v) })
	}
	return eq(a.Proportion, b.Proportion) && eq(a.AUC, b.AUC) && eq(a.Precision, b.Precision) &&
		eq(a.Recall, b.Recall) && slices.Equal(a.Runs, b.Runs)
}

// Size of the group figure: three panels side by side and the shared
// legend to their right.
const (
	groupFigureWidth  = 12 * vg.Inch
	groupFigureHeight = 5 * vg.Inch
)

// groupLayerColors are the line colours of the group figure's layers, the
// ten of matplotlib's "tab10" palette, chosen to be told apart as thin
// lines on white.
var groupLayerColors = []color.Color{
	color.RGBA{31, 119, 180, 255},  // blue
	color.RGBA{255, 127, 14, 255},  // orange
	color.RGBA{44, 160, 44, 255},   // green
	color.RGBA{214, 39, 40, 255},   // red
	color.RGBA{148, 103, 189, 255}, // purple
	color.RGBA{140, 86, 75, 255},   // brown
	color.RGBA{227, 119, 194, 255}, // pink
	color.RGBA{127, 127, 127, 255}, // grey
	color.RGBA{188, 189, 34, 255},  // olive
	color.RGBA{23, 190, 207, 255},  // cyan
}

// groupStyle returns the line style and glyph of the k-th line of the
// group figure: colour k mod 10, glyph shape k mod 8, and dashed when k
// is odd, so that neighbouring layers, whose values tend to be close,
// differ in all three and no two of the first 40 lines look alike.
func groupStyle(k int) (draw.LineStyle, draw.GlyphStyle) {
	col := groupLayerColors[k%len(groupLayerColors)]
	ls := draw.LineStyle{Color: col, Width: vg.Points(1.2)}
	if k%2 == 1 {
		ls.Dashes = []vg.Length{vg.Points(5), vg.Points(2.5)}
	}
	gs := draw.GlyphStyle{Color: col, Radius: vg.Points(3), Shape: plotutil.Shape(k)}
	return ls, gs
}

// proportionScale places contamination proportions on the x axis of the
// group figure: at log10(p) when log is set, at p otherwise. The axis
// itself stays linear in that coordinate, because gonum/plot places an
// axis label by the arithmetic middle of the axis range, which is off
// centre on a plot.LogScale axis and squeezes the data.
type proportionScale struct{ log bool }

// newProportionScale returns the scale of the sorted, finite proportions
// props: logarithmic when every proportion is positive and they cover a
// ratio of 5 or more (0.01 … 0.5 would crowd the left end of a linear
// axis), linear otherwise.
func newProportionScale(props []float64) proportionScale {
	lo, hi := props[0], props[len(props)-1]
	return proportionScale{log: lo > 0 && hi/lo >= 5}
}

// X returns the axis coordinate of proportion p.
func (s proportionScale) X(p float64) float64 {
	if s.log {
		return math.Log10(p)
	}
	return p
}

// setAxis makes a span props (sorted, finite) with a margin of 6% of the
// span, in axis coordinates, on each side (±0.05 for a single proportion).
// The ticks, labelled as percentages, are the proportions themselves when
// there are at most 8 of them, else 1, 2 and 5 times the powers of ten
// on a log scale and gonum's default ticks on a linear one.
func (s proportionScale) setAxis(a *plot.Axis, props []float64) {
	lo, hi := s.X(props[0]), s.X(props[len(props)-1])
	m := 0.06 * (hi - lo)
	if m == 0 {
		m = 0.05
	}
	a.Min, a.Max = lo-m, hi+m
	percent := func(p float64) string { return strconv.FormatFloat(100*p, 'g', 4, 64) + "%" }
	var ticks plot.ConstantTicks
	switch {
	case len(props) <= 8:
		for _, p := range props {
			ticks = append(ticks, plot.Tick{Value: s.X(p), Label: percent(p)})
		}
	case s.log:
		for e := math.Floor(lo); e <= math.Ceil(hi); e++ {
			for _, f := range []float64{1, 2, 5} {
				if p := f * math.Pow(10, e); s.X(p) >= a.Min && s.X(p) <= a.Max {
					ticks = append(ticks, plot.Tick{Value: s.X(p), Label: percent(p)})
				}
			}
		}
	default:
		for _, t := range (plot.DefaultTicks{}).Ticks(a.Min, a.Max) {
			if !t.IsMinor() {
				t.Label = percent(t.Value)
			}
			ticks = append(ticks, t)
		}
	}
	a.Tick.Marker = ticks
}

// groupFigure writes the group-scan figure of set to path: three panels
// (AUC of clean vs contaminated groups, precision and recall of the found
// images) against the contamination proportion, one line per layer (one
// for layers with identical points, named together; a NaN value is a gap
// in its line), and one legend of the layers to their right. It returns false, writing
// nothing, when no layer has a finite point for set.
func (r *Results) groupFigure(path, set string) (bool, error) {
	curves := r.GroupCurves(set)
	var props []float64
	for _, c := range curves {
		for _, x := range c.Proportion {
			if finite(x) {
				props = append(props, x)
			}
		}
	}
	slices.Sort(props)
	props = slices.Compact(props)
	if len(props) == 0 {
		return false, nil
	}
	metrics := []struct {
		title, label string
		value        func(GroupCurve) []float64
	}{
		{"AUC: clean vs contaminated groups", "AUC", func(c GroupCurve) []float64 { return c.AUC }},
		{"precision of the found images", "precision", func(c GroupCurve) []float64 { return c.Precision }},
		{"recall of the found images", "recall", func(c GroupCurve) []float64 { return c.Recall }},
	}
	// A layer whose curve repeats an earlier one's (an up-sampling layer
	// after the layer it repeats) would hide it: one line and one legend
	// entry name both.
	var lines []GroupCurve
	var names []string
	for _, c := range curves {
		if c.SameAs == "" {
			lines = append(lines, c)
			names = append(names, c.Layer)
			continue
		}
		for k := range lines {
			if lines[k].Layer == c.SameAs {
				names[k] += " = " + c.Layer
			}
		}
	}
	scale := newProportionScale(props)
	legend := newSideLegend("layer")
	panels := make([]*plot.Plot, len(metrics))
	drawn := false
	for i, m := range metrics {
		p := plot.New()
		p.Title.Text = m.title
		p.X.Label.Text = "contamination proportion"
		if scale.log {
			p.X.Label.Text += " (log scale)"
		}
		p.Y.Label.Text = m.label
		p.Add(lightGrid())
		for k, c := range lines {
			// A non-finite value leaves a gap in the line: the points on
			// either side are not joined.
			var all plotter.XYs
			var segments []plotter.XYs
			gap := true
			for j, v := range m.value(c) {
				x := c.Proportion[j]
				if !finite(x) || !finite(v) {
					gap = true
					continue
				}
				xy := plotter.XY{X: scale.X(x), Y: v}
				all = append(all, xy)
				if gap {
					segments = append(segments, nil)
					gap = false
				}
				segments[len(segments)-1] = append(segments[len(segments)-1], xy)
			}
			ls, gs := groupStyle(k)
			line := &plotter.Line{LineStyle: ls}
			pts := &plotter.Scatter{GlyphStyle: gs}
			for _, seg := range segments {
				if len(seg) < 2 {
					continue
				}
				l, err := plotter.NewLine(seg)
				if err != nil {
					return false, fmt.Errorf("report: group figure %s, layer %s, %s: %w", set, c.Layer, m.title, err)
				}
				l.LineStyle = ls
				p.Add(l)
			}
			if len(all) > 0 {
				var err error
				if pts, err = plotter.NewScatter(all); err != nil {
					return false, fmt.Errorf("report: group figure %s, layer %s, %s: %w", set, c.Layer, m.title, err)
				}
				pts.GlyphStyle = gs
				p.Add(pts)
				drawn = true
			}
			if i == 0 {
				legend.Add(names[k], line, pts)
			}
		}
		scale.setAxis(&p.X, props)
		p.Y.Min, p.Y.Max = 0, 1
		p.Y.Tick.Marker = unitTicks
		panels[i] = p
	}
	if !drawn {
		return false, nil
	}
	title := fmt.Sprintf("%s: group scans of %s, detection power against the contamination proportion", r.Experiment, set)
	c, dc := figureCanvas(groupFigureWidth, groupFigureHeight, title)
	tiles := draw.Tiles{Rows: 1, Cols: len(panels), PadTop: figureTitleHeight, PadX: 0.3 * vg.Inch, PadY: 0,
		PadLeft: 0.05 * vg.Inch, PadRight: legend.columnWidth(), PadBottom: 0.05 * vg.Inch}
	canvases := plot.Align([][]*plot.Plot{panels}, tiles, dc)
	for j, p := range panels {
		p.Draw(canvases[0][j])
	}
	legend.draw(dc, dc.Min.Y, dc.Max.Y-figureTitleHeight)
	return true, writePNG(path, c)
}
