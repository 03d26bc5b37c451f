package nn

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Recurrent layers (LSTM, GRU) are a cell, the recurrence over one
// sequence in one direction, wrapped in a layer of one direction
// (recurrent) or of two (bidirectional).

// cell is a recurrence over a sequence [T, in] giving hidden states
// [T, units], forwards or reversed.
type cell interface {
	// dims returns the cell's sequence dimensions.
	dims() seqDims
	// params returns the cell's params, their names prefixed with prefix.
	params(prefix string) []param
	// init sets the params to Keras' initial values, drawing from rng.
	init(rng *rand.Rand)
	// recordSizes and backScratchSizes return the sizes of the records
	// and of the backward scratch; the last record is the hidden states
	// [T, units], indexed by frame in the input's order.
	recordSizes() []int
	backScratchSizes() []int
	// forward runs the recurrence over x into the records rec.
	forward(x []float32, rec [][]float32)
	// backward backpropagates gh, the gradient w.r.t. the hidden states,
	// through time, from the input x and the records of forward. It adds
	// the gradients w.r.t. the params to pg when pg is not nil, and the
	// gradient w.r.t. x to gin when gin is not nil (the caller clears it
	// first). s is the backward scratch.
	backward(gin []float32, gh seqGrad, x []float32, rec, pg, s [][]float32)
}

// seqDims are a cell's dimensions: T frames of in values, units hidden
// units, and its direction.
type seqDims struct {
	T, in, units int
	reverse      bool
}

func (d seqDims) dims() seqDims { return d }

// steps returns the frame of step s and the frame of step s−1 (−1 for the
// first step).
func (d seqDims) steps(s int) (t, prev int) {
	if d.reverse {
		t = d.T - 1 - s
		if s == 0 {
			return t, -1
		}
		return t, t + 1
	}
	return s, s - 1
}

// prevPairs returns, for the recurrent kernel's gradient Σ_t
// h_{prev(t)}ᵀ·g_t, the T−1 hidden states hs [T, units] that feed a step
// and the gradients g [T, width] of the steps they feed, aligned row by
// row: forwards h_{t−1} feeds frame t, reversed h_{t+1} does.
func (d seqDims) prevPairs(hs, g []float32, width int) (h, gs []float32) {
	u := d.units
	if d.reverse {
		return hs[u:], g[:(d.T-1)*width]
	}
	return hs[:(d.T-1)*u], g[width:]
}

// seqGrad is the gradient w.r.t. a cell's hidden states: h_t's at
// g[t·stride + off:][:units], or, when last, only the last step's, at
// g[off:][:units].
type seqGrad struct {
	g           []float32
	stride, off int
	last        bool
}

// addTo adds to dh the gradient w.r.t. the hidden state of step s of T,
// at frame t.
func (sg seqGrad) addTo(dh []float32, s, t, T int) {
	var g []float32
	switch {
	case !sg.last:
		g = sg.g[t*sg.stride+sg.off:][:len(dh)]
	case s == T-1:
		g = sg.g[sg.off:][:len(dh)]
	}
	for j, v := range g {
		dh[j] += v
	}
}

// row returns row i of buf, a matrix of rows of w values, or nil for
// i < 0 (the state before the first step).
func row(buf []float32, i, w int) []float32 {
	if i < 0 {
		return nil
	}
	return buf[i*w : (i+1)*w]
}

// addRows adds the rows of g [rows, len(dst)] to dst.
func addRows(dst, g []float32) {
	for r := 0; r < len(g); r += len(dst) {
		for j, v := range g[r : r+len(dst)] {
			dst[j] += v
		}
	}
}

// recurrentKind returns the constructor of a recurrent layer kind whose
// cells newCell makes: of one direction, or bidirectional, with params
// prefixed "forward_<name>/" and "backward_<name>/".
func recurrentKind(name string, newCell func(seqDims) cell, bi bool) constructor {
	return func(spec LayerSpec, in [][]int) (layer, error) {
		d, err := recurrentInput(spec, in)
		if err != nil {
			return nil, err
		}
		if !bi {
			return &recurrent{cell: newCell(d), seq: spec.ReturnSequences}, nil
		}
		back := d
		back.reverse = true
		return &bidirectional{fw: newCell(d), bw: newCell(back), name: name, seq: spec.ReturnSequences}, nil
	}
}

// cellWeights holds a cell's params: kernel [in, w], recurrent kernel
// [units, w] and bias, with w = gates·units.
type cellWeights struct {
	kernel, rk, bias []float32
	biasShape        []int
}

// newWeights allocates zero params for a cell of d with gates gates and
// a bias of biasShape.
func newWeights(d seqDims, gates int, biasShape ...int) cellWeights {
	w := gates * d.units
	return cellWeights{make([]float32, d.in*w), make([]float32, d.units*w), make([]float32, size(biasShape)), biasShape}
}

// cellParams returns the params, named with prefix.
func (d seqDims) cellParams(prefix string, c cellWeights) []param {
	w := len(c.rk) / d.units
	return []param{
		{prefix + "kernel", []int{d.in, w}, c.kernel},
		{prefix + "recurrent_kernel", []int{d.units, w}, c.rk},
		{prefix + "bias", c.biasShape, c.bias},
	}
}

// recurrentInput returns the forward dimensions of a recurrent layer on
// its only input, a sequence [T, n], checking that the spec has units.
func recurrentInput(spec LayerSpec, in [][]int) (seqDims, error) {
	s, err := oneInput(in)
	if err != nil {
		return seqDims{}, err
	}
	if len(s) != 2 {
		return seqDims{}, fmt.Errorf("needs a sequence input [T features]")
	}
	if spec.Units < 1 {
		return seqDims{}, fmt.Errorf("units %d must be positive", spec.Units)
	}
	return seqDims{T: s[0], in: s[1], units: spec.Units}, nil
}

// orthogonal fills w (rows×cols, row-major) with Keras' Orthogonal
// initializer (gain 1): a max×min matrix of standard normal values drawn
// row-major from rng, with max and min the larger and smaller of rows and
// cols, its thin QR decomposition, Q's columns multiplied by the signs of
// R's diagonal, Q transposed if rows < cols.
func orthogonal(rng *rand.Rand, w []float32, rows, cols int) {
	n, k := max(rows, cols), min(rows, cols)
	a := mat.NewDense(n, k, nil)
	for r := range n {
		for j := range k {
			a.Set(r, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(a)
	var q, rm mat.Dense
	qr.QTo(&q)
	qr.RTo(&rm)
	for r := range n {
		for j := range k {
			v := q.At(r, j)
			if rm.At(j, j) < 0 {
				v = -v
			}
			if rows < cols {
				w[j*cols+r] = float32(v)
			} else {
				w[r*cols+j] = float32(v)
			}
		}
	}
}

// recurrent is a recurrent layer of one direction: its output is the
// hidden states [T, units] with seq (Keras' return_sequences), else the
// last step's [units].
type recurrent struct {
	cell cell
	seq  bool
}

func (l *recurrent) outShape() []int {
	d := l.cell.dims()
	if l.seq {
		return []int{d.T, d.units}
	}
	return []int{d.units}
}

func (l *recurrent) params() []param     { return l.cell.params("") }
func (l *recurrent) init(rng *rand.Rand) { l.cell.init(rng) }

func (l *recurrent) needs() needs {
	return needs{record: l.cell.recordSizes(), backward: l.cell.backScratchSizes()}
}

func (l *recurrent) forward(out []float32, in [][]float32, rec, _ [][]float32, _ bool) {
	l.cell.forward(in[0], rec)
	hs, d := rec[len(rec)-1], l.cell.dims()
	if l.seq {
		copy(out, hs)
	} else {
		copy(out, hs[(d.T-1)*d.units:])
	}
}

func (l *recurrent) backward(gin [][]float32, gout, _ []float32, in [][]float32, rec, pg, s [][]float32) {
	if gin[0] != nil {
		clear(gin[0])
	}
	gh := seqGrad{g: gout, stride: l.cell.dims().units, last: !l.seq}
	l.cell.backward(gin[0], gh, in[0], rec, pg, s)
}

// bidirectional is a forward and a backward recurrent layer over the same
// sequence, their outputs concatenated on the last axis: [T, 2·units]
// with seq, else [2·units] (the forward cell's last step, after frame
// T−1, then the backward one's, after frame 0). Its params are the
// forward cell's, then the backward one's, prefixed "forward_<name>/" and
// "backward_<name>/".
type bidirectional struct {
	fw, bw cell
	name   string // "lstm", "gru"
	seq    bool
}

func (l *bidirectional) outShape() []int {
	d := l.fw.dims()
	if l.seq {
		return []int{d.T, 2 * d.units}
	}
	return []int{2 * d.units}
}

func (l *bidirectional) params() []param {
	return append(l.fw.params("forward_"+l.name+"/"), l.bw.params("backward_"+l.name+"/")...)
}

func (l *bidirectional) init(rng *rand.Rand) {
	l.fw.init(rng)
	l.bw.init(rng)
}

// needs: the forward cell's records then the backward one's; the cells'
// backward scratch is shared, the cells running one after the other.
func (l *bidirectional) needs() needs {
	return needs{record: append(l.fw.recordSizes(), l.bw.recordSizes()...), backward: l.fw.backScratchSizes()}
}

func (l *bidirectional) forward(out []float32, in [][]float32, rec, _ [][]float32, _ bool) {
	nf := len(l.fw.recordSizes())
	l.fw.forward(in[0], rec[:nf])
	l.bw.forward(in[0], rec[nf:])
	d := l.fw.dims()
	u, T := d.units, d.T
	hf, hb := rec[nf-1], rec[len(rec)-1]
	if !l.seq {
		copy(out[:u], hf[(T-1)*u:])
		copy(out[u:2*u], hb[:u])
		return
	}
	for t := range T {
		copy(out[2*t*u:(2*t+1)*u], hf[t*u:(t+1)*u])
		copy(out[(2*t+1)*u:(2*t+2)*u], hb[t*u:(t+1)*u])
	}
}

func (l *bidirectional) backward(gin [][]float32, gout, _ []float32, in [][]float32, rec, pg, s [][]float32) {
	if gin[0] != nil {
		clear(gin[0])
	}
	nf, np := len(l.fw.recordSizes()), len(l.fw.params(""))
	var pf, pb [][]float32
	if pg != nil {
		pf, pb = pg[:np], pg[np:]
	}
	u := l.fw.dims().units
	l.fw.backward(gin[0], seqGrad{g: gout, stride: 2 * u, last: !l.seq}, in[0], rec[:nf], pf, s)
	l.bw.backward(gin[0], seqGrad{g: gout, stride: 2 * u, off: u, last: !l.seq}, in[0], rec[nf:], pb, s)
}
