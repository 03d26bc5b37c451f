package nn

import (
	"fmt"

	"subsetscan/data"
)

// gradTape holds one sample's gradient buffers.
type gradTape struct {
	g   [][]float32   // gradient w.r.t. each layer's output
	in  []float32     // gradient w.r.t. the model's input
	gin [][][]float32 // each layer's input gradient destinations
	acc [][]float32   // where gradients that must be added go first, one per input slot
	s   [][]float32   // backward scratch shared by the layers
	up  []float32     // the upstream gradient of a training step
}

func (m *Model) newGradTape() *gradTape {
	gt := &gradTape{g: make([][]float32, len(m.nodes)), gin: make([][][]float32, len(m.nodes))}
	var scratch, acc []int
	for i, nd := range m.nodes {
		gt.g[i] = make([]float32, nd.size)
		gt.gin[i] = make([][]float32, len(nd.inputs))
		scratch = maxSizes(scratch, nd.layer.needs().backward)
		for j, src := range nd.inputs {
			if nd.live && !nd.direct[j] {
				for len(acc) <= j {
					acc = append(acc, 0)
				}
				acc[j] = max(acc[j], m.sourceSize(src))
			}
		}
	}
	gt.s, gt.acc = allocAll(scratch), allocAll(acc)
	gt.in = make([]float32, size(m.Arch.Input))
	gt.up = make([]float32, m.last().size)
	return gt
}

// sourceSize returns the number of values per sample of layer src's
// output, or of the input for −1.
func (m *Model) sourceSize(src int) int {
	if src < 0 {
		return size(m.Arch.Input)
	}
	return m.nodes[src].size
}

// backward propagates grad, the gradient w.r.t. the output of the last
// layer (or w.r.t. its pre-activation when pre is true), through the live
// layers in reverse order, using the activations t recorded by a training
// forward pass. Where an output feeds several layers, their gradients are
// added in backward order.
//
// When pg is not nil, the gradients w.r.t. the params are added to it
// (pg[i][k] is layer i's params()[k]). The gradient w.r.t. the input is
// computed into gt.in when input is true.
func (m *Model) backward(t *tape, gt *gradTape, grad []float32, pre bool, pg [][][]float32, input bool) {
	last := len(m.nodes) - 1
	for i := last; i >= 0; i-- {
		nd := &m.nodes[i]
		if !nd.live {
			continue
		}
		gin := m.gradDestinations(gt, i, input)
		var w [][]float32
		if pg != nil {
			w = pg[i]
		}
		switch {
		case i == last && pre:
			nd.layer.(activated).backwardPre(gin, grad, t.ins[i], t.rec[i], w, gt.s)
		case i == last:
			nd.layer.backward(gin, grad, t.cur[i], t.ins[i], t.rec[i], w, gt.s)
		default:
			nd.layer.backward(gin, gt.g[i], t.cur[i], t.ins[i], t.rec[i], w, gt.s)
		}
		for j, src := range nd.inputs {
			if gin[j] == nil || nd.direct[j] {
				continue
			}
			dst := gt.in
			if src >= 0 {
				dst = gt.g[src]
			}
			for k, v := range gin[j] {
				dst[k] += v
			}
		}
	}
}

// gradDestinations returns where layer i's backward pass writes the
// gradient w.r.t. each of its inputs: the source's gradient buffer for a
// direct edge, scratch to be added for another, nil for the model's input
// when input is false.
func (m *Model) gradDestinations(gt *gradTape, i int, input bool) [][]float32 {
	nd := &m.nodes[i]
	gin := gt.gin[i]
	for j, src := range nd.inputs {
		switch {
		case src < 0 && !input:
			gin[j] = nil
		case !nd.direct[j]:
			gin[j] = gt.acc[j][:m.sourceSize(src)]
		case src < 0:
			gin[j] = gt.in
		default:
			gin[j] = gt.g[src]
		}
	}
	return gin
}

// InputGradient returns, for each sample of x, the gradient w.r.t. the
// input of Σ upstream ⊙ output, where output is the last layer's output, or
// its pre-activation (the logits of a softmax classifier) when logits is
// true: a vector-Jacobian product, from which attacks build loss and class
// gradients. upstream is [n, outputs]. Samples run in parallel on workers
// goroutines (0 means all cores).
func (m *Model) InputGradient(x, upstream *data.Array, logits bool, workers int) (*data.Array, error) {
	if err := m.checkUpstream(x, upstream, logits); err != nil {
		return nil, err
	}
	out := &data.Array{Shape: append([]int{}, x.Shape...), Data: make([]float32, len(x.Data))}
	m.forEachGrad(x.Len(), workers, func(t *tape, gt *gradTape, s int) {
		m.forward(t, x.Row(s))
		m.backward(t, gt, upstream.Row(s), logits, nil, true)
		copy(out.Row(s), gt.in)
	})
	return out, nil
}

// checkUpstream checks that upstream holds one gradient of the outputs
// for each sample of x, and that the last layer has a pre-activation
// output if logits is true.
func (m *Model) checkUpstream(x, upstream *data.Array, logits bool) error {
	if err := m.checkInput(x); err != nil {
		return err
	}
	if upstream.Len() != x.Len() || upstream.RowSize() != m.last().size {
		return fmt.Errorf("nn: %s: upstream gradient of shape %v for %d samples of %d outputs", m.Arch.Name, upstream.Shape, x.Len(), m.last().size)
	}
	if logits {
		if _, err := m.activatedLast(); err != nil {
			return err
		}
	}
	return nil
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
	if logits {
		if _, err := m.activatedLast(); err != nil {
			return nil, err
		}
	}
	k := m.last().size
	in := x.RowSize()
	out := data.NewArray(append([]int{x.Len(), k}, x.Shape[1:]...)...)
	m.forEachGrad(x.Len(), workers, func(t *tape, gt *gradTape, s int) {
		m.forward(t, x.Row(s))
		up := gt.up
		for c := range k {
			clear(up)
			up[c] = 1
			m.backward(t, gt, up, logits, nil, true)
			copy(out.Data[(s*k+c)*in:(s*k+c+1)*in], gt.in)
		}
	})
	return out, nil
}
