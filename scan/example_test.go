package scan_test

import (
	"fmt"

	"subsetscan/scan"
)

// Three nodes, four background samples each; the evaluation sample is
// unusually large at nodes 0 and 1.
func ExampleBackground_PValues() {
	background := []float32{
		0.1, 0.0, 0.5,
		0.2, 0.0, 0.4,
		0.3, 0.1, 0.6,
		0.4, 0.0, 0.5,
	}
	bg, err := scan.NewBackground(background, 4, 3, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := bg.PValues([]float32{0.9, 0.1, 0.5}, scan.Upper, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	pmin, pmax := r.Row(0)
	for k := range pmin {
		fmt.Printf("node %d: [%.1f, %.1f]\n", k, pmin[k], pmax[k])
	}
	// Output:
	// node 0: [0.0, 0.2]
	// node 1: [0.0, 0.4]
	// node 2: [0.2, 0.8]
}

func ExampleIndividual() {
	pmax := []float64{0.01, 0.02, 0.6, 0.03, 0.9}
	res, err := scan.Individual(pmax, scan.BerkJones{}, 0.5)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("score %.3f at alpha %.2f, nodes %v\n", res.Score, res.Alpha, res.Nodes)
	// Output:
	// score 10.520 at alpha 0.03, nodes [0 1 3]
}

func ExampleIndividualFixed() {
	pmax := []float64{0.01, 0.02, 0.6, 0.03, 0.9}
	res, err := scan.IndividualFixed(pmax, scan.HigherCriticism{}, 0.05)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("score %.3f, nodes %v\n", res.Score, res.Nodes)
	// Output:
	// score 7.550, nodes [0 1 3]
}

func ExampleGroup() {
	// Four samples × five nodes; samples 1 and 2 share small p-values at
	// nodes 0-2.
	r := scan.NewRanges(4, 5)
	copy(r.Max, []float64{
		0.6, 0.7, 0.5, 0.9, 0.8,
		0.01, 0.02, 0.03, 0.7, 0.6,
		0.02, 0.01, 0.04, 0.8, 0.9,
		0.5, 0.9, 0.6, 0.7, 0.8,
	})
	res, err := scan.Group(r, scan.GroupOptions{Score: scan.BerkJones{}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("samples %v, nodes %v, alpha %.2f\n", res.Samples, res.Nodes, res.Alpha)
	// Output:
	// samples [1 2], nodes [0 1 2], alpha 0.04
}

func ExampleAUC() {
	clean := []float64{1.0, 2.0, 3.0}
	anomalous := []float64{2.5, 4.0}
	auc, err := scan.AUC(clean, anomalous)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.3f\n", auc)
	// Output:
	// 0.833
}

func ExamplePrecisionRecall() {
	p, r := scan.PrecisionRecall([]int{3, 4, 5, 6}, []int{4, 5, 9})
	fmt.Printf("precision %.2f, recall %.2f\n", p, r)
	// Output:
	// precision 0.50, recall 0.67
}

func ExampleScorerByName() {
	s, err := scan.ScorerByName("ks")
	if err != nil {
		fmt.Println(err)
		return
	}
	// 8 of 10 p-values at or below 0.2, where 2 are expected.
	fmt.Printf("%s: %.3f\n", s.Name(), s.Score(8, 10, 0.2))
	// Output:
	// ks: 1.897
}

func ExampleNewConditional() {
	// Class 0's background is small, class 1's large.
	c, err := scan.NewConditional([]float32{0, 1, 2, 10, 11, 12}, []int{0, 0, 0, 1, 1, 1}, 1, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := c.PValues([]float32{5, 5}, []int{0, 1}, scan.Upper, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Max)
	// Output:
	// [0.25 1]
}

// A caller that computes p-values for several evaluation sets (or layers)
// in turn can reuse one Ranges, and one Background, for all of them.
func ExampleBackground_PValuesTo() {
	bg, err := scan.NewBackground([]float32{0, 1, 2, 3}, 4, 1, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	var r scan.Ranges
	for _, set := range [][]float32{{2.5}, {0, 5}} {
		if err := bg.PValuesTo(&r, set, scan.Upper, 1); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(r.N, r.Min, r.Max)
	}
	// Output:
	// 1 [0.2] [0.4]
	// 2 [0.6 0] [1 0.2]
}

func ExampleAUCCI() {
	clean := []float64{1.0, 2.0, 3.0}
	anomalous := []float64{2.5, 4.0}
	auc, ci, err := scan.AUCCI(clean, anomalous, 0.95)
	if err != nil {
		fmt.Println(err)
		return
	}
	// DeLong's variance here is 1/18: S₁₀ = 1/18 over 2 anomalous
	// scores, S₀₁ = 1/12 over 3 clean ones.
	fmt.Printf("AUC %.3f, 95%% CI [%.3f, %.3f]\n", auc, ci[0], ci[1])
	// Output:
	// AUC 0.833, 95% CI [0.371, 1.000]
}

// The background of ExampleBackground_PValues; two evaluation samples, the
// first unusually large at nodes 0 and 1. The counts are the numerators of
// pmax over B+1 = 5, and the individual scans need nothing else: sample 0
// scores 2·ln(1/0.4) at nodes 0 and 1 (pmax 1/5 and 2/5), above node 0's
// 1·ln(1/0.2).
func ExampleUpperCounts() {
	background := []float32{
		0.1, 0.0, 0.5,
		0.2, 0.0, 0.4,
		0.3, 0.1, 0.6,
		0.4, 0.0, 0.5,
	}
	eval := []float32{
		0.9, 0.1, 0.5,
		0.2, 0.0, 0.4,
	}
	c, err := scan.UpperCounts(background, 4, eval, 3, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("pmax numerators %v over %d\n", c.K, c.Denom)
	results, err := scan.IndividualCounts(c, scan.BerkJones{}, 0.5, 0, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, r := range results {
		fmt.Printf("sample %d: score %.3f at alpha %.1f, nodes %v\n", i, r.Score, r.Alpha, r.Nodes)
	}
	// Output:
	// pmax numerators [1 2 4 4 5 5] over 5
	// sample 0: score 1.833 at alpha 0.4, nodes [0 1]
	// sample 1: score 0.000 at alpha 0.0, nodes []
}
