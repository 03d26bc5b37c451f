package report_test

import (
	"image"
	"math"
	"testing"

	"subsetscan/report"
)

// TestDrawGray checks the grey levels (clipped, NaN black), the zoom and
// the offset of a 2×2 image drawn into a larger one.
func TestDrawGray(t *testing.T) {
	dst := image.NewGray(image.Rect(0, 0, 6, 5))
	for i := range dst.Pix {
		dst.Pix[i] = 7
	}
	v := []float32{0.5, 2, float32(math.NaN()), -1}
	report.DrawGray(dst, v, 2, 2, 1, 1)
	want := map[[2]int]uint8{{1, 1}: 128, {2, 2}: 128, {3, 1}: 255, {4, 2}: 255, {1, 3}: 0, {2, 4}: 0, {3, 3}: 0, {4, 4}: 0,
		{0, 0}: 7, {5, 4}: 7, {0, 3}: 7}
	for p, g := range want {
		if got := dst.GrayAt(p[0], p[1]).Y; got != g {
			t.Errorf("pixel %v: %d, want %d", p, got, g)
		}
	}
}
