package nn

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// Dense is the layer kind of a fully connected layer over the last axis of
// its input (Keras' Dense): Units outputs and an Activation. An input
// [d1, …, dk, n] gives an output [d1, …, dk, Units], each of the d1⋯dk rows
// mapped by the same kernel (a sequence [T, n] gives [T, Units], frame by
// frame); a flat input [n] (or [1, …, 1, n]) gives [Units]. Softmax needs
// a flat input (a sequence's logits go to CTCLoss, which applies its own
// softmax per frame). Its params are "kernel" [n, Units] and "bias"
// [Units].
const Dense = "dense"

func init() { register(Dense, newDense) }

// dense is a Dense layer.
type dense struct {
	rows, in, units int   // rows: the product of the input's leading axes
	out             []int // the output shape
	act             activation
	kernel, bias    []float32 // kernel in×units, row-major (Keras' layout)
}

func newDense(spec LayerSpec, in [][]int) (layer, error) {
	s, err := oneInput(in)
	if err != nil {
		return nil, err
	}
	if spec.Units < 1 {
		return nil, fmt.Errorf("units %d must be positive", spec.Units)
	}
	l := &dense{rows: size(s[:len(s)-1]), in: s[len(s)-1], units: spec.Units, out: []int{spec.Units}}
	if l.act, err = parseActivation(spec.Activation); err != nil {
		return nil, err
	}
	if l.rows > 1 {
		if l.act == softmax {
			return nil, fmt.Errorf("softmax needs a flat input: add a flatten layer, or give a sequence linear logits (CTCLoss)")
		}
		l.out = append(slices.Clone(s[:len(s)-1]), l.units)
	}
	l.kernel = make([]float32, l.in*l.units)
	l.bias = make([]float32, l.units)
	return l, nil
}

func (l *dense) outShape() []int        { return l.out }
func (l *dense) activation() activation { return l.act }

func (l *dense) params() []param {
	return []param{
		{"kernel", []int{l.in, l.units}, l.kernel},
		{"bias", []int{l.units}, l.bias},
	}
}

// init draws the kernel from Glorot-uniform with fan_in = in and
// fan_out = units, and zeroes the bias.
func (l *dense) init(rng *rand.Rand) {
	glorot(rng, l.kernel, l.in, l.units)
	clear(l.bias)
}

// needs: the record is the pre-activation (kept in inference too: it is
// the logits), the backward scratch the gradient w.r.t. it.
func (l *dense) needs() needs {
	n := l.rows * l.units
	return needs{record: []int{n}, backward: []int{n}}
}

func (l *dense) preActivation(rec [][]float32) []float32 { return rec[0] }

// forward computes pre = in·kernel + bias, each row of the input a row of
// pre, then out = the activation of pre. A sequence's rows are computed
// serially (mulAdd: the same operations, so the same values, as gonum's
// Sgemm on one row, but no goroutines).
func (l *dense) forward(out []float32, in [][]float32, rec, _ [][]float32, _ bool) {
	pre := rec[0]
	for r := range l.rows {
		copy(pre[r*l.units:(r+1)*l.units], l.bias)
	}
	if l.rows > 1 {
		mulAdd(pre, in[0], l.kernel, l.rows, l.in, l.units)
	} else {
		blas32.Gemm(blas.NoTrans, blas.NoTrans, 1,
			blas32.General{Rows: 1, Cols: l.in, Stride: l.in, Data: in[0]},
			blas32.General{Rows: l.in, Cols: l.units, Stride: l.units, Data: l.kernel},
			1, blas32.General{Rows: 1, Cols: l.units, Stride: l.units, Data: pre})
	}
	l.act.apply(out, pre)
}

func (l *dense) backward(gin [][]float32, gout, out []float32, in [][]float32, rec, pg, s [][]float32) {
	backwardActivated(l, gin, gout, out, in, rec, pg, s)
}

// backwardPre computes ∂W[i,j] += Σ_r in[r,i]·gp[r,j] (row after row),
// ∂b[j] += Σ_r gp[r,j], and gin = gp·Wᵀ.
func (l *dense) backwardPre(gin [][]float32, gp []float32, in [][]float32, _, pg, _ [][]float32) {
	if pg != nil {
		gk, gb := pg[0], pg[1]
		for r := range l.rows {
			g := gp[r*l.units : (r+1)*l.units]
			for i, v := range in[0][r*l.in : (r+1)*l.in] {
				if v != 0 {
					axpy(v, g, gk[i*l.units:(i+1)*l.units])
				}
			}
			for j, v := range g {
				gb[j] += v
			}
		}
	}
	switch {
	case gin[0] == nil:
	case l.rows > 1:
		clear(gin[0])
		mulAddTransB(gin[0], gp, l.kernel, l.rows, l.units, l.in)
	default:
		blas32.Gemm(blas.NoTrans, blas.Trans, 1,
			blas32.General{Rows: 1, Cols: l.units, Stride: l.units, Data: gp},
			blas32.General{Rows: l.in, Cols: l.units, Stride: l.units, Data: l.kernel},
			0, blas32.General{Rows: 1, Cols: l.in, Stride: l.in, Data: gin[0]})
	}
}
