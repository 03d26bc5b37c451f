package report

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// sideLegendMargin is the space left and right of a side legend.
const sideLegendMargin = 0.2 * vg.Inch

// sideLegend is a legend set in a column of its own at the right of a
// figure, beside its panels, where it cannot hide their data: an optional
// heading over the entries, the block centred vertically. Entries are
// added with Add, as to a plot.Legend.
type sideLegend struct {
	plot.Legend
	heading string
}

// newSideLegend returns an empty side legend under heading ("" for none).
func newSideLegend(heading string) *sideLegend {
	l := &sideLegend{Legend: plot.NewLegend(), heading: heading}
	l.TextStyle.Font.Size = vg.Points(11)
	l.ThumbnailWidth = vg.Points(28)
	l.Padding = vg.Points(2.5)
	l.Left, l.Top = true, true
	return l
}

// headingStyle is the text style of the heading: 12 pt, left and top
// aligned.
func (l *sideLegend) headingStyle() text.Style {
	return text.Style{Color: color.Black, Font: font.From(plot.DefaultFont, 12), XAlign: draw.XLeft, YAlign: draw.YTop,
		Handler: plot.DefaultTextHandler}
}

// size returns the width and height of the legend block: the widest of
// the heading and the entries (thumbnail, a space, the name), and the
// entries' height plus 1.5 heading lines.
func (l *sideLegend) size() (w, h, headH vg.Length) {
	r := l.Legend.Rectangle(draw.Canvas{})
	w, h = r.Max.X-r.Min.X, r.Max.Y-r.Min.Y
	if l.heading != "" {
		hr := l.headingStyle().Rectangle(l.heading)
		w = max(w, hr.Max.X-hr.Min.X)
		headH = 1.5 * (hr.Max.Y - hr.Min.Y)
	}
	return w, h + headH, headH
}

// columnWidth returns the width of the column the legend takes at the
// right of a figure, its margins included: the figure's panels get the
// rest.
func (l *sideLegend) columnWidth() vg.Length {
	w, _, _ := l.size()
	return w + 2*sideLegendMargin
}

// draw draws the legend in the column of width columnWidth at the right
// of dc, centred vertically between the heights bottom and top.
func (l *sideLegend) draw(dc draw.Canvas, bottom, top vg.Length) {
	w, h, headH := l.size()
	x0 := dc.Max.X - w - sideLegendMargin
	yTop := (bottom+top)/2 + h/2
	if l.heading != "" {
		dc.FillText(l.headingStyle(), vg.Point{X: x0, Y: yTop}, l.heading)
	}
	l.Legend.Draw(draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
		Min: vg.Point{X: x0, Y: yTop - h}, Max: vg.Point{X: x0 + w, Y: yTop - headH}}})
}

// saveLegendFigure writes to path a figure of one plot, plotW × h under
// title, with legend in a column of its own to its right, atomically.
func saveLegendFigure(path, title string, p *plot.Plot, legend *sideLegend, plotW, h vg.Length) error {
	col := legend.columnWidth()
	c, dc := figureCanvas(plotW+col, h, title)
	p.Draw(draw.Crop(dc, 0.05*vg.Inch, -col, 0.05*vg.Inch, -figureTitleHeight))
	legend.draw(dc, dc.Min.Y, dc.Max.Y-figureTitleHeight)
	return writePNG(path, c)
}
