package report

import "image"

// DrawGray draws the single-channel image v (row-major, width w, values in
// [0, 1] as grey levels from black to white) into dst with its top-left
// corner at (x, y), each pixel enlarged to zoom×zoom. Values outside
// [0, 1] are clipped and NaN is drawn black. The image must fit inside dst.
func DrawGray(dst *image.Gray, v []float32, w, zoom, x, y int) {
	for p, f := range v {
		g := uint8(0)
		if f > 0 { // NaN and values ≤ 0: black
			g = uint8(min(f, 1)*255 + 0.5)
		}
		x0, y0 := x+(p%w)*zoom, y+(p/w)*zoom
		for dy := range zoom {
			row := dst.Pix[dst.PixOffset(x0, y0+dy):]
			for dx := range zoom {
				row[dx] = g
			}
		}
	}
}
