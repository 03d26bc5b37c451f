package report

import (
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"subsetscan/data"
)

// scoreBins is the number of histogram bins of the score distributions.
const scoreBins = 30

// Density returns the histogram of the finite values of x over nb equal
// bins spanning [lo, hi], normalised to unit area (each weight is the
// bin's count / (n · width)); values outside [lo, hi] are dropped, and a
// value equal to hi falls in the last bin. It returns nil when x has no
// finite value in range, nb < 1 or hi ≤ lo.
func Density(x []float64, lo, hi float64, nb int) []plotter.HistogramBin {
	if nb < 1 || !(hi > lo) {
		return nil
	}
	width := (hi - lo) / float64(nb)
	bins := make([]plotter.HistogramBin, nb)
	for i := range bins {
		bins[i].Min = lo + float64(i)*width
		bins[i].Max = lo + float64(i+1)*width
	}
	n := 0
	for _, v := range x {
		if !finite(v) || v < lo || v > hi {
			continue
		}
		i := min(int((v-lo)/width), nb-1)
		bins[i].Weight++
		n++
	}
	if n == 0 {
		return nil
	}
	for i := range bins {
		bins[i].Weight /= float64(n) * width
	}
	return bins
}

// scoreRange returns the range of the finite scores of l, widened when
// all of them are equal; ok is false when there is none.
func scoreRange(l Layer) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, sc := range l.Scores {
		for _, v := range sc {
			if finite(v) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	if lo > hi {
		return 0, 0, false
	}
	if lo == hi {
		lo, hi = lo-0.5, hi+0.5
	}
	return lo, hi, true
}

// withAlpha returns c with opacity a in [0, 1].
func withAlpha(c color.Color, a float64) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: uint8(math.Round(a * 255))}
}

// scoresFigure writes the subset-score distributions of layer l to path:
// one panel per set with the set's score density over the clean images'
// (grey), on bins shared by all panels. It returns false, writing nothing,
// when the layer has no clean scores.
func (r *Results) scoresFigure(path string, l Layer) (bool, error) {
	clean := l.Scores["clean"]
	lo, hi, ok := scoreRange(l)
	if len(clean) == 0 || !ok {
		return false, nil
	}
	var sets []string
	for _, s := range r.Sets {
		if len(l.Scores[s]) > 0 {
			sets = append(sets, s)
		}
	}
	if len(sets) == 0 {
		return false, nil
	}
	cleanBins := Density(clean, lo, hi, scoreBins)
	width := (hi - lo) / scoreBins
	var panels []*plot.Plot
	for _, s := range sets {
		k := slices.Index(r.Sets, s)
		p := plot.New()
		p.Title.Text = s
		if auc, ok := l.AUC[s]; ok {
			p.Title.Text = fmt.Sprintf("%s (AUC %.3f)", s, auc)
		}
		p.X.Label.Text = "subset score"
		p.Y.Label.Text = "density"
		p.X.Min, p.X.Max = lo, hi
		p.Legend.Top = true
		setBins := Density(l.Scores[s], lo, hi, scoreBins)
		// Head room above the tallest bar keeps the legend off the data.
		top := 0.0
		for _, b := range slices.Concat(cleanBins, setBins) {
			top = max(top, b.Weight)
		}
		p.Y.Min, p.Y.Max = 0, 1.5*top
		if cleanBins != nil {
			h := &plotter.Histogram{Bins: cleanBins, Width: width, FillColor: color.Gray{Y: 200}}
			h.LineStyle = draw.LineStyle{Color: color.Gray{Y: 120}, Width: vg.Points(0.5)}
			p.Add(h)
			p.Legend.Add(fmt.Sprintf("clean (%d)", len(clean)), h)
		}
		if setBins != nil {
			col := plotutil.Color(k)
			h := &plotter.Histogram{Bins: setBins, Width: width, FillColor: withAlpha(col, 0.35)}
			h.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(1)}
			p.Add(h)
			p.Legend.Add(fmt.Sprintf("%s (%d)", s, len(l.Scores[s])), h)
		}
		panels = append(panels, p)
	}
	title := fmt.Sprintf("%s: subset-score distributions, layer %s (%d nodes)", r.Experiment, l.Layer, l.Nodes)
	return true, saveTiles(path, title, panels, 4, 3.2*vg.Inch, 2.6*vg.Inch)
}

// figureTitleHeight is the height of the title band of tiled figures.
const figureTitleHeight = 0.45 * vg.Inch

// figureCanvas returns a w × h canvas, white, with title centred in the
// band of height figureTitleHeight at its top.
func figureCanvas(w, h vg.Length, title string) (*vgimg.Canvas, draw.Canvas) {
	c := vgimg.New(w, h)
	dc := draw.New(c)
	// White background: PNG viewers would show a transparent one in their
	// own colour.
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	sty := text.Style{Color: color.Black, Font: font.From(plot.DefaultFont, 14), XAlign: draw.XCenter,
		YAlign: draw.YTop, Handler: plot.DefaultTextHandler}
	dc.FillText(sty, vg.Point{X: dc.Center().X, Y: dc.Max.Y - 0.12*vg.Inch}, title)
	return c, dc
}

// writePNG writes c to path as a PNG, atomically.
func writePNG(path string, c *vgimg.Canvas) error {
	png := vgimg.PngCanvas{Canvas: c}
	return data.WriteFileAtomic(path, func(out io.Writer) error {
		_, err := png.WriteTo(out)
		return err
	})
}

// saveTiles draws panels on a grid of at most cols columns, each panel
// w × h, under a title, and writes the PNG to path.
func saveTiles(path, title string, panels []*plot.Plot, cols int, w, h vg.Length) error {
	cols = min(cols, len(panels))
	rows := (len(panels) + cols - 1) / cols
	// A few panels are centred on a canvas wide enough for the title.
	const minWidth = 7 * vg.Inch
	side := max(0, (minWidth-vg.Length(cols)*w)/2)
	c, dc := figureCanvas(vg.Length(cols)*w+2*side, vg.Length(rows)*h+figureTitleHeight, title)
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
	}
	for k, p := range panels {
		grid[k/cols][k%cols] = p
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadTop: figureTitleHeight, PadX: 0.15 * vg.Inch, PadY: 0.15 * vg.Inch,
		PadLeft: side + 0.05*vg.Inch, PadRight: side + 0.1*vg.Inch, PadBottom: 0.05 * vg.Inch}
	canvases := plot.Align(grid, tiles, dc)
	for i, row := range grid {
		for j, p := range row {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}
	return writePNG(path, c)
}

// pixelScale is the side in PNG pixels of one image pixel in pixel maps.
const pixelScale = 8

// PixelImage renders a pixel map: the image in grey levels (clamped to
// [0, 1]) with the pixels of m.Nodes blended towards red, each image pixel
// drawn as a pixelScale × pixelScale block.
func PixelImage(m PixelMap) (*image.RGBA, error) {
	if m.Height < 1 || m.Width < 1 || len(m.Image) != m.Height*m.Width {
		return nil, fmt.Errorf("report: pixel map %s #%d: %d values for %d×%d pixels", m.Set, m.Index, len(m.Image), m.Height, m.Width)
	}
	in := make([]bool, len(m.Image))
	for _, k := range m.Nodes {
		if k < 0 || k >= len(in) {
			return nil, fmt.Errorf("report: pixel map %s #%d: node %d outside the %d pixels", m.Set, m.Index, k, len(in))
		}
		in[k] = true
	}
	img := image.NewRGBA(image.Rect(0, 0, m.Width*pixelScale, m.Height*pixelScale))
	for y := range m.Height {
		for x := range m.Width {
			k := y*m.Width + x
			g := float64(m.Image[k])
			if !(g >= 0) { // also NaN
				g = 0
			}
			g = min(g, 1)
			r, gr, b := g, g, g
			if in[k] {
				// 60% red over the grey: dark red on the background,
				// pink on the strokes.
				r, gr, b = 0.4*g+0.6, 0.4*g, 0.4*g
			}
			c := color.RGBA{R: uint8(math.Round(255 * r)), G: uint8(math.Round(255 * gr)), B: uint8(math.Round(255 * b)), A: 255}
			for dy := range pixelScale {
				for dx := range pixelScale {
					img.SetRGBA(x*pixelScale+dx, y*pixelScale+dy, c)
				}
			}
		}
	}
	return img, nil
}

// pixelFigure writes the pixel maps of set to path, one panel per image.
// It returns false, writing nothing, when r has none for set.
func (r *Results) pixelFigure(path, set string) (bool, error) {
	var panels []*plot.Plot
	for _, m := range r.PixelMaps {
		if m.Set != set {
			continue
		}
		img, err := PixelImage(m)
		if err != nil {
			return false, err
		}
		p := plot.New()
		p.HideAxes()
		p.Title.Text = fmt.Sprintf("#%d: score %.1f\n%d pixels, α %.3g", m.Index, m.Score, len(m.Nodes), m.Alpha)
		p.Title.TextStyle.Font.Size = vg.Points(10)
		p.Add(plotter.NewImage(img, 0, 0, float64(m.Width), float64(m.Height)))
		p.X.Min, p.X.Max = 0, float64(m.Width)
		p.Y.Min, p.Y.Max = 0, float64(m.Height)
		panels = append(panels, p)
	}
	if len(panels) == 0 {
		return false, nil
	}
	title := fmt.Sprintf("%s, %s: pixels of the highest-scoring subset (red)", r.Experiment, set)
	return true, saveTiles(path, title, panels, 6, 1.7*vg.Inch, 2.1*vg.Inch)
}
