package scan

import (
	"fmt"
	"slices"
)

// Result is the highest-scoring subset a scan found.
type Result struct {
	// Score is the scan statistic of the subset, ≥ 0.
	Score float64 `json:"score"`
	// Alpha is the p-value threshold at which the subset scored best; 0 when
	// no threshold qualified.
	Alpha float64 `json:"alpha"`
	// Samples are the indices (0-based, ascending) of the samples in the
	// subset; nil for an individual scan.
	Samples []int `json:"images,omitempty"`
	// Nodes are the indices (0-based, ascending) of the nodes in the subset.
	Nodes []int `json:"nodes"`
}

// PrecisionRecall compares a found sample subset with the indices of the
// truly anomalous samples: precision is the fraction of found samples that
// are anomalous, recall the fraction of anomalous samples that were found.
// Either is 0 when its denominator is empty. Duplicates are counted once.
func PrecisionRecall(found, anomalous []int) (precision, recall float64) {
	f := uniqueSorted(found)
	a := uniqueSorted(anomalous)
	tp := 0
	for _, i := range f {
		if _, ok := slices.BinarySearch(a, i); ok {
			tp++
		}
	}
	if len(f) > 0 {
		precision = float64(tp) / float64(len(f))
	}
	if len(a) > 0 {
		recall = float64(tp) / float64(len(a))
	}
	return precision, recall
}

func uniqueSorted(x []int) []int {
	s := slices.Clone(x)
	slices.Sort(s)
	return slices.Compact(s)
}

// AUC returns the area under the ROC curve of scores that should rank the
// anomalous samples above the clean ones: the probability that a random
// anomalous score exceeds a random clean score, ties counting one half
// (the Mann-Whitney U statistic divided by the number of pairs). It returns
// an error if either input is empty or holds a NaN.
func AUC(clean, anomalous []float64) (float64, error) {
	if len(clean) == 0 || len(anomalous) == 0 {
		return 0, fmt.Errorf("scan: AUC needs clean and anomalous scores (got %d and %d)", len(clean), len(anomalous))
	}
	c := slices.Clone(clean)
	a := slices.Clone(anomalous)
	for _, s := range [][]float64{c, a} {
		for i, v := range s {
			if v != v {
				return 0, fmt.Errorf("scan: AUC: score %d is NaN", i)
			}
		}
		slices.Sort(s)
	}
	// For each anomalous score, count clean scores below it and equal to it.
	var u float64
	lo, hi := 0, 0
	for _, v := range a {
		for lo < len(c) && c[lo] < v {
			lo++
		}
		if hi < lo {
			hi = lo
		}
		for hi < len(c) && c[hi] <= v {
			hi++
		}
		u += float64(lo) + 0.5*float64(hi-lo)
	}
	return u / (float64(len(c)) * float64(len(a))), nil
}
