package nn

import (
	"fmt"
	"math/rand/v2"
)

// Conv2D is the layer kind of a 2-D convolution: Filters output channels,
// a Kernel×Kernel window moved by Strides pixels (0 means 1) in both
// directions, or by Strides rows and ColStrides columns when ColStrides is
// not 0 (Keras' strides=(Strides, ColStrides): a spectrogram's frequencies
// subsampled but not its frames), Padding "same" or "valid", and an
// Activation other than softmax. Its input is an image [h, w, c]; its params are "kernel"
// [Kernel, Kernel, c, Filters] and "bias" [Filters]. As in TensorFlow, a
// "same" output has ⌈h/Strides⌉ rows, and the input is padded with
// max((oh−1)·Strides + Kernel − h, 0) zero rows, half of them (rounded
// down) before, the rest after ((Kernel−1)/2 before with stride 1); a
// "valid" output has ⌊(h−Kernel)/Strides⌋ + 1 rows; columns likewise,
// with their own stride.
const Conv2D = "conv2d"

func init() { register(Conv2D, newConv2D) }

// conv2D is a Conv2D layer.
type conv2D struct {
	in, out      []int // [h, w, c] and [oh, ow, filters]
	k            int
	stride       int // between rows
	strideX      int // between columns
	same         bool
	act          activation
	kernel, bias []float32 // kernel (k·k·c)×filters, row-major (Keras' layout)
}

func newConv2D(spec LayerSpec, in [][]int) (layer, error) {
	s, err := imageInput(in)
	if err != nil {
		return nil, err
	}
	l := &conv2D{in: s, k: spec.Kernel, stride: max(spec.Strides, 1)}
	l.strideX = l.stride
	if spec.ColStrides != 0 {
		l.strideX = spec.ColStrides
	}
	if l.same, err = parsePadding(spec.Padding); err != nil {
		return nil, err
	}
	if l.act, err = parseActivation(spec.Activation); err != nil {
		return nil, err
	}
	if l.act == softmax {
		return nil, fmt.Errorf("softmax is supported on dense layers only")
	}
	k, h, w := spec.Kernel, s[0], s[1]
	if k < 1 || spec.Filters < 1 || spec.Strides < 0 || spec.ColStrides < 0 {
		return nil, fmt.Errorf("kernel %d and filters %d must be positive, strides %d and col_strides %d not negative", k, spec.Filters, spec.Strides, spec.ColStrides)
	}
	st, stX := l.stride, l.strideX
	if l.same {
		h, w = (h+st-1)/st, (w+stX-1)/stX
	} else if h, w = h-k+1, w-k+1; h > 0 && w > 0 {
		h, w = (h-1)/st+1, (w-1)/stX+1
	}
	if h < 1 || w < 1 {
		return nil, fmt.Errorf("a %dx%d valid convolution does not fit", k, k)
	}
	l.out = []int{h, w, spec.Filters}
	l.kernel = make([]float32, k*k*s[2]*spec.Filters)
	l.bias = make([]float32, spec.Filters)
	return l, nil
}

func (l *conv2D) outShape() []int        { return l.out }
func (l *conv2D) activation() activation { return l.act }

func (l *conv2D) params() []param {
	return []param{
		{"kernel", []int{l.k, l.k, l.in[2], l.out[2]}, l.kernel},
		{"bias", []int{l.out[2]}, l.bias},
	}
}

// init draws the kernel from Glorot-uniform with fan_in = k·k·c and
// fan_out = k·k·filters, and zeroes the bias.
func (l *conv2D) init(rng *rand.Rand) {
	glorot(rng, l.kernel, l.k*l.k*l.in[2], l.k*l.k*l.out[2])
	clear(l.bias)
}

// needs: the records are the pre-activation and the transposed im2col
// matrix; forward scratch is conv's transposed output and channel-major
// input, then convDirect's padded planes and output span; backward scratch
// is the pre-activation gradient, its transpose, the im2col gradient and
// the channel-major input gradient.
func (l *conv2D) needs() needs {
	P, f := l.out[0]*l.out[1], l.out[2]
	in, cols := size(l.in), P*l.k*l.k*l.in[2]
	hp, wp, L := l.padded()
	return needs{
		record:   []int{P * f, cols},
		forward:  []int{P * f, in, hp * wp * l.in[2], L * f},
		backward: []int{P * f, P * f, cols, in},
	}
}

func (l *conv2D) preActivation(rec [][]float32) []float32 { return rec[0] }

func (l *conv2D) forward(out []float32, in [][]float32, rec, s [][]float32, train bool) {
	if !train && l.stride == 1 && l.strideX == 1 {
		l.convDirect(out, in[0], s[2], s[3])
		return
	}
	l.conv(rec[0], in[0], rec[1], s[0], s[1])
	l.act.apply(out, rec[0])
}

func (l *conv2D) backward(gin [][]float32, gout, out []float32, in [][]float32, rec, pg, s [][]float32) {
	backwardActivated(l, gin, gout, out, in, rec, pg, s)
}

func (l *conv2D) backwardPre(gin [][]float32, gp []float32, in [][]float32, rec, pg, s [][]float32) {
	P, f := l.out[0]*l.out[1], l.out[2]
	gpT := s[1][:f*P]
	transpose(gpT, gp, P, f)
	if pg != nil {
		l.convWeightGrad(pg[0], pg[1], rec[1], gpT)
	}
	if gin[0] != nil {
		l.convInputGrad(gin[0], gpT, s[2], s[3])
	}
}

// padded returns, for stride 1, the height hp and width wp of the
// zero-padded input, and the length L = (oh−1)·wp + ow of the span of output positions y·wp + x
// (x < ow) that convDirect computes.
func (l *conv2D) padded() (hp, wp, L int) {
	hp, wp = l.in[0], l.in[1]
	if l.same {
		hp += l.k - 1
		wp += l.k - 1
	}
	return hp, wp, (l.out[0]-1)*wp + l.out[1]
}

// before returns the number of zero rows padded before the input, as
// TensorFlow pads: half the padding, rounded down, for "same" ((k−1)/2
// with stride 1), 0 for "valid". Rows and columns are padded alike when
// the input is square; before uses the rows.
func (l *conv2D) before() int {
	if !l.same {
		return 0
	}
	return max((l.out[0]-1)*l.stride+l.k-l.in[0], 0) / 2
}

// beforeX is before for the columns.
func (l *conv2D) beforeX() int {
	if !l.same {
		return 0
	}
	return max((l.out[1]-1)*l.strideX+l.k-l.in[1], 0) / 2
}

// geometry returns the input's height, width and channels, the output's
// height and width, P = oh·ow, the kernel size, the padding before the
// rows and before the columns, and the strides between rows and between
// columns.
func (l *conv2D) geometry() (h, w, c, oh, ow, P, k, pad, padX, st, stX int) {
	return l.in[0], l.in[1], l.in[2], l.out[0], l.out[1], l.out[0] * l.out[1], l.k, l.before(), l.beforeX(), l.stride, l.strideX
}

// inside returns the range [x0, x1) of the output columns whose window
// tap kx reads an input column inside the image: 0 ≤ x·st + kx − padX < w.
func inside(kx, w, ow, padX, st int) (x0, x1 int) {
	if d := padX - kx; d > 0 {
		x0 = (d + st - 1) / st
	}
	return x0, min(ow, (w+padX-kx+st-1)/st)
}

// convDirect computes the activated output of the convolution of in into
// dst (HWC) without an im2col matrix: the input is copied channel by
// channel into a zero-padded hp×wp plane, in which the window tap (ky, kx)
// of output position (y, x) is pixel (y+ky)·wp + x+kx, so each tap and
// channel contributes to all outputs of a filter through one axpy of
// length L over the plane shifted by ky·wp + kx. Outputs are kept at
// stride wp in acc (the wp−ow extra columns per row are discarded). Each
// output sums bias + Σ_l K[l,j]·x_l in ascending l = (ky·k+kx)·c+ch,
// skipping zero weights, with the padding's zeros included: exactly the
// operations of conv, so results are bit-identical.
func (l *conv2D) convDirect(dst, in, pad, acc []float32) {
	h, w, c := l.in[0], l.in[1], l.in[2]
	f, k := l.out[2], l.k
	hp, wp, L := l.padded()
	before := l.before()
	plane := hp * wp
	pad = pad[:plane*c]
	clear(pad)
	for y := range h {
		for x := range w {
			px := in[(y*w+x)*c : (y*w+x+1)*c]
			o := (y+before)*wp + x + before
			for ch, v := range px {
				pad[ch*plane+o] = v
			}
		}
	}
	acc = acc[:f*L]
	fillRows(acc, l.bias, L)
	for ky := range k {
		for kx := range k {
			for ch := range c {
				r := (ky*k+kx)*c + ch
				src := pad[ch*plane+ky*wp+kx:][:L]
				for j, v := range l.kernel[r*f : (r+1)*f] {
					if v != 0 {
						axpy(v, src, acc[j*L:(j+1)*L])
					}
				}
			}
		}
	}
	l.activateSpan(dst, acc, wp, L)
}

// fillRows sets row j of the len(v)×L matrix dst to v[j].
func fillRows(dst, v []float32, L int) {
	for j, b := range v {
		row := dst[j*L : (j+1)*L]
		for p := range row {
			row[p] = b
		}
	}
}

// activateSpan writes the activation of convDirect's outputs, filter j's
// at acc[j·L + y·wp + x], into dst (HWC).
func (l *conv2D) activateSpan(dst, acc []float32, wp, L int) {
	oh, ow, f := l.out[0], l.out[1], l.out[2]
	dst = dst[:oh*ow*f]
	for j := range f {
		row := acc[j*L : (j+1)*L]
		for y := range oh {
			seg := row[y*wp : y*wp+ow]
			d := dst[y*ow*f+j:]
			switch l.act {
			case relu:
				for x, v := range seg {
					d[x*f] = max(v, 0)
				}
			case sigmoid:
				for x, v := range seg {
					d[x*f] = sigmoid32(v)
				}
			case relu20:
				for x, v := range seg {
					d[x*f] = min(max(v, 0), relu20Max)
				}
			case tanhAct:
				for x, v := range seg {
					d[x*f] = tanh32(v)
				}
			default:
				for x, v := range seg {
					d[x*f] = v
				}
			}
		}
	}
}

// conv computes the convolution of in into dst (pre-activation, HWC)
// through a transposed im2col and a matrix product: with P = oh·ow output
// positions and kc = k·k·in, colsᵀ is kc×P, the kernel K is kc×f, and
// outᵀ = bias + Kᵀ·colsᵀ is f×P, computed as axpys of length P (long
// vectors, whatever the number of filters), then transposed into dst. Each
// output sums bias + Σ_l K[l,j]·cols[l,p] in ascending l.
func (l *conv2D) conv(dst, in, cols, tmp, chw []float32) {
	P, f := l.out[0]*l.out[1], l.out[2]
	kc := l.k * l.k * l.in[2]
	cols = cols[:kc*P]
	l.im2colT(cols, in, chw)
	outT := tmp[:f*P]
	fillRows(outT, l.bias, P)
	for r := range kc {
		src := cols[r*P : (r+1)*P]
		for j, v := range l.kernel[r*f : (r+1)*f] {
			if v != 0 {
				axpy(v, src, outT[j*P:(j+1)*P])
			}
		}
	}
	transpose(dst[:P*f], outT, f, P)
}

// im2colT writes the transposed im2col matrix of in: row (ky·k+kx)·c+ch,
// column y·ow+x holds the input pixel (y·st+ky−pad, x·stX+kx−padX) of
// channel ch, or 0 outside the image. chw is scratch for the input in
// channel-major order, so that each row of the matrix is built from
// contiguous copies (with column stride 1).
func (l *conv2D) im2colT(cols, in, chw []float32) {
	h, w, c, oh, ow, P, k, pad, padX, st, stX := l.geometry()
	planes := in
	if c > 1 {
		planes = chw[:h*w*c]
		transpose(planes, in, h*w, c)
	}
	for ky := range k {
		for kx := range k {
			// Output columns x in [x0, x1) read input columns
			// x·stX+kx−padX inside the image.
			x0, x1 := inside(kx, w, ow, padX, stX)
			for ch := range c {
				row := cols[((ky*k+kx)*c+ch)*P : ((ky*k+kx)*c+ch+1)*P]
				plane := planes[ch*h*w : (ch+1)*h*w]
				for y := range oh {
					iy := y*st + ky - pad
					seg := row[y*ow : (y+1)*ow]
					if iy < 0 || iy >= h || x0 >= x1 {
						clear(seg)
						continue
					}
					clear(seg[:x0])
					if stX == 1 {
						copy(seg[x0:x1], plane[iy*w+x0+kx-padX:iy*w+x1+kx-padX])
					} else {
						for x := x0; x < x1; x++ {
							seg[x] = plane[iy*w+x*stX+kx-padX]
						}
					}
					clear(seg[x1:])
				}
			}
		}
	}
}

// convWeightGrad adds the gradients of the kernel and the bias, given the
// transposed im2col matrix cols of the input (as forward left it) and gpT,
// the f×P transposed gradient w.r.t. the pre-activation:
// ∂K[r,j] += Σ_p colsᵀ[r,p]·gpᵀ[j,p] (a dot product of length P), ∂b[j] +=
// Σ_p gpᵀ[j,p].
func (l *conv2D) convWeightGrad(gk, gb, cols, gpT []float32) {
	P, f := l.out[0]*l.out[1], l.out[2]
	kc := l.k * l.k * l.in[2]
	for r := range kc {
		src := cols[r*P : (r+1)*P]
		dst := gk[r*f : (r+1)*f]
		for j := range dst {
			dst[j] += dot(src, gpT[j*P:(j+1)*P])
		}
	}
	for j := range f {
		var s float32
		for _, v := range gpT[j*P : (j+1)*P] {
			s += v
		}
		gb[j] += s
	}
}

// convInputGrad computes the gradient w.r.t. the input from gpT, the f×P
// transposed gradient w.r.t. the pre-activation: the transposed im2col
// gradient K·gpᵀ (kc×P, axpys of length P), folded back onto the input
// (col2im). cols and chw are scratch.
func (l *conv2D) convInputGrad(gin, gpT, cols, chw []float32) {
	P, f := l.out[0]*l.out[1], l.out[2]
	kc := l.k * l.k * l.in[2]
	cols = cols[:kc*P]
	for r := range kc {
		dst := cols[r*P : (r+1)*P]
		clear(dst)
		for j, v := range l.kernel[r*f : (r+1)*f] {
			if v != 0 {
				axpy(v, gpT[j*P:(j+1)*P], dst)
			}
		}
	}
	l.col2im(gin, cols, chw)
}

// col2im adds each entry of the transposed im2col gradient cols onto the
// input pixel it was copied from, into gin (HWC), overwriting gin.
func (l *conv2D) col2im(gin, cols, chw []float32) {
	h, w, c, oh, ow, P, k, pad, padX, st, stX := l.geometry()
	planes := gin
	if c > 1 {
		planes = chw[:h*w*c]
	}
	clear(planes)
	for ky := range k {
		for kx := range k {
			x0, x1 := inside(kx, w, ow, padX, stX)
			if x0 >= x1 {
				continue
			}
			for ch := range c {
				row := cols[((ky*k+kx)*c+ch)*P : ((ky*k+kx)*c+ch+1)*P]
				plane := planes[ch*h*w : (ch+1)*h*w]
				for y := range oh {
					iy := y*st + ky - pad
					if iy < 0 || iy >= h {
						continue
					}
					src := row[y*ow+x0 : y*ow+x1]
					if stX > 1 {
						for x, v := range src {
							plane[iy*w+(x0+x)*stX+kx-padX] += v
						}
						continue
					}
					dst := plane[iy*w+x0+kx-padX : iy*w+x1+kx-padX]
					dst = dst[:len(src)]
					for x, v := range src {
						dst[x] += v
					}
				}
			}
		}
	}
	if c > 1 {
		transpose(gin, planes, c, h*w)
	}
}
