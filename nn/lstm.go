package nn

import "math/rand/v2"

// LSTM is the layer kind of a long short-term memory layer with Keras'
// semantics (keras.layers.LSTM with its defaults): Units units, sigmoid
// gates, tanh cell activation, zero initial states, no dropout, no mask.
// Its input is a sequence [T, n]; its output is the hidden state of every
// frame, [T, Units], if ReturnSequences, else the last frame's, [Units].
// At frame t, with x_t the input and h_{t−1}, c_{t−1} the states (zero at
// t = 0),
//
//	z   = x_t·kernel + h_{t−1}·recurrent_kernel + bias   (4·Units values)
//	i, f, g, o = σ(z[0:u]), σ(z[u:2u]), tanh(z[2u:3u]), σ(z[3u:4u])
//	c_t = f ⊙ c_{t−1} + i ⊙ g,   h_t = o ⊙ tanh(c_t),
//
// Keras' gate order i, f, c, o. Its params are "kernel" [n, 4·Units],
// "recurrent_kernel" [Units, 4·Units] and "bias" [4·Units], in Keras'
// layouts, so Keras weights load unchanged. InitGlorot draws the kernel
// from Glorot-uniform (fan_in n, fan_out 4·Units), the recurrent kernel
// orthogonal (Keras' Orthogonal initializer, gain 1: the QR decomposition
// of a 4·Units × Units standard normal matrix drawn row-major, Q's columns
// signed by R's diagonal, transposed), and the bias zero but for the
// forget gate's, 1 (Keras' unit_forget_bias). Gradients are computed by
// backpropagation through time.
const LSTM = "lstm"

func init() { register(LSTM, recurrentKind("lstm", newLSTMCell, false)) }

// lstmCell is the recurrence of an LSTM: kernel in×4u, recurrent kernel
// u×4u, bias 4u.
type lstmCell struct {
	seqDims
	cellWeights
}

func newLSTMCell(d seqDims) cell {
	return &lstmCell{d, newWeights(d, 4, 4*d.units)}
}

func (c *lstmCell) params(prefix string) []param { return c.cellParams(prefix, c.cellWeights) }

// init draws the kernel (Glorot-uniform), then the recurrent kernel
// (orthogonal), and sets the bias to Keras' unit forget bias.
func (c *lstmCell) init(rng *rand.Rand) {
	glorot(rng, c.kernel, c.in, 4*c.units)
	orthogonal(rng, c.rk, c.units, 4*c.units)
	clear(c.bias)
	for j := c.units; j < 2*c.units; j++ {
		c.bias[j] = 1
	}
}

// recordSizes: the gates (activated) [T, 4u], the cell states c [T, u],
// tanh(c) [T, u] and the hidden states h [T, u], each indexed by frame in
// the input's order.
func (c *lstmCell) recordSizes() []int {
	n := c.T * c.units
	return []int{4 * n, n, n, n}
}

// forward runs the recurrence over x [T, in] into the records rec.
func (c *lstmCell) forward(x []float32, rec [][]float32) {
	u, T := c.units, c.T
	gates, cs, tc, hs := rec[0], rec[1], rec[2], rec[3]
	for t := range T {
		copy(gates[t*4*u:(t+1)*4*u], c.bias)
	}
	mulAdd(gates, x, c.kernel, T, c.in, 4*u)
	for s := range T {
		t, prev := c.steps(s)
		z := gates[t*4*u : (t+1)*4*u]
		if prev >= 0 {
			mulAdd(z, hs[prev*u:(prev+1)*u], c.rk, 1, u, 4*u)
		}
		cPrev := row(cs, prev, u)
		lstmStep(z, cPrev, cs[t*u:(t+1)*u], tc[t*u:(t+1)*u], hs[t*u:(t+1)*u])
	}
}

// lstmStep activates the gates z in place (i, f, g, o) and computes the
// cell state c, tanh(c) and the hidden state h from the previous cell
// state cPrev (nil for zero).
func lstmStep(z, cPrev, c, tc, h []float32) {
	u := len(c)
	for j := range u {
		i, f := sigmoid32(z[j]), sigmoid32(z[u+j])
		g, o := tanh32(z[2*u+j]), sigmoid32(z[3*u+j])
		z[j], z[u+j], z[2*u+j], z[3*u+j] = i, f, g, o
		v := i * g
		if cPrev != nil {
			v += f * cPrev[j]
		}
		c[j] = v
		tc[j] = tanh32(v)
		h[j] = o * tc[j]
	}
}

// backScratchSizes returns the sizes of the cell's backward scratch: the
// gradient w.r.t. the pre-activation gates [T, 4u], and w.r.t. the hidden
// and cell states of one step [u] each.
func (c *lstmCell) backScratchSizes() []int {
	return []int{4 * c.T * c.units, c.units, c.units}
}

// backward backpropagates gh, the gradient w.r.t. the hidden states,
// through time, from the input x and the records of forward. It adds the
// gradients w.r.t. the params to pg (kernel, recurrent kernel, bias) when
// pg is not nil, and adds the gradient w.r.t. x to gin when gin is not nil
// (the caller clears it first). s is the backward scratch.
func (c *lstmCell) backward(gin []float32, gh seqGrad, x []float32, rec, pg, s [][]float32) {
	u, T := c.units, c.T
	gz := s[0][:4*T*u]
	c.backThroughTime(gz, gh, rec, s[1][:u], s[2][:u])
	if pg != nil {
		c.paramGrads(pg, gz, x, rec[3])
	}
	if gin != nil {
		mulAddTransB(gin, gz, c.kernel, T, 4*u, c.in)
	}
}

// backThroughTime writes into gz the gradient w.r.t. the pre-activation
// gates of every frame, from the last step to the first; dh and dc are
// scratch for the gradients w.r.t. the states carried between steps.
func (c *lstmCell) backThroughTime(gz []float32, gh seqGrad, rec [][]float32, dh, dc []float32) {
	u, T := c.units, c.T
	gates, cs, tc := rec[0], rec[1], rec[2]
	clear(dh)
	clear(dc)
	for s := T - 1; s >= 0; s-- {
		t, prev := c.steps(s)
		gh.addTo(dh, s, t, T)
		cPrev := row(cs, prev, u)
		z, dz := gates[t*4*u:(t+1)*4*u], gz[t*4*u:(t+1)*4*u]
		lstmStepGrad(dz, dh, dc, z, cPrev, tc[t*u:(t+1)*u])
		if prev >= 0 {
			clear(dh)
			mulAddTransB(dh, dz, c.rk, 1, 4*u, u)
		}
	}
}

// lstmStepGrad computes dz, the gradient w.r.t. one step's pre-activation
// gates, from dh and dc, the gradients w.r.t. its hidden and cell states
// (dc from the later steps only), its activated gates z, the previous cell
// state cPrev (nil for zero) and tanh(c). dc becomes the gradient w.r.t.
// cPrev.
func lstmStepGrad(dz, dh, dc, z, cPrev, tc []float32) {
	u := len(dh)
	for j := range u {
		i, f, g, o := z[j], z[u+j], z[2*u+j], z[3*u+j]
		t := tc[j]
		d := dc[j] + dh[j]*o*(1-t*t)
		var cp float32
		if cPrev != nil {
			cp = cPrev[j]
		}
		dz[j] = d * g * i * (1 - i)
		dz[u+j] = d * cp * f * (1 - f)
		dz[2*u+j] = d * i * (1 - g*g)
		dz[3*u+j] = dh[j] * t * o * (1 - o)
		dc[j] = d * f
	}
}

// paramGrads adds the gradients w.r.t. the params: ∂kernel += xᵀ·gz,
// ∂recurrent_kernel += Σ_t h_{prev(t)}ᵀ·gz_t, ∂bias += Σ_t gz_t.
func (c *lstmCell) paramGrads(pg [][]float32, gz, x, hs []float32) {
	u, T := c.units, c.T
	mulAddTransA(pg[0], x, gz, T, c.in, 4*u)
	if T > 1 {
		h, g := c.prevPairs(hs, gz, 4*u)
		mulAddTransA(pg[1], h, g, T-1, u, 4*u)
	}
	addRows(pg[2], gz)
}

// lstmLayer is an LSTM layer.
type lstmLayer struct {
	cell *lstmCell
	seq  bool // return sequences
}
