package attack

import (
	"context"
	"fmt"
	"math"

	"subsetscan/data"
)

// Jacobianer is implemented by classifiers that give the gradients of all
// their logits at once, as *nn.Model does.
type Jacobianer interface {
	Jacobian(x *data.Array, logits bool, workers int) (*data.Array, error)
}

// DeepFool is the DeepFool attack (Moosavi-Dezfooli et al. 2016) as ART 0.9
// implements it: on the logits, all classes considered; each step moves the
// image to the linearised boundary of the nearest class, until the
// prediction changes or MaxIter steps.
//
// ART 0.9 then means to scale the total perturbation by 1 + epsilon (the
// overshoot), but its batch is a view of the array it scales, so the
// difference it scales is always zero and the images it returns are the
// last iterates, left on the boundary itself. Generate does the same unless
// ApplyOvershoot is set (the behaviour of later ART versions).
type DeepFool struct {
	// MaxIter is the largest number of steps; 0 means ART's default, 100.
	MaxIter int
	// Epsilon is the overshoot; 0 means ART's default, 1e-6. It takes
	// effect only with ApplyOvershoot.
	Epsilon float32
	// ApplyOvershoot scales the perturbation by 1 + Epsilon at the end, as
	// ART does from version 1.0 on; ART 0.9 (false) does not.
	ApplyOvershoot bool
	// Clip, when not nil, bounds the pixels after each step and at the end.
	Clip *[2]float32
	// Workers bounds the parallelism; 0 means all cores.
	Workers int
	// Progress, when not nil, is called after each step with the number of
	// images still being attacked.
	Progress func(step, active int)
}

// deepFoolTol is ART's tol = 10e-8, added to norms and to the step.
const deepFoolTol = 10e-8

// Generate returns the adversarial images of x.
func (a DeepFool) Generate(ctx context.Context, c Classifier, x *data.Array) (*data.Array, error) {
	maxIter, overshoot := a.MaxIter, a.Epsilon
	if maxIter == 0 {
		maxIter = 100
	}
	if overshoot == 0 {
		overshoot = 1e-6
	}
	if maxIter < 0 || !(overshoot >= 0) {
		return nil, fmt.Errorf("attack: DeepFool max_iter %d and epsilon %v must be ≥ 0", maxIter, overshoot)
	}
	jc, ok := c.(Jacobianer)
	if !ok {
		return nil, fmt.Errorf("attack: DeepFool needs a classifier with logits and their Jacobian")
	}
	lc, ok := c.(Logitser)
	if !ok {
		return nil, fmt.Errorf("attack: DeepFool needs a classifier with logits")
	}
	n, in := x.Len(), x.RowSize()
	cur := &data.Array{Shape: append([]int{}, x.Shape...), Data: append([]float32{}, x.Data...)}
	f, err := lc.Logits(x, a.Workers)
	if err != nil {
		return nil, err
	}
	k := f.RowSize()
	orig := make([]int, n)
	active := make([]int, n)
	for i := range n {
		orig[i] = argmax(f.Row(i))
		active[i] = i
	}
	for step := 0; step < maxIter && len(active) > 0; step++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		batch := cur.Gather(active)
		fb, err := lc.Logits(batch, a.Workers)
		if err != nil {
			return nil, err
		}
		grd, err := jc.Jacobian(batch, true, a.Workers)
		if err != nil {
			return nil, err
		}
		for j, i := range active {
			deepFoolStep(cur.Row(i), fb.Row(j), grd.Data[j*k*in:(j+1)*k*in], orig[i], k, in, a.Clip)
		}
		// Stop the images whose prediction has changed.
		moved, err := lc.Logits(cur.Gather(active), a.Workers)
		if err != nil {
			return nil, err
		}
		var still []int
		for j, i := range active {
			if argmax(moved.Row(j)) == orig[i] {
				still = append(still, i)
			}
		}
		active = still
		if a.Progress != nil {
			a.Progress(step+1, len(active))
		}
	}
	adv := cur
	if a.ApplyOvershoot {
		for i, v := range x.Data {
			adv.Data[i] = v + (1+overshoot)*(cur.Data[i]-v)
		}
		clip(adv.Data, a.Clip)
	}
	for i, v := range adv.Data {
		if v != v || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("attack: DeepFool produced a non-finite pixel in image %d", i/in)
		}
	}
	return adv, nil
}

// deepFoolStep moves one image x (logits f, Jacobian grd [k][in]) towards
// the nearest linearised class boundary of its original class fk, as ART
// 0.9: l = argmin over l ≠ fk of |f_l − f_fk| / (‖w_l‖ + tol) with
// w_l = ∇f_l − ∇f_fk, and r = |f_l − f_fk| / (‖w_l‖² + tol) · w_l.
func deepFoolStep(x, f, grd []float32, fk, k, in int, bounds *[2]float32) {
	gk := grd[fk*in : (fk+1)*in]
	best, bestL := float32(math.Inf(1)), -1
	var bestSS float32
	for l := range k {
		if l == fk {
			continue
		}
		gl := grd[l*in : (l+1)*in]
		var ss float64
		for p := range in {
			d := float64(gl[p] - gk[p])
			ss += d * d
		}
		norm := float32(math.Sqrt(ss)) + deepFoolTol
		v := float32(math.Abs(float64(f[l]-f[fk]))) / norm
		if v < best {
			best, bestL, bestSS = v, l, float32(ss)
		}
	}
	if bestL < 0 {
		return
	}
	r := float32(math.Abs(float64(f[bestL]-f[fk]))) / (bestSS + deepFoolTol)
	gl := grd[bestL*in : (bestL+1)*in]
	for p := range in {
		x[p] += r * (gl[p] - gk[p])
	}
	clip(x, bounds)
}

func argmax(v []float32) int {
	b := 0
	for i, x := range v {
		if x > v[b] {
			b = i
		}
	}
	return b
}
