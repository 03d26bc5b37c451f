package nn

import "math/rand/v2"

// BiLSTM is the layer kind of a bidirectional LSTM (Keras'
// Bidirectional(LSTM(Units, return_sequences=ReturnSequences)) with its
// default merge_mode "concat"): a forward LSTM over the frames in order and
// a backward LSTM over them in reverse, each as the LSTM kind describes.
// Its input is a sequence [T, n]. With ReturnSequences its output is
// [T, 2·Units], frame t holding the forward LSTM's hidden state after
// frames 0…t, then the backward one's after frames T−1…t (Keras reverses
// the backward outputs back into the input's order); without, it is
// [2·Units], the forward state after the last frame then the backward
// state after the first. Its params are the forward LSTM's then the
// backward one's, named "forward_lstm/kernel", "forward_lstm/
// recurrent_kernel", "forward_lstm/bias", "backward_lstm/kernel", … (Keras
// names them <layer>/forward_lstm/lstm_cell/kernel and so on, in the same
// order and layouts), initialised as the LSTM kind's, forward first.
const BiLSTM = "bidirectional_lstm"

func init() { register(BiLSTM, newBiLSTM) }

// biLSTM is a BiLSTM layer.
type biLSTM struct {
	fw, bw *lstmCell
	seq    bool
}

func newBiLSTM(spec LayerSpec, in [][]int) (layer, error) {
	T, n, err := recurrentInput(spec, in)
	if err != nil {
		return nil, err
	}
	return &biLSTM{fw: newLSTMCell(T, n, spec.Units, false), bw: newLSTMCell(T, n, spec.Units, true), seq: spec.ReturnSequences}, nil
}

func (l *biLSTM) outShape() []int {
	if l.seq {
		return []int{l.fw.T, 2 * l.fw.units}
	}
	return []int{2 * l.fw.units}
}

func (l *biLSTM) params() []param {
	return append(l.fw.params("forward_lstm/"), l.bw.params("backward_lstm/")...)
}

func (l *biLSTM) init(rng *rand.Rand) {
	l.fw.init(rng)
	l.bw.init(rng)
}

// needs: the forward cell's records then the backward one's; the cells'
// backward scratch is shared, the cells running one after the other.
func (l *biLSTM) needs() needs {
	return needs{record: append(l.fw.recordSizes(), l.bw.recordSizes()...), backward: l.fw.backScratchSizes()}
}

func (l *biLSTM) forward(out []float32, in [][]float32, rec, _ [][]float32, _ bool) {
	l.fw.forward(in[0], rec[:lstmRecords])
	l.bw.forward(in[0], rec[lstmRecords:])
	u, T := l.fw.units, l.fw.T
	hf, hb := rec[3], rec[lstmRecords+3]
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

func (l *biLSTM) backward(gin [][]float32, gout, _ []float32, in [][]float32, rec, pg, s [][]float32) {
	if gin[0] != nil {
		clear(gin[0])
	}
	u := l.fw.units
	var pf, pb [][]float32
	if pg != nil {
		pf, pb = pg[:3], pg[3:]
	}
	l.fw.backward(gin[0], seqGrad{g: gout, stride: 2 * u, last: !l.seq}, in[0], rec[:lstmRecords], pf, s)
	l.bw.backward(gin[0], seqGrad{g: gout, stride: 2 * u, off: u, last: !l.seq}, in[0], rec[lstmRecords:], pb, s)
}
