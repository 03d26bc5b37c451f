package mnistc

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"subsetscan/data"
	"subsetscan/report"
)

// Layout of the contact sheet, in pixels.
const (
	gridZoom   = 3                // each image pixel is gridZoom×gridZoom
	gridCell   = Side * gridZoom  // side of one image
	gridGap    = 4                // space between images
	gridLabel  = 14*7 + 2*gridGap // room for 14 characters of basicfont.Face7x13
	gridHeader = 13 + 2*gridGap   // height of the row of column titles
	gridStride = gridCell + gridGap
	// gridBackground is a light gray, so that white parts of an image
	// (stripe's bands) still show where the image ends.
	gridBackground = 0xc8
)

// WriteGrid writes to path a PNG contact sheet of the corruptions of the
// Side×Side image digit (values in [0, 1]), for reports: one row per
// corruption, in the order of Names and labelled with its name, showing the
// clean digit then examples corrupted copies of it. Copy k is corrupted with
// Rand(seed, name, k), as Apply corrupts image k of a batch. Pixel values
// are drawn as gray levels (0 black, 1 white), each enlarged to 3×3, on a
// light gray background. The
// file is written atomically (data.WriteFileAtomic). A digit of another
// length or with values outside [0, 1] is an error; examples < 1 panics.
func WriteGrid(path string, digit []float32, examples int, seed uint64) error {
	if examples < 1 {
		panic("mnistc: WriteGrid needs at least one example")
	}
	if len(digit) != Pixels {
		return fmt.Errorf("mnistc: WriteGrid: image of %d values, want %d", len(digit), Pixels)
	}
	batch := data.NewArray(examples, Pixels)
	for k := range examples {
		copy(batch.Row(k), digit)
	}
	names := Names()
	rows := make([]*data.Array, len(names))
	for i, name := range names {
		var err error
		if rows[i], err = Apply(name, batch, seed, 1); err != nil {
			return fmt.Errorf("mnistc: WriteGrid: %w", err)
		}
	}
	img := drawGrid(names, digit, rows)
	return data.WriteFileAtomic(path, func(w io.Writer) error { return png.Encode(w, img) })
}

// drawGrid draws the contact sheet: a header row of column titles, then for
// each name its label, the clean digit and the rows of its array.
func drawGrid(names []string, digit []float32, rows []*data.Array) *image.Gray {
	cols := 1 + rows[0].Len()
	img := image.NewGray(image.Rect(0, 0, gridLabel+cols*gridStride, gridHeader+len(names)*gridStride))
	for i := range img.Pix {
		img.Pix[i] = gridBackground
	}
	for j := range cols {
		title := "clean"
		if j > 0 {
			title = "#" + strconv.Itoa(j)
		}
		drawText(img, title, gridLabel+j*gridStride, gridHeader-gridGap)
	}
	for i, name := range names {
		y := gridHeader + i*gridStride
		drawText(img, name, gridGap, y+gridCell/2+5)
		report.DrawGray(img, digit, Side, gridZoom, gridLabel, y)
		for k := range rows[i].Len() {
			report.DrawGray(img, rows[i].Row(k), Side, gridZoom, gridLabel+(k+1)*gridStride, y)
		}
	}
	return img
}

// drawText draws s in black with its baseline starting at (x, y).
func drawText(img *image.Gray, s string, x, y int) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(color.Black), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}
