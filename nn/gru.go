package nn

import "math/rand/v2"

// GRU is the layer kind of a gated recurrent unit layer with the
// semantics of keras.layers.GRU's defaults in TensorFlow 2 and Keras 3
// (reset_after true, the cuDNN variant): Units units, sigmoid gates, tanh
// candidate, zero initial state. Its input and output are as the LSTM
// kind's. At frame t, with x_t the input and h_{t−1} the state (zero at
// t = 0), bias = [b_x; b_h],
//
//	a = x_t·kernel + b_x,   r_h = h_{t−1}·recurrent_kernel + b_h   (3·Units each)
//	z = σ(a[0:u] + r_h[0:u]),   r = σ(a[u:2u] + r_h[u:2u])
//	ĥ = tanh(a[2u:3u] + r ⊙ r_h[2u:3u])
//	h_t = z ⊙ h_{t−1} + (1 − z) ⊙ ĥ,
//
// Keras' gate order z, r, h. Its params are "kernel" [n, 3·Units],
// "recurrent_kernel" [Units, 3·Units] and "bias" [2, 3·Units] (the input
// bias, then the recurrent one), Keras' layouts. InitGlorot draws the
// kernel from Glorot-uniform (fan_in n, fan_out 3·Units) and the
// recurrent kernel orthogonal as the LSTM kind's, and zeroes the bias.
// (Keras 2.2.4's default, reset_after false with a bias [3·Units], is not
// implemented.)
const GRU = "gru"

// BiGRU is the layer kind of a bidirectional GRU, as BiLSTM is of the
// LSTM: params "forward_gru/kernel", …, "backward_gru/bias".
const BiGRU = "bidirectional_gru"

func init() {
	register(GRU, recurrentKind("gru", newGRUCell, false))
	register(BiGRU, recurrentKind("gru", newGRUCell, true))
}

// gruCell is the recurrence of a GRU: kernel in×3u, recurrent kernel
// u×3u, bias 2×3u.
type gruCell struct {
	seqDims
	cellWeights
}

func newGRUCell(d seqDims) cell {
	return &gruCell{d, newWeights(d, 3, 2, 3*d.units)}
}

func (c *gruCell) params(prefix string) []param { return c.cellParams(prefix, c.cellWeights) }

func (c *gruCell) init(rng *rand.Rand) {
	glorot(rng, c.kernel, c.in, 3*c.units)
	orthogonal(rng, c.rk, c.units, 3*c.units)
	clear(c.bias)
}

// recordSizes: the gates z, r, ĥ (activated) [T, 3u], the recurrent
// parts r_h [T, 3u] and the hidden states [T, u], indexed by frame.
func (c *gruCell) recordSizes() []int {
	n := c.T * c.units
	return []int{3 * n, 3 * n, n}
}

// backScratchSizes: the gradients w.r.t. a and w.r.t. r_h [T, 3u] each,
// and w.r.t. one step's hidden state [u].
func (c *gruCell) backScratchSizes() []int {
	n := c.T * c.units
	return []int{3 * n, 3 * n, c.units}
}

func (c *gruCell) forward(x []float32, rec [][]float32) {
	u, T := c.units, c.T
	gates, rh, hs := rec[0], rec[1], rec[2]
	for t := range T {
		copy(gates[t*3*u:(t+1)*3*u], c.bias[:3*u])
	}
	mulAdd(gates, x, c.kernel, T, c.in, 3*u)
	for s := range T {
		t, prev := c.steps(s)
		r := rh[t*3*u : (t+1)*3*u]
		copy(r, c.bias[3*u:])
		hPrev := row(hs, prev, u)
		if hPrev != nil {
			mulAdd(r, hPrev, c.rk, 1, u, 3*u)
		}
		gruStep(gates[t*3*u:(t+1)*3*u], r, hPrev, hs[t*u:(t+1)*u])
	}
}

// gruStep activates one step's gates a in place into z, r and ĥ, given
// the recurrent parts rh, and computes the hidden state h from hPrev (nil
// for zero).
func gruStep(a, rh, hPrev, h []float32) {
	u := len(h)
	for j := range u {
		z := sigmoid32(a[j] + rh[j])
		r := sigmoid32(a[u+j] + rh[u+j])
		hc := tanh32(a[2*u+j] + r*rh[2*u+j])
		a[j], a[u+j], a[2*u+j] = z, r, hc
		var hp float32
		if hPrev != nil {
			hp = hPrev[j]
		}
		h[j] = z*hp + (1-z)*hc
	}
}

func (c *gruCell) backward(gin []float32, gh seqGrad, x []float32, rec, pg, s [][]float32) {
	u, T := c.units, c.T
	ga, grh := s[0][:3*T*u], s[1][:3*T*u]
	c.backThroughTime(ga, grh, gh, rec, s[2][:u])
	if pg != nil {
		mulAddTransA(pg[0], x, ga, T, c.in, 3*u)
		if T > 1 {
			h, g := c.prevPairs(rec[2], grh, 3*u)
			mulAddTransA(pg[1], h, g, T-1, u, 3*u)
		}
		addRows(pg[2][:3*u], ga)
		addRows(pg[2][3*u:], grh)
	}
	if gin != nil {
		mulAddTransB(gin, ga, c.kernel, T, 3*u, c.in)
	}
}

// backThroughTime writes into ga and grh the gradients w.r.t. every
// frame's input part a and recurrent part r_h, from the last step to the
// first; dh is scratch for the gradient w.r.t. the state carried between
// steps.
func (c *gruCell) backThroughTime(ga, grh []float32, gh seqGrad, rec [][]float32, dh []float32) {
	u, T := c.units, c.T
	gates, rh, hs := rec[0], rec[1], rec[2]
	clear(dh)
	for s := T - 1; s >= 0; s-- {
		t, prev := c.steps(s)
		gh.addTo(dh, s, t, T)
		hPrev := row(hs, prev, u)
		k := t * 3 * u
		gruStepGrad(ga[k:k+3*u], grh[k:k+3*u], dh, gates[k:k+3*u], rh[k:k+3*u], hPrev)
		if prev >= 0 {
			mulAddTransB(dh, grh[k:k+3*u], c.rk, 1, 3*u, u)
		}
	}
}

// gruStepGrad computes one step's gradients w.r.t. its input part ga and
// recurrent part grh from dh, the gradient w.r.t. its hidden state, its
// activated gates z, r, ĥ, its recurrent parts rh and hPrev (nil for
// zero); dh becomes the gradient w.r.t. hPrev through z ⊙ h_{t−1} (the
// caller adds the part through r_h).
func gruStepGrad(ga, grh, dh, gates, rh, hPrev []float32) {
	u := len(dh)
	for j := range u {
		z, r, hc := gates[j], gates[u+j], gates[2*u+j]
		var hp float32
		if hPrev != nil {
			hp = hPrev[j]
		}
		d := dh[j]
		dz := d * (hp - hc) * z * (1 - z)
		dc := d * (1 - z) * (1 - hc*hc)
		dr := dc * rh[2*u+j] * r * (1 - r)
		ga[j], ga[u+j], ga[2*u+j] = dz, dr, dc
		grh[j], grh[u+j], grh[2*u+j] = dz, dr, dc*r
		dh[j] = d * z
	}
}
