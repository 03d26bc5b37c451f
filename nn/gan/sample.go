package gan

import (
	"fmt"
	"image"
	"image/png"
	"io"
	"math/rand/v2"

	"subsetscan/data"
	"subsetscan/nn"
	"subsetscan/report"
)

// Generate returns n samples of the generator g (input: a latent vector
// [z]) from n latent vectors drawn by Latent from a PCG generator seeded
// with seed (the stream Train's latents use, so Generate(g, seed, …) with
// the training seed draws the first training latents again). Samples run
// on workers goroutines (0 means all cores) and do not depend on it.
func Generate(g *nn.Model, seed uint64, n, workers int) (*data.Array, error) {
	if len(g.Arch.Input) != 1 {
		return nil, fmt.Errorf("gan: generator %s takes %v, want a latent vector [z]", g.Arch.Name, g.Arch.Input)
	}
	z := Latent(rand.New(rand.NewPCG(seed, streamLatent)), n, g.Arch.Input[0])
	return g.Predict(z, workers)
}

// Grid layout, in pixels.
const (
	gridZoom = 2    // each image pixel is gridZoom×gridZoom
	gridGap  = 2    // space between images
	gridBack = 0x80 // background: mid gray, so that the images' edges show
)

// WriteGrid writes the images ([n, h, w] or [n, h, w, 1], values in
// [0, 1], 0 black) as a PNG contact sheet of cols columns, row by row,
// each pixel enlarged to 2×2 and the images 2 pixels apart on a gray
// background, atomically (data.WriteFileAtomic). Values outside [0, 1] are
// clipped, NaN drawn black. It is an error if the images are not
// single-channel 2-D images; cols < 1 panics.
func WriteGrid(path string, images *data.Array, cols int) error {
	if cols < 1 {
		panic("gan: WriteGrid: cols < 1")
	}
	s := images.Shape
	if len(s) < 3 || len(s) > 4 || (len(s) == 4 && s[3] != 1) || images.Len() == 0 {
		return fmt.Errorf("gan: WriteGrid: images of shape %v, want [n h w] or [n h w 1]", s)
	}
	h, w, n := s[1], s[2], images.Len()
	rows := (n + cols - 1) / cols
	cell := func(d int) int { return d*gridZoom + gridGap }
	img := image.NewGray(image.Rect(0, 0, gridGap+min(n, cols)*cell(w), gridGap+rows*cell(h)))
	for i := range img.Pix {
		img.Pix[i] = gridBack
	}
	for k := range n {
		x0, y0 := gridGap+(k%cols)*cell(w), gridGap+(k/cols)*cell(h)
		report.DrawGray(img, images.Row(k), w, gridZoom, x0, y0)
	}
	return data.WriteFileAtomic(path, func(wr io.Writer) error { return png.Encode(wr, img) })
}
