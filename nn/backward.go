package nn

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"subsetscan/data"
)

// gradTape holds one sample's gradient buffers.
type gradTape struct {
	g    [][]float32 // gradient w.r.t. each layer's output
	pre  []float32   // gradient w.r.t. a pre-activation, largest layer
	cols []float32   // gradient w.r.t. the im2col matrix
	gpT  []float32   // transposed pre-activation gradient of a convolution
	chw  []float32   // channel-major input-gradient scratch
	in   []float32   // gradient w.r.t. the input
}

func (m *Model) newGradTape() *gradTape {
	gt := &gradTape{g: make([][]float32, len(m.layers))}
	maxOut, maxCols, maxIn := 0, 0, 0
	for i, l := range m.layers {
		gt.g[i] = make([]float32, l.outSize())
		maxOut = max(maxOut, l.outSize())
		maxIn = max(maxIn, l.inSize())
		if l.spec.Kind == Conv2D {
			k := l.spec.Kernel
			maxCols = max(maxCols, l.out[0]*l.out[1]*k*k*l.in[2])
		}
	}
	gt.pre = make([]float32, maxOut)
	gt.gpT = make([]float32, maxOut)
	gt.chw = make([]float32, maxIn)
	gt.cols = make([]float32, maxCols)
	in := m.Arch.Input
	gt.in = make([]float32, in[0]*in[1]*in[2])
	return gt
}

// backward propagates grad, the gradient w.r.t. the output of the last
// layer (or w.r.t. its pre-activation when pre is true), down to the input,
// using the activations t recorded by forward. The result is in gt.in.
//
// When wg is not nil, the gradients w.r.t. the weights are added to it
// (wg[i] holds layer i's kernel and bias gradients, nil for layers without
// weights), and the gradient w.r.t. the input itself is not computed.
func (m *Model) backward(t *tape, gt *gradTape, grad []float32, pre bool, wg []layerGrad) {
	last := len(m.layers) - 1
	copy(gt.g[last], grad)
	for i := last; i >= 0; i-- {
		l := m.layers[i]
		gout := gt.g[i]
		in := t.input
		gin := gt.in
		if i > 0 {
			in = t.out[i-1]
			gin = gt.g[i-1]
		} else if wg != nil {
			gin = nil // the input gradient is not needed
		}
		switch l.spec.Kind {
		case Conv2D, Dense:
			gp := gt.pre[:l.outSize()]
			if i == last && pre {
				copy(gp, gout)
			} else {
				activationGrad(gp, gout, t.out[i], l.act)
			}
			if l.spec.Kind == Dense {
				if wg != nil {
					l.denseWeightGrad(wg[i], in, gp)
				}
				if gin != nil {
					// gin = W · gp, W is in×units.
					blas32.Gemm(blas.NoTrans, blas.Trans, 1,
						blas32.General{Rows: 1, Cols: l.out[2], Stride: l.out[2], Data: gp},
						blas32.General{Rows: l.in[2], Cols: l.out[2], Stride: l.out[2], Data: l.kernel},
						0, blas32.General{Rows: 1, Cols: l.in[2], Stride: l.in[2], Data: gin})
				}
			} else {
				P, f := l.out[0]*l.out[1], l.out[2]
				gpT := gt.gpT[:f*P]
				transpose(gpT, gp, P, f)
				if wg != nil {
					l.convWeightGrad(wg[i], t.cols[i], gpT)
				}
				if gin != nil {
					l.convInputGrad(gin, gpT, gt.cols, gt.chw)
				}
			}
		case MaxPooling2D:
			l.maxPoolGrad(gin, gout, in)
		case UpSampling2D:
			l.upSampleGrad(gin, gout)
		case Flatten:
			copy(gin, gout)
		}
	}
}

// layerGrad holds the gradients w.r.t. one layer's kernel and bias, in the
// layouts of the weights.
type layerGrad struct {
	kernel, bias []float32
}

// denseWeightGrad adds the gradients of a dense layer's weights given its
// input and the gradient gp w.r.t. its pre-activation: ∂W[i,j] += in[i]·gp[j],
// ∂b[j] += gp[j].
func (l *layer) denseWeightGrad(g layerGrad, in, gp []float32) {
	u := l.out[2]
	for i, v := range in[:l.in[2]] {
		if v != 0 {
			axpy(v, gp, g.kernel[i*u:(i+1)*u])
		}
	}
	for j, v := range gp {
		g.bias[j] += v
	}
}

// convWeightGrad adds the gradients of a convolution's weights given the
// transposed im2col matrix cols of its input (as forward left it) and gpT,
// the f×P transposed gradient w.r.t. its pre-activation:
// ∂K[r,j] += Σ_p colsᵀ[r,p]·gpᵀ[j,p] (a dot product of length P), ∂b[j] +=
// Σ_p gpᵀ[j,p].
func (l *layer) convWeightGrad(g layerGrad, cols, gpT []float32) {
	P, f := l.out[0]*l.out[1], l.out[2]
	kc := l.spec.Kernel * l.spec.Kernel * l.in[2]
	for r := range kc {
		src := cols[r*P : (r+1)*P]
		dst := g.kernel[r*f : (r+1)*f]
		for j := range dst {
			dst[j] += dot(src, gpT[j*P:(j+1)*P])
		}
	}
	for j := range f {
		var s float32
		for _, v := range gpT[j*P : (j+1)*P] {
			s += v
		}
		g.bias[j] += s
	}
}

// activationGrad turns the gradient w.r.t. an activation's output into the
// gradient w.r.t. its input, given the output.
func activationGrad(dst, g, out []float32, act activation) {
	switch act {
	case linear:
		copy(dst, g)
	case relu:
		// TensorFlow's ReluGrad passes the gradient where the output is > 0.
		for i, v := range out {
			if v > 0 {
				dst[i] = g[i]
			} else {
				dst[i] = 0
			}
		}
	case sigmoid:
		for i, v := range out {
			dst[i] = g[i] * v * (1 - v)
		}
	case softmax:
		var dot float32
		for i, v := range out {
			dot += g[i] * v
		}
		for i, v := range out {
			dst[i] = v * (g[i] - dot)
		}
	}
}

// convInputGrad computes the gradient w.r.t. the input of a convolution
// from gpT, the f×P transposed gradient w.r.t. its pre-activation: the
// transposed im2col gradient K·gpᵀ (kc×P, axpys of length P), folded back
// onto the input (col2im).
func (l *layer) convInputGrad(gin, gpT, cols, chw []float32) {
	h, w, c := l.in[0], l.in[1], l.in[2]
	oh, ow, f := l.out[0], l.out[1], l.out[2]
	P := oh * ow
	k := l.spec.Kernel
	kc := k * k * c
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
	pad := 0
	if l.same {
		pad = (k - 1) / 2
	}
	planes := gin
	if c > 1 {
		planes = chw[:h*w*c]
	}
	clear(planes)
	for ky := range k {
		for kx := range k {
			x0, x1 := max(0, pad-kx), min(ow, w+pad-kx)
			if x0 >= x1 {
				continue
			}
			for ch := range c {
				row := cols[((ky*k+kx)*c+ch)*P : ((ky*k+kx)*c+ch+1)*P]
				plane := planes[ch*h*w : (ch+1)*h*w]
				for y := range oh {
					iy := y + ky - pad
					if iy < 0 || iy >= h {
						continue
					}
					src := row[y*ow+x0 : y*ow+x1]
					dst := plane[iy*w+x0+kx-pad : iy*w+x1+kx-pad]
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

// maxPoolGrad routes each window's gradient to the first (row-major)
// position holding the window's maximum, as TensorFlow's MaxPoolGrad does.
func (l *layer) maxPoolGrad(gin, gout, in []float32) {
	h, w, c := l.in[0], l.in[1], l.in[2]
	oh, ow := l.out[0], l.out[1]
	p := l.spec.Pool
	clear(gin)
	var stack [64]int
	bestAt := stack[:0]
	if c > len(stack) {
		bestAt = make([]int, c)
	}
	bestAt = bestAt[:c]
	for y := range oh {
		for x := range ow {
			first := true
			for dy := range p {
				iy := y*p + dy
				if iy >= h {
					continue
				}
				for dx := range p {
					ix := x*p + dx
					if ix >= w {
						continue
					}
					at := (iy*w + ix) * c
					if first {
						for ch := range bestAt {
							bestAt[ch] = at + ch
						}
						first = false
						continue
					}
					src := in[at : at+c]
					for ch, v := range src {
						if v > in[bestAt[ch]] {
							bestAt[ch] = at + ch
						}
					}
				}
			}
			g := gout[(y*ow+x)*c : (y*ow+x+1)*c]
			for ch, at := range bestAt {
				gin[at] += g[ch]
			}
		}
	}
}

// upSampleGrad sums the gradients of each pixel's copies.
func (l *layer) upSampleGrad(gin, gout []float32) {
	w, c := l.in[1], l.in[2]
	ow := l.out[1]
	s := l.spec.Size
	clear(gin)
	for y := range l.out[0] {
		for x := range ow {
			src := gout[(y*ow+x)*c : (y*ow+x+1)*c]
			dst := gin[((y/s)*w+x/s)*c : ((y/s)*w+x/s+1)*c]
			for ch, v := range src {
				dst[ch] += v
			}
		}
	}
}

// InputGradient returns, for each sample of x, the gradient w.r.t. the
// input of Σ upstream ⊙ output, where output is the last layer's output, or
// its pre-activation (the logits of a softmax classifier) when logits is
// true: a vector-Jacobian product, from which attacks build loss and class
// gradients. upstream is [n, outputs]. Samples run in parallel on workers
// goroutines (0 means all cores).
func (m *Model) InputGradient(x, upstream *data.Array, logits bool, workers int) (*data.Array, error) {
	if err := m.checkInput(x); err != nil {
		return nil, err
	}
	last := m.layers[len(m.layers)-1]
	if upstream.Len() != x.Len() || upstream.RowSize() != last.outSize() {
		return nil, fmt.Errorf("nn: %s: upstream gradient of shape %v for %d samples of %d outputs", m.Arch.Name, upstream.Shape, x.Len(), last.outSize())
	}
	if logits && !last.hasWeights() {
		return nil, fmt.Errorf("nn: %s: the last layer %s has no pre-activation output", m.Arch.Name, last.spec.Name)
	}
	out := &data.Array{Shape: append([]int{}, x.Shape...), Data: make([]float32, len(x.Data))}
	m.forEachGrad(x.Len(), workers, func(t *tape, gt *gradTape, s int) {
		m.forward(t, x.Row(s))
		m.backward(t, gt, upstream.Row(s), logits, nil)
		copy(out.Row(s), gt.in)
	})
	return out, nil
}

// forEachGrad is forEach with a gradient tape per worker.
func (m *Model) forEachGrad(n, workers int, fn func(t *tape, gt *gradTape, i int)) {
	var pool = make(chan *gradTape, 64)
	m.forEach(n, workers, func(t *tape, i int) {
		var gt *gradTape
		select {
		case gt = <-pool:
		default:
			gt = m.newGradTape()
		}
		fn(t, gt, i)
		select {
		case pool <- gt:
		default:
		}
	})
}

// Jacobian returns, for each sample of x, the gradient w.r.t. the input of
// every output of the last layer (of its pre-activation when logits is
// true): an array [n, outputs, inputs...]. One forward pass serves all the
// outputs of a sample.
func (m *Model) Jacobian(x *data.Array, logits bool, workers int) (*data.Array, error) {
	if err := m.checkInput(x); err != nil {
		return nil, err
	}
	last := m.layers[len(m.layers)-1]
	if logits && !last.hasWeights() {
		return nil, fmt.Errorf("nn: %s: the last layer %s has no pre-activation output", m.Arch.Name, last.spec.Name)
	}
	k := last.outSize()
	in := x.RowSize()
	out := data.NewArray(append([]int{x.Len(), k}, x.Shape[1:]...)...)
	m.forEachGrad(x.Len(), workers, func(t *tape, gt *gradTape, s int) {
		m.forward(t, x.Row(s))
		up := make([]float32, k)
		for c := range k {
			clear(up)
			up[c] = 1
			m.backward(t, gt, up, logits, nil)
			copy(out.Data[(s*k+c)*in:(s*k+c+1)*in], gt.in)
		}
	})
	return out, nil
}
