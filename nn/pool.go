package nn

import (
	"fmt"
	"math/rand/v2"
)

// MaxPooling2D is the layer kind of a max pooling over Pool×Pool windows
// with stride Pool, with Padding "same" (windows that run over the bottom
// or right edge use the pixels inside, as TensorFlow pads) or "valid". Its
// input is an image [h, w, c].
const MaxPooling2D = "maxpool2d"

func init() { register(MaxPooling2D, newMaxPool) }

// maxPool is a MaxPooling2D layer.
type maxPool struct {
	in, out []int
	p       int
}

func newMaxPool(spec LayerSpec, in [][]int) (layer, error) {
	s, err := imageInput(in)
	if err != nil {
		return nil, err
	}
	same, err := parsePadding(spec.Padding)
	if err != nil {
		return nil, err
	}
	p, h, w := spec.Pool, s[0], s[1]
	if p < 1 {
		return nil, fmt.Errorf("pool %d must be positive", p)
	}
	if same {
		h, w = (h+p-1)/p, (w+p-1)/p
	} else {
		h, w = h/p, w/p
	}
	if h < 1 || w < 1 {
		return nil, fmt.Errorf("a %dx%d valid pooling does not fit", p, p)
	}
	return &maxPool{in: s, out: []int{h, w, s[2]}, p: p}, nil
}

func (l *maxPool) outShape() []int { return l.out }
func (l *maxPool) params() []param { return nil }
func (l *maxPool) init(*rand.Rand) {}
func (l *maxPool) needs() needs    { return needs{} }
func (l *maxPool) window(y, x int) (iy0, iy1, ix0, ix1 int) {
	return y * l.p, min((y+1)*l.p, l.in[0]), x * l.p, min((x+1)*l.p, l.in[1])
}

// forward takes the maximum of each window, channel by channel: the
// window's first pixel, then each later one that is larger (so a NaN in
// the first pixel stays and a later NaN is skipped).
func (l *maxPool) forward(out []float32, in [][]float32, _, _ [][]float32, _ bool) {
	w, c := l.in[1], l.in[2]
	for y := range l.out[0] {
		for x := range l.out[1] {
			o := out[(y*l.out[1]+x)*c : (y*l.out[1]+x+1)*c]
			iy0, iy1, ix0, ix1 := l.window(y, x)
			first := true
			for iy := iy0; iy < iy1; iy++ {
				for ix := ix0; ix < ix1; ix++ {
					src := in[0][(iy*w+ix)*c : (iy*w+ix+1)*c]
					if first {
						copy(o, src)
						first = false
						continue
					}
					for ch, v := range src {
						if v > o[ch] {
							o[ch] = v
						}
					}
				}
			}
		}
	}
}

// backward routes each window's gradient to the first (row-major)
// position holding the window's maximum, as TensorFlow's MaxPoolGrad does.
func (l *maxPool) backward(gin [][]float32, gout, _ []float32, in [][]float32, _, _, _ [][]float32) {
	if gin[0] == nil {
		return
	}
	w, c := l.in[1], l.in[2]
	g, x0 := gin[0], in[0]
	clear(g)
	var stack [64]int
	bestAt := stack[:0]
	if c > len(stack) {
		bestAt = make([]int, c)
	}
	bestAt = bestAt[:c]
	for y := range l.out[0] {
		for x := range l.out[1] {
			iy0, iy1, ix0, ix1 := l.window(y, x)
			for ch := range bestAt {
				bestAt[ch] = (iy0*w+ix0)*c + ch
			}
			for iy := iy0; iy < iy1; iy++ {
				for ix := ix0; ix < ix1; ix++ {
					at := (iy*w + ix) * c
					for ch, v := range x0[at : at+c] {
						if v > x0[bestAt[ch]] {
							bestAt[ch] = at + ch
						}
					}
				}
			}
			for ch, at := range bestAt {
				g[at] += gout[(y*l.out[1]+x)*c+ch]
			}
		}
	}
}
