package scan

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// AUCCI returns the AUC of clean against anomalous scores (as AUC computes
// it) and its two-sided confidence interval at the given level (0.95 for
// 95 %) by DeLong, DeLong & Clarke-Pearson (1988): the variance of the AUC
// is S₁₀/n + S₀₁/m, where S₁₀ is the sample variance over the n anomalous
// scores of the share of clean scores each exceeds (ties one half), and
// S₀₁ that over the m clean scores of the share of anomalous scores
// exceeding each; the interval is AUC ± z·√variance, clipped to [0, 1].
//
// With fewer than 2 scores in either group the variance cannot be
// estimated and the interval is [0, 1]. When the two groups do not overlap
// (AUC 0 or 1) DeLong's variance is 0 and so is the interval's width: the
// sample separates completely, which says little about how often a larger
// one would. It returns an error if either input is empty or holds a NaN,
// and panics if level is not in (0, 1).
func AUCCI(clean, anomalous []float64, level float64) (auc float64, ci [2]float64, err error) {
	if !(level > 0 && level < 1) {
		panic(fmt.Sprintf("scan: AUCCI: level %v is not in (0, 1)", level))
	}
	auc, err = AUC(clean, anomalous)
	if err != nil {
		return 0, ci, err
	}
	m, n := len(clean), len(anomalous)
	if m < 2 || n < 2 {
		return auc, [2]float64{0, 1}, nil
	}
	c, a := slices.Clone(clean), slices.Clone(anomalous)
	slices.Sort(c)
	slices.Sort(a)
	// v10[j]: the share of clean scores below anomalous score j (ties one
	// half); v01[i]: the share of anomalous scores above clean score i.
	v10 := placements(a, c, false)
	v01 := placements(c, a, true)
	variance := sampleVariance(v10)/float64(n) + sampleVariance(v01)/float64(m)
	z := distuv.UnitNormal.Quantile(0.5 + level/2)
	half := z * math.Sqrt(variance)
	return auc, [2]float64{max(auc-half, 0), min(auc+half, 1)}, nil
}

// placements returns, for each value v of the sorted xs, the share of the
// sorted others that lie below v (above v when above is true), ties
// counting one half.
func placements(xs, others []float64, above bool) []float64 {
	out := make([]float64, len(xs))
	k := float64(len(others))
	for i, v := range xs {
		lo, _ := slices.BinarySearch(others, v) // others[:lo] < v
		hi := lo
		for hi < len(others) && others[hi] == v {
			hi++
		}
		below := float64(lo) + 0.5*float64(hi-lo)
		if above {
			below = k - below
		}
		out[i] = below / k
	}
	return out
}

// sampleVariance returns the unbiased variance of x (len(x) ≥ 2).
func sampleVariance(x []float64) float64 {
	var mean float64
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	var s float64
	for _, v := range x {
		s += (v - mean) * (v - mean)
	}
	return s / float64(len(x)-1)
}
