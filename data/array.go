package data

import (
	"fmt"
	"math"
)

// Array is a dense row-major array of float32 values. Shape[0] is the sample
// axis; Data has the product of Shape elements.
type Array struct {
	Shape []int
	Data  []float32
}

// NewArray allocates a zeroed array of the given shape.
func NewArray(shape ...int) *Array {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return &Array{Shape: append([]int(nil), shape...), Data: make([]float32, n)}
}

// Len returns the number of samples, Shape[0] (0 for a 0-d array).
func (a *Array) Len() int {
	if len(a.Shape) == 0 {
		return 0
	}
	return a.Shape[0]
}

// RowSize returns the number of values per sample: the product of
// Shape[1:].
func (a *Array) RowSize() int {
	n := 1
	for _, d := range a.Shape[1:] {
		n *= d
	}
	return n
}

// Row returns the values of sample i; the slice aliases a.Data.
func (a *Array) Row(i int) []float32 {
	m := a.RowSize()
	return a.Data[i*m : (i+1)*m]
}

// Slice returns samples [i, j) as an array aliasing a.Data.
func (a *Array) Slice(i, j int) *Array {
	m := a.RowSize()
	shape := append([]int{j - i}, a.Shape[1:]...)
	return &Array{Shape: shape, Data: a.Data[i*m : j*m]}
}

// Gather returns a new array holding the samples at idx, in that order.
func (a *Array) Gather(idx []int) *Array {
	m := a.RowSize()
	out := &Array{Shape: append([]int{len(idx)}, a.Shape[1:]...), Data: make([]float32, len(idx)*m)}
	for k, i := range idx {
		copy(out.Data[k*m:(k+1)*m], a.Row(i))
	}
	return out
}

// Concat returns the samples of the arrays one after the other. Their
// per-sample shapes must agree.
func Concat(arrays ...*Array) (*Array, error) {
	if len(arrays) == 0 {
		return nil, fmt.Errorf("data: nothing to concatenate")
	}
	first := arrays[0]
	n := 0
	for k, a := range arrays {
		if !sameShape(a.Shape[1:], first.Shape[1:]) {
			return nil, fmt.Errorf("data: array %d has per-sample shape %v, want %v", k, a.Shape[1:], first.Shape[1:])
		}
		n += a.Len()
	}
	out := &Array{Shape: append([]int{n}, first.Shape[1:]...), Data: make([]float32, 0, n*first.RowSize())}
	for _, a := range arrays {
		out.Data = append(out.Data, a.Data...)
	}
	return out, nil
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// CheckFinite returns an error naming the sample and the node (flat index
// within the sample) of the first NaN or infinite value, or nil.
func (a *Array) CheckFinite() error {
	m := max(a.RowSize(), 1)
	for i, v := range a.Data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("sample %d, node %d: value %v is not finite", i/m, i%m, v)
		}
	}
	return nil
}

// forget drops a's data: the release function of a read (not mapped)
// MapNPY array.
func (a *Array) forget() error {
	a.Data = nil
	return nil
}
