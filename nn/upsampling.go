package nn

import (
	"fmt"
	"math/rand/v2"
)

// UpSampling2D is the layer kind of a nearest-neighbour upsampling: each
// pixel of its image input [h, w, c] repeated Size×Size times.
const UpSampling2D = "upsampling2d"

func init() { register(UpSampling2D, newUpSampling) }

// upSampling is an UpSampling2D layer.
type upSampling struct {
	in, out []int
	s       int
}

func newUpSampling(spec LayerSpec, in [][]int) (layer, error) {
	s, err := imageInput(in)
	if err != nil {
		return nil, err
	}
	if spec.Size < 1 {
		return nil, fmt.Errorf("size %d must be positive", spec.Size)
	}
	return &upSampling{in: s, out: []int{s[0] * spec.Size, s[1] * spec.Size, s[2]}, s: spec.Size}, nil
}

func (l *upSampling) outShape() []int { return l.out }
func (l *upSampling) params() []param { return nil }
func (l *upSampling) init(*rand.Rand) {}
func (l *upSampling) needs() needs    { return needs{} }

// pixels returns the offsets in the input and in the output of the pixel
// copied to output position (y, x).
func (l *upSampling) pixels(y, x int) (from, to int) {
	c := l.in[2]
	return ((y/l.s)*l.in[1] + x/l.s) * c, (y*l.out[1] + x) * c
}

func (l *upSampling) forward(out []float32, in [][]float32, _, _ [][]float32, _ bool) {
	c := l.in[2]
	for y := range l.out[0] {
		for x := range l.out[1] {
			from, to := l.pixels(y, x)
			copy(out[to:to+c], in[0][from:from+c])
		}
	}
}

// backward sums the gradients of each pixel's copies.
func (l *upSampling) backward(gin [][]float32, gout, _ []float32, _ [][]float32, _, _, _ [][]float32) {
	if gin[0] == nil {
		return
	}
	c := l.in[2]
	clear(gin[0])
	for y := range l.out[0] {
		for x := range l.out[1] {
			from, to := l.pixels(y, x)
			dst := gin[0][from : from+c]
			for ch, v := range gout[to : to+c] {
				dst[ch] += v
			}
		}
	}
}
