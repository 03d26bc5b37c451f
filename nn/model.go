package nn

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/gonum"

	"subsetscan/data"
	"subsetscan/internal/par"
)

type activation int

const (
	linear activation = iota
	relu
	sigmoid
	softmax
)

func parseActivation(s string) (activation, error) {
	switch s {
	case "", "linear":
		return linear, nil
	case "relu":
		return relu, nil
	case "sigmoid":
		return sigmoid, nil
	case "softmax":
		return softmax, nil
	}
	return 0, fmt.Errorf("unknown activation %q", s)
}

// layer is a layer with its resolved shapes and weights.
type layer struct {
	spec    LayerSpec
	in, out [3]int // height, width, channels; Dense and Flatten use [1, 1, n]
	act     activation
	same    bool      // padding "same"
	kernel  []float32 // Conv2D: (k·k·in)×filters; Dense: in×units; row-major (Keras layouts)
	bias    []float32
	kshape  []int // Keras kernel shape
}

func (l *layer) outSize() int { return l.out[0] * l.out[1] * l.out[2] }
func (l *layer) inSize() int  { return l.in[0] * l.in[1] * l.in[2] }
func (l *layer) hasWeights() bool {
	return l.spec.Kind == Conv2D || l.spec.Kind == Dense
}

// Model is a network: an architecture with weights.
type Model struct {
	Arch   Arch
	layers []*layer
}

// New builds a model of the architecture with zero weights, checking that
// the layer shapes chain. Errors name the layer.
func New(arch Arch) (*Model, error) {
	m := &Model{Arch: arch}
	shape := arch.Input
	if shape[0] < 1 || shape[1] < 1 || shape[2] < 1 {
		return nil, fmt.Errorf("nn: %s: input shape %v must be positive", arch.Name, shape)
	}
	seen := map[string]bool{}
	for i, spec := range arch.Layers {
		if spec.Name == "" || seen[spec.Name] || spec.Name == "input" {
			return nil, fmt.Errorf("nn: %s: layer %d: name %q is empty, reserved or repeated", arch.Name, i, spec.Name)
		}
		seen[spec.Name] = true
		l := &layer{spec: spec, in: shape}
		var err error
		if l.act, err = parseActivation(spec.Activation); err != nil {
			return nil, fmt.Errorf("nn: %s: layer %s: %w", arch.Name, spec.Name, err)
		}
		bad := func(format string, args ...any) error {
			return fmt.Errorf("nn: %s: layer %s (%s, input %v): %s", arch.Name, spec.Name, spec.Kind, shape, fmt.Sprintf(format, args...))
		}
		switch spec.Padding {
		case "same":
			l.same = true
		case "", "valid":
		default:
			return nil, bad("unknown padding %q", spec.Padding)
		}
		h, w, c := shape[0], shape[1], shape[2]
		switch spec.Kind {
		case Conv2D:
			k := spec.Kernel
			if k < 1 || spec.Filters < 1 {
				return nil, bad("kernel %d and filters %d must be positive", k, spec.Filters)
			}
			if !l.same {
				h, w = h-k+1, w-k+1
			}
			if h < 1 || w < 1 {
				return nil, bad("a %dx%d valid convolution does not fit", k, k)
			}
			l.out = [3]int{h, w, spec.Filters}
			l.kshape = []int{k, k, c, spec.Filters}
			l.kernel = make([]float32, k*k*c*spec.Filters)
			l.bias = make([]float32, spec.Filters)
		case MaxPooling2D:
			p := spec.Pool
			if p < 1 {
				return nil, bad("pool %d must be positive", p)
			}
			if l.same {
				h, w = (h+p-1)/p, (w+p-1)/p
			} else {
				h, w = h/p, w/p
			}
			if h < 1 || w < 1 {
				return nil, bad("a %dx%d valid pooling does not fit", p, p)
			}
			l.out = [3]int{h, w, c}
		case UpSampling2D:
			if spec.Size < 1 {
				return nil, bad("size %d must be positive", spec.Size)
			}
			l.out = [3]int{h * spec.Size, w * spec.Size, c}
		case Flatten:
			l.out = [3]int{1, 1, h * w * c}
		case Dense:
			if h != 1 || w != 1 {
				return nil, bad("dense needs a flat input; add a flatten layer")
			}
			if spec.Units < 1 {
				return nil, bad("units %d must be positive", spec.Units)
			}
			l.out = [3]int{1, 1, spec.Units}
			l.kshape = []int{c, spec.Units}
			l.kernel = make([]float32, c*spec.Units)
			l.bias = make([]float32, spec.Units)
		default:
			return nil, bad("unknown layer kind %q", spec.Kind)
		}
		if l.act == softmax && l.spec.Kind != Dense {
			return nil, bad("softmax is supported on dense layers only")
		}
		m.layers = append(m.layers, l)
		shape = l.out
	}
	if len(m.layers) == 0 {
		return nil, fmt.Errorf("nn: %s: no layers", arch.Name)
	}
	return m, nil
}

// Load builds a model of the architecture and loads its weights from the
// .npz file at path.
func Load(arch Arch, path string) (*Model, error) {
	m, err := New(arch)
	if err != nil {
		return nil, err
	}
	if err := m.LoadWeights(path); err != nil {
		return nil, err
	}
	return m, nil
}

// LoadWeights reads "<layer>/kernel" and "<layer>/bias" for every layer
// with weights from a .npz file. A missing key, a wrong shape or a NaN is
// an error naming the file, the layer and the expected and actual shapes.
func (m *Model) LoadWeights(path string) error {
	arrays, err := data.ReadNPZ(path)
	if err != nil {
		return fmt.Errorf("nn: loading weights: %w", err)
	}
	for _, l := range m.layers {
		if !l.hasWeights() {
			continue
		}
		for _, part := range []struct {
			key   string
			shape []int
			dst   []float32
		}{
			{l.spec.Name + "/kernel", l.kshape, l.kernel},
			{l.spec.Name + "/bias", []int{len(l.bias)}, l.bias},
		} {
			a, ok := arrays[part.key]
			if !ok {
				return fmt.Errorf("nn: %s: missing %q (layer %s needs shape %v)", path, part.key, l.spec.Name, part.shape)
			}
			if !slices.Equal(a.Shape, part.shape) {
				return fmt.Errorf("nn: %s: %q has shape %v, layer %s needs %v", path, part.key, a.Shape, l.spec.Name, part.shape)
			}
			for i, v := range a.Data {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					return fmt.Errorf("nn: %s: %q holds %v at flat index %d", path, part.key, v, i)
				}
			}
			copy(part.dst, a.Data)
		}
	}
	return nil
}

// SaveWeights writes the weights as a .npz file in Keras layouts,
// atomically.
func (m *Model) SaveWeights(path string) error {
	arrays := map[string]*data.Array{}
	for _, l := range m.layers {
		if !l.hasWeights() {
			continue
		}
		arrays[l.spec.Name+"/kernel"] = &data.Array{Shape: slices.Clone(l.kshape), Data: slices.Clone(l.kernel)}
		arrays[l.spec.Name+"/bias"] = &data.Array{Shape: []int{len(l.bias)}, Data: slices.Clone(l.bias)}
	}
	if err := data.WriteNPZ(path, arrays); err != nil {
		return fmt.Errorf("nn: saving weights to %s: %w", path, err)
	}
	return nil
}

// LayerNames returns the names of the layers in order.
func (m *Model) LayerNames() []string {
	names := make([]string, len(m.layers))
	for i, l := range m.layers {
		names[i] = l.spec.Name
	}
	return names
}

// OutputShape returns the per-sample output shape (h, w, c) of a layer.
func (m *Model) OutputShape(name string) ([]int, bool) {
	for _, l := range m.layers {
		if l.spec.Name == name {
			return l.out[:], true
		}
	}
	return nil, false
}

// ErrShape is wrapped by errors about inputs of the wrong shape.
var ErrShape = errors.New("input shape mismatch")

func (m *Model) checkInput(x *data.Array) error {
	in := m.Arch.Input
	want := in[0] * in[1] * in[2]
	if x.Len() == 0 || x.RowSize() != want {
		return fmt.Errorf("nn: %s: %w: got images of shape %v, want [n %d %d %d]", m.Arch.Name, ErrShape, x.Shape, in[0], in[1], in[2])
	}
	return nil
}

// tape holds one sample's activations through the network.
type tape struct {
	input []float32
	pre   [][]float32 // pre-activation outputs of Conv2D and Dense layers
	out   [][]float32
	cols  [][]float32 // transposed im2col matrix of each convolution's input (kept for the weight gradients)
	tmp   []float32   // transposed-output scratch
	chw   []float32   // channel-major input scratch
	pad   []float32   // zero-padded channel-major input of convDirect (inference)
	acc   []float32   // padded-width transposed output of convDirect (inference)
	dst   [][]float32 // Forward's per-layer destinations for the current sample
}

func (m *Model) newTape() *tape {
	t := &tape{pre: make([][]float32, len(m.layers)), out: make([][]float32, len(m.layers)), cols: make([][]float32, len(m.layers))}
	maxOut, maxIn, maxPad, maxAcc := 0, 0, 0, 0
	for i, l := range m.layers {
		t.out[i] = make([]float32, l.outSize())
		if l.spec.Kind == Conv2D {
			hp, wp, L := l.padded()
			maxPad = max(maxPad, hp*wp*l.in[2])
			maxAcc = max(maxAcc, L*l.out[2])
		}
		maxOut = max(maxOut, l.outSize())
		maxIn = max(maxIn, l.inSize())
		if l.hasWeights() {
			t.pre[i] = make([]float32, l.outSize())
		}
		if l.spec.Kind == Conv2D {
			k := l.spec.Kernel
			t.cols[i] = make([]float32, l.out[0]*l.out[1]*k*k*l.in[2])
		}
	}
	t.tmp = make([]float32, maxOut)
	t.chw = make([]float32, maxIn)
	t.pad = make([]float32, maxPad)
	t.acc = make([]float32, maxAcc)
	return t
}

// infer runs one sample through the network like forward, but without
// recording what backward needs (the im2col matrices, the pre-activations
// of the convolutions): only t.out and the pre-activations of Dense layers
// are set, bit-identical to forward's. Layer i writes its output into
// dst[i] when that is not nil, else into t.out[i].
func (m *Model) infer(t *tape, x []float32, dst [][]float32) {
	in := x
	for i, l := range m.layers {
		out := t.out[i]
		if dst != nil && dst[i] != nil {
			out = dst[i]
		}
		switch l.spec.Kind {
		case Conv2D:
			l.convDirect(out, in, t.pad, t.acc)
		case Dense:
			l.dense(out, t.pre[i], in)
		case MaxPooling2D:
			l.maxPool(out, in)
		case UpSampling2D:
			l.upSample(out, in)
		case Flatten:
			copy(out, in)
		}
		in = out
	}
}

// padded returns the height hp and width wp of a convolution's zero-padded
// input, and the length L = (oh−1)·wp + ow of the span of output positions
// y·wp + x (x < ow) that convDirect computes.
func (l *layer) padded() (hp, wp, L int) {
	hp, wp = l.in[0], l.in[1]
	if l.same {
		hp += l.spec.Kernel - 1
		wp += l.spec.Kernel - 1
	}
	return hp, wp, (l.out[0]-1)*wp + l.out[1]
}

// convDirect computes the activated output of a stride-1 convolution of in
// into dst (HWC) without an im2col matrix: the input is copied channel by
// channel into a zero-padded hp×wp plane, in which the window tap (ky, kx)
// of output position (y, x) is pixel (y+ky)·wp + x+kx, so each tap and
// channel contributes to all outputs of a filter through one axpy of
// length L over the plane shifted by ky·wp + kx. Outputs are kept at
// stride wp in acc (the wp−ow extra columns per row are discarded). Each
// output sums bias + Σ_l K[l,j]·x_l in ascending l = (ky·k+kx)·c+ch,
// skipping zero weights, with the padding's zeros included: exactly the
// operations of conv, so results are bit-identical.
func (l *layer) convDirect(dst, in, pad, acc []float32) {
	h, w, c := l.in[0], l.in[1], l.in[2]
	oh, ow, f := l.out[0], l.out[1], l.out[2]
	k := l.spec.Kernel
	hp, wp, L := l.padded()
	before := 0
	if l.same {
		before = (k - 1) / 2
	}
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
	for j, b := range l.bias {
		row := acc[j*L : (j+1)*L]
		for p := range row {
			row[p] = b
		}
	}
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
					d[x*f] = float32(1 / (1 + math.Exp(-float64(v))))
				}
			default:
				for x, v := range seg {
					d[x*f] = v
				}
			}
		}
	}
}

// forward runs one sample through the network into t.
func (m *Model) forward(t *tape, x []float32) {
	t.input = x
	in := x
	for i, l := range m.layers {
		out := t.out[i]
		switch l.spec.Kind {
		case Conv2D:
			l.conv(t.pre[i], in, t.cols[i], t.tmp, t.chw)
			activate(out, t.pre[i], l.act)
		case Dense:
			l.dense(out, t.pre[i], in)
		case MaxPooling2D:
			l.maxPool(out, in)
		case UpSampling2D:
			l.upSample(out, in)
		case Flatten:
			copy(out, in)
		}
		in = out
	}
}

// conv computes a stride-1 convolution of in into dst (pre-activation,
// HWC) through a transposed im2col and a matrix product: with P = oh·ow
// output positions and kc = k·k·in, colsᵀ is kc×P, the kernel K is kc×f,
// and outᵀ = bias + Kᵀ·colsᵀ is f×P, computed as axpys of length P (long
// vectors, whatever the number of filters), then transposed into dst. Each
// output sums bias + Σ_l K[l,j]·cols[l,p] in ascending l.
func (l *layer) conv(dst, in, cols, tmp, chw []float32) {
	P, f := l.out[0]*l.out[1], l.out[2]
	kc := l.spec.Kernel * l.spec.Kernel * l.in[2]
	cols = cols[:kc*P]
	l.im2colT(cols, in, chw)
	outT := tmp[:f*P]
	for j, b := range l.bias {
		row := outT[j*P : (j+1)*P]
		for p := range row {
			row[p] = b
		}
	}
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
// column y·ow+x holds the input pixel (y+ky−pad, x+kx−pad) of channel ch,
// or 0 outside the image. TensorFlow's "same" pads (k−1)/2 before and the
// rest after. chw is scratch for the input in channel-major order, so that
// each row of the matrix is built from contiguous copies.
func (l *layer) im2colT(cols, in, chw []float32) {
	h, w, c := l.in[0], l.in[1], l.in[2]
	oh, ow := l.out[0], l.out[1]
	P := oh * ow
	k := l.spec.Kernel
	pad := 0
	if l.same {
		pad = (k - 1) / 2
	}
	planes := in
	if c > 1 {
		planes = chw[:h*w*c]
		transpose(planes, in, h*w, c)
	}
	for ky := range k {
		for kx := range k {
			// Output columns x in [x0, x1) read input columns x+kx−pad
			// inside the image.
			x0, x1 := max(0, pad-kx), min(ow, w+pad-kx)
			for ch := range c {
				row := cols[((ky*k+kx)*c+ch)*P : ((ky*k+kx)*c+ch+1)*P]
				plane := planes[ch*h*w : (ch+1)*h*w]
				for y := range oh {
					iy := y + ky - pad
					seg := row[y*ow : (y+1)*ow]
					if iy < 0 || iy >= h || x0 >= x1 {
						clear(seg)
						continue
					}
					clear(seg[:x0])
					copy(seg[x0:x1], plane[iy*w+x0+kx-pad:iy*w+x1+kx-pad])
					clear(seg[x1:])
				}
			}
		}
	}
}

// transpose writes the transpose of the rows×cols matrix src into dst
// (cols×rows).
func transpose(dst, src []float32, rows, cols int) {
	const tile = 32
	for r0 := 0; r0 < rows; r0 += tile {
		r1 := min(r0+tile, rows)
		for c0 := 0; c0 < cols; c0 += tile {
			c1 := min(c0+tile, cols)
			for r := r0; r < r1; r++ {
				s := src[r*cols : (r+1)*cols]
				for c := c0; c < c1; c++ {
					dst[c*rows+r] = s[c]
				}
			}
		}
	}
}

// blasImpl is gonum's pure-Go BLAS, whose float32 axpy and dot run in
// assembly on amd64. Calling it directly keeps the small products of one
// sample serial: the samples are what runs in parallel.
var blasImpl gonum.Implementation

// dot returns Σ x[i]·y[i].
func dot(x, y []float32) float32 { return blasImpl.Sdot(len(x), x, 1, y, 1) }

// dense computes a Dense layer: pre = in·kernel + bias, then out = the
// activation of pre (pre is kept for the backward pass).
func (l *layer) dense(out, pre, in []float32) {
	copy(pre, l.bias)
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1,
		blas32.General{Rows: 1, Cols: l.in[2], Stride: l.in[2], Data: in},
		blas32.General{Rows: l.in[2], Cols: l.out[2], Stride: l.out[2], Data: l.kernel},
		1, blas32.General{Rows: 1, Cols: l.out[2], Stride: l.out[2], Data: pre})
	activate(out, pre, l.act)
}

// maxPool takes the maximum over Pool×Pool windows with stride Pool; "same"
// windows that run over the bottom or right edge use the pixels inside.
func (l *layer) maxPool(dst, in []float32) {
	h, w, c := l.in[0], l.in[1], l.in[2]
	oh, ow := l.out[0], l.out[1]
	p := l.spec.Pool
	for y := range oh {
		for x := range ow {
			o := dst[(y*ow+x)*c : (y*ow+x+1)*c]
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
					src := in[(iy*w+ix)*c : (iy*w+ix+1)*c]
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

// upSample repeats each pixel Size×Size times (nearest neighbour).
func (l *layer) upSample(dst, in []float32) {
	w, c := l.in[1], l.in[2]
	ow := l.out[1]
	s := l.spec.Size
	for y := range l.out[0] {
		for x := range ow {
			copy(dst[(y*ow+x)*c:(y*ow+x+1)*c], in[((y/s)*w+x/s)*c:((y/s)*w+x/s+1)*c])
		}
	}
}

func activate(dst, pre []float32, act activation) {
	switch act {
	case linear:
		copy(dst, pre)
	case relu:
		for i, v := range pre {
			dst[i] = max(v, 0)
		}
	case sigmoid:
		for i, v := range pre {
			dst[i] = float32(1 / (1 + math.Exp(-float64(v))))
		}
	case softmax:
		// In float32, as TensorFlow computes it: whether the top
		// probability rounds to 1 decides whether Keras' clipped
		// cross-entropy has a gradient at all.
		mx := pre[0]
		for _, v := range pre {
			mx = max(mx, v)
		}
		var sum float32
		for i, v := range pre {
			e := float32(math.Exp(float64(v - mx)))
			dst[i] = e
			sum += e
		}
		for i := range dst {
			dst[i] /= sum
		}
	}
}

// forEach runs fn(tape, i) for every sample i of x on up to workers
// goroutines (0 means GOMAXPROCS), each with its own tape. Samples are
// independent, so results do not depend on workers.
func (m *Model) forEach(n, workers int, fn func(t *tape, i int)) {
	par.For(n, workers, m.newTape, fn)
}

// Forward runs the images x ([n, h, w, c], NHWC) through the network and
// returns the outputs of the named layers ([n, h, w, c] each, or [n, units]
// after a Flatten or Dense layer), keyed by name; nil layers means every
// layer. The name "input" returns x itself. Samples run in parallel on
// workers goroutines (0 means all cores).
func (m *Model) Forward(x *data.Array, layers []string, workers int) (map[string]*data.Array, error) {
	if err := m.checkInput(x); err != nil {
		return nil, err
	}
	if layers == nil {
		layers = m.LayerNames()
	}
	want := make([]*data.Array, len(m.layers))
	out := map[string]*data.Array{}
	n := x.Len()
	for _, name := range layers {
		if name == "input" {
			out[name] = x
			continue
		}
		i := slices.IndexFunc(m.layers, func(l *layer) bool { return l.spec.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("nn: %s has no layer %q (layers: %v)", m.Arch.Name, name, m.LayerNames())
		}
		l := m.layers[i]
		shape := append([]int{n}, l.out[:]...)
		if l.out[0] == 1 && l.out[1] == 1 && (l.spec.Kind == Dense || l.spec.Kind == Flatten) {
			shape = []int{n, l.out[2]}
		}
		want[i] = data.NewArray(shape...)
		out[name] = want[i]
	}
	m.forEach(n, workers, func(t *tape, s int) {
		if t.dst == nil {
			t.dst = make([][]float32, len(want))
		}
		for i, a := range want {
			if a != nil {
				t.dst[i] = a.Row(s)
			}
		}
		m.infer(t, x.Row(s), t.dst)
	})
	return out, nil
}

// Predict returns the output of the last layer for the images x.
func (m *Model) Predict(x *data.Array, workers int) (*data.Array, error) {
	last := m.layers[len(m.layers)-1].spec.Name
	out, err := m.Forward(x, []string{last}, workers)
	if err != nil {
		return nil, err
	}
	return out[last], nil
}

// Logits returns the pre-activation output of the last layer (the logits
// of a softmax classifier), [n, units].
func (m *Model) Logits(x *data.Array, workers int) (*data.Array, error) {
	if err := m.checkInput(x); err != nil {
		return nil, err
	}
	last := len(m.layers) - 1
	l := m.layers[last]
	if !l.hasWeights() {
		return nil, fmt.Errorf("nn: %s: the last layer %s has no pre-activation output", m.Arch.Name, l.spec.Name)
	}
	out := data.NewArray(x.Len(), l.outSize())
	m.forEach(x.Len(), workers, func(t *tape, s int) {
		m.infer(t, x.Row(s), nil)
		copy(out.Row(s), t.pre[last])
	})
	return out, nil
}

// Argmax returns the index of the largest value of each row of p.
func Argmax(p *data.Array) []int {
	out := make([]int, p.Len())
	for i := range out {
		row := p.Row(i)
		best := 0
		for k, v := range row {
			if v > row[best] {
				best = k
			}
		}
		out[i] = best
	}
	return out
}
