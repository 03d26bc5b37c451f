package experiments

import (
	"fmt"
	"math"
	"slices"

	"subsetscan/data"
	"subsetscan/nn"
	"subsetscan/report"
)

// bceEpsilon is Keras' backend epsilon, by which binary_crossentropy clips
// the reconstruction away from 0 and 1.
const bceEpsilon = 1e-7

// ReconstructionError returns the per-pixel binary cross-entropy between
// the images x and their reconstructions r (same shape, r in [0, 1]):
//
//	e = −(x·ln p + (1 − x)·ln(1 − p)),  p = clip(r, ε, 1 − ε), ε = 1e-7,
//
// as Keras' binary_crossentropy computes it before averaging, so that every
// value is finite (at most −ln ε ≈ 16.1 for pixels in [0, 1]). Pixels of x
// outside [0, 1], such as those of unclipped adversarial images, are used
// as they are; their error can be negative. It returns an error, naming
// the sample and pixel, for shapes that differ or a non-finite value.
func ReconstructionError(x, r *data.Array) (*data.Array, error) {
	if !slices.Equal(x.Shape, r.Shape) {
		return nil, fmt.Errorf("reconstruction error: images of shape %v but reconstructions of shape %v", x.Shape, r.Shape)
	}
	out := data.NewArray(x.Shape...)
	j := max(x.RowSize(), 1)
	for i, xv := range x.Data {
		p := min(max(float64(r.Data[i]), bceEpsilon), 1-bceEpsilon)
		t := float64(xv)
		e := -(t*math.Log(p) + (1-t)*math.Log1p(-p))
		if math.IsNaN(e) || math.IsInf(e, 0) {
			return nil, fmt.Errorf("reconstruction error of sample %d, pixel %d: image %v, reconstruction %v give %v", i/j, i%j, xv, r.Data[i], e)
		}
		out.Data[i] = float32(e)
	}
	return out, nil
}

// reconSpace replaces the activations of prepare with the reconstruction
// error of the background and evaluation images, under ReconLayer.
func reconSpace(model *nn.Model, bg, eval *data.Array, workers int) (bgErr, evalErr *data.Array, err error) {
	names := model.LayerNames()
	last := names[len(names)-1]
	errOf := func(x *data.Array) (*data.Array, error) {
		out, err := model.Forward(x, []string{last}, workers)
		if err != nil {
			return nil, err
		}
		r := out[last]
		if !slices.Equal(r.Shape, x.Shape) {
			return nil, fmt.Errorf("space %s: the output of %s, shape %v, is not a reconstruction of images of shape %v", SpaceReconstructionError, last, r.Shape, x.Shape)
		}
		return ReconstructionError(x, r)
	}
	if bgErr, err = errOf(bg); err != nil {
		return nil, nil, fmt.Errorf("background: %w", err)
	}
	if evalErr, err = errOf(eval); err != nil {
		return nil, nil, fmt.Errorf("evaluation images: %w", err)
	}
	return bgErr, evalErr, nil
}

// rowMeans returns the mean of each row of a.
func rowMeans(a *data.Array) []float64 {
	out := make([]float64, a.Len())
	for i := range out {
		s := 0.0
		for _, v := range a.Row(i) {
			s += float64(v)
		}
		out[i] = s / float64(a.RowSize())
	}
	return out
}

// pixelMapsPerSet is how many images of each set (the first ones) get a
// pixel map.
const pixelMapsPerSet = 6

// pixelMaps returns the pixel maps of the first pixelMapsPerSet images of
// clean and of each set: the image and the pixels of its individual scan's
// subset. eval holds the clean images and then each set's, in order.
func pixelMaps(eval *data.Array, nodes [][]int, score, alpha []float64, groups []string, sizes []int) []report.PixelMap {
	if len(eval.Shape) < 3 || eval.Shape[1]*eval.Shape[2] != eval.RowSize() {
		return nil // not single-channel images
	}
	h, w := eval.Shape[1], eval.Shape[2]
	var maps []report.PixelMap
	off := 0
	for g, set := range groups {
		for i := range min(pixelMapsPerSet, sizes[g]) {
			row := off + i
			maps = append(maps, report.PixelMap{Set: set, Index: i, Score: score[row], Alpha: alpha[row],
				Height: h, Width: w, Image: slices.Clone(eval.Row(row)), Nodes: nodes[row]})
		}
		off += sizes[g]
	}
	return maps
}
