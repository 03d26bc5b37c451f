package report

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// inkBounds returns the bounding box of the pixels of img for which ink
// is true, empty when there is none.
func inkBounds(img image.Image, ink func(color.Color) bool) image.Rectangle {
	var r image.Rectangle
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if ink(img.At(x, y)) {
				r = r.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return r
}

func notWhite(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r < 0xf000 || g < 0xf000 || b < 0xf000
}

// testLegend returns a side legend of entries of different lengths, the
// longest much longer than the heading.
func testLegend(heading string) *sideLegend {
	l := newSideLegend(heading)
	for i, n := range []string{"a", "hopskipjump (published)", "conv2d_4 = up_sampling2d_1"} {
		line, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
		if err != nil {
			panic(err)
		}
		line.Color = color.RGBA{R: uint8(60 * i), B: 200, A: 255}
		l.Add(n, line)
	}
	return l
}

// TestSideLegend checks that a side legend draws only inside its column,
// within the margins, and centred between the heights it is given.
func TestSideLegend(t *testing.T) {
	const dpi = 96
	px := func(l vg.Length) float64 { return float64(l) / vg.Inch.Points() * dpi }
	for _, heading := range []string{"layer", ""} {
		l := testLegend(heading)
		w, h := 6*vg.Inch, 4*vg.Inch
		c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi))
		dc := draw.New(c)
		dc.SetColor(color.White)
		dc.Fill(dc.Rectangle.Path())
		bottom, top := 0.5*vg.Inch, 3.5*vg.Inch
		l.draw(dc, bottom, top)
		ink := inkBounds(c.Image(), notWhite)
		if ink.Empty() {
			t.Fatalf("heading %q: nothing drawn", heading)
		}
		col := l.columnWidth()
		left, right := px(w-col+sideLegendMargin), px(w-sideLegendMargin)
		// One pixel of slack for anti-aliasing.
		if float64(ink.Min.X) < left-1 || float64(ink.Max.X) > right+1 {
			t.Errorf("heading %q: ink in x [%d, %d), want within [%.1f, %.1f]", heading, ink.Min.X, ink.Max.X, left, right)
		}
		// The longest entry spans most of the column.
		if float64(ink.Max.X) < right-0.1*(right-left) {
			t.Errorf("heading %q: ink ends at x %d, column text ends at %.1f", heading, ink.Max.X, right)
		}
		// Image rows run from the top; the block is centred on 2 inches.
		mid := float64(ink.Min.Y+ink.Max.Y) / 2
		if want := px(h - (bottom+top)/2); mid < want-6 || mid > want+6 {
			t.Errorf("heading %q: ink centred on row %.1f, want %.1f", heading, mid, want)
		}
		if float64(ink.Min.Y) < px(h-top) || float64(ink.Max.Y) > px(h-bottom) {
			t.Errorf("heading %q: ink in rows [%d, %d) outside [%.1f, %.1f]", heading, ink.Min.Y, ink.Max.Y, px(h-top), px(h-bottom))
		}
	}
}

// TestLegendFigureKeepsDataClear draws a plot whose data fill its whole
// data area in one colour, with a side legend, and checks that every
// pixel inside that area keeps the colour: the legend covers none of it.
func TestLegendFigureKeepsDataClear(t *testing.T) {
	fill := color.RGBA{R: 10, G: 200, B: 30, A: 255}
	p := plot.New()
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	p.X.Padding, p.Y.Padding = 0, 0
	poly, err := plotter.NewPolygon(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 0}, {X: 1, Y: 1}, {X: 0, Y: 1}})
	if err != nil {
		t.Fatal(err)
	}
	poly.Color = fill
	poly.LineStyle.Width = 0
	p.Add(poly)
	path := filepath.Join(t.TempDir(), "fig.png")
	if err := saveLegendFigure(path, "title", p, testLegend("set"), 5*vg.Inch, 4*vg.Inch); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	same := func(c color.Color) bool {
		r, g, b, _ := c.RGBA()
		return r>>8 == uint32(fill.R) && g>>8 == uint32(fill.G) && b>>8 == uint32(fill.B)
	}
	area := inkBounds(img, same)
	if area.Dx() < 300 || area.Dy() < 200 {
		t.Fatalf("data area %v: too small", area)
	}
	inner := area.Inset(2)
	for y := inner.Min.Y; y < inner.Max.Y; y++ {
		for x := inner.Min.X; x < inner.Max.X; x++ {
			if !same(img.At(x, y)) {
				t.Fatalf("pixel (%d, %d) inside the data area %v is %v: something is drawn over the data", x, y, area, img.At(x, y))
			}
		}
	}
	// The legend is there, to the right of the data.
	right := image.Rect(area.Max.X+2, 0, img.Bounds().Max.X, img.Bounds().Max.Y)
	if sub := inkBounds(img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(right), notWhite); sub.Empty() {
		t.Errorf("no legend right of the data area %v", area)
	}
}
