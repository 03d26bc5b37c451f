package attack

import (
	"context"
	"fmt"
	"math"
	"slices"

	"subsetscan/data"
)

// BIM is the basic iterative method (Kurakin et al. 2017) as ART 0.9's
// BasicIterativeMethod: MaxIter FGSM steps of EpsStep on the loss of the
// labels first predicted, each followed by a projection onto the L∞ ball of
// radius Eps around the original image (x + clip(x' − x, −ε, ε), in that
// order, in float32). Most images soon cycle (pixels whose gradient sign
// flips back and forth); once an iterate repeats, the image's state at
// MaxIter is reached in at most one more period and it leaves the loop, so
// the result is that of all MaxIter steps at a fraction of the cost.
type BIM struct {
	Eps, EpsStep float32
	MaxIter      int
	// Clip, when not nil, bounds the pixels after each step.
	Clip *[2]float32
	// Workers bounds the parallelism; 0 means all cores.
	Workers int
	// Progress, when not nil, is called after each step with the number of
	// images still changing.
	Progress func(step, active int)
}

// Generate returns the adversarial images of x; labels may be nil (the
// model's own predictions).
func (a BIM) Generate(ctx context.Context, c Classifier, x *data.Array, labels []int) (*data.Array, error) {
	if !(a.Eps > 0) || !(a.EpsStep > 0) || a.MaxIter < 1 || math.IsInf(float64(a.Eps), 0) {
		return nil, fmt.Errorf("attack: BIM needs eps > 0, eps_step > 0 and max_iter ≥ 1 (got %v, %v, %d)", a.Eps, a.EpsStep, a.MaxIter)
	}
	if labels == nil {
		var err error
		if labels, err = Predictions(c, x, a.Workers); err != nil {
			return nil, err
		}
	}
	in := x.RowSize()
	adv := &data.Array{Shape: slices.Clone(x.Shape), Data: slices.Clone(x.Data)}
	// Each step is a deterministic function of the iterate, so once an
	// iterate repeats, the sequence cycles and its state at MaxIter is
	// known after (MaxIter − k) mod period more steps. Iterates are
	// recognised by a 128-bit hash (two independent 64-bit hashes).
	type track struct {
		seen      map[[2]uint64]int
		remaining int // steps still to take once a cycle is found; -1 before
	}
	tracks := make([]track, x.Len())
	active := make([]int, x.Len())
	for i := range active {
		active[i] = i
		tracks[i] = track{seen: map[[2]uint64]int{hash128(x.Row(i)): 0}, remaining: -1}
	}
	for step := 0; step < a.MaxIter && len(active) > 0; step++ {
		batch := adv.Gather(active)
		y := make([]int, len(active))
		for j, i := range active {
			y[j] = labels[i]
		}
		grad, err := LossGradient(ctx, c, batch, y, a.Workers)
		if err != nil {
			return nil, err
		}
		k := step + 1 // steps applied after this one
		var still []int
		for j, i := range active {
			cur, orig, g := adv.Row(i), x.Row(i), grad.Row(j)
			for p := range in {
				v := cur[p] + a.EpsStep*sign(g[p])
				d := min(max(v-orig[p], -a.Eps), a.Eps)
				v = orig[p] + d
				if a.Clip != nil {
					v = min(max(v, a.Clip[0]), a.Clip[1])
				}
				cur[p] = v
			}
			tr := &tracks[i]
			if tr.remaining < 0 {
				h := hash128(cur)
				if s, ok := tr.seen[h]; ok {
					tr.remaining = (a.MaxIter - k) % (k - s)
					tr.seen = nil
				} else {
					tr.seen[h] = k
				}
			} else {
				tr.remaining--
			}
			if tr.remaining != 0 {
				still = append(still, i)
			}
		}
		active = still
		if a.Progress != nil {
			a.Progress(k, len(active))
		}
	}
	return adv, nil
}

// hash128 hashes the bits of v with FNV-1a and with a multiply-xorshift
// mix, two independent 64-bit hashes.
func hash128(v []float32) [2]uint64 {
	h1 := uint64(14695981039346656037)
	h2 := uint64(0x9e3779b97f4a7c15)
	for _, f := range v {
		b := uint64(math.Float32bits(f))
		for s := 0; s < 32; s += 8 {
			h1 ^= (b >> s) & 0xff
			h1 *= 1099511628211
		}
		h2 ^= b
		h2 *= 0xff51afd7ed558ccd
		h2 ^= h2 >> 33
	}
	return [2]uint64{h1, h2}
}
