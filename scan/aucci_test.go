package scan_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/stat/distuv"

	"subsetscan/scan"
)

// delongDirect computes DeLong's variance from its definition, with the
// kernel ψ(x, y) = 1, ½, 0 for y >, =, < x over every pair.
func delongDirect(clean, anom []float64) (auc, variance float64) {
	m, n := float64(len(clean)), float64(len(anom))
	psi := func(x, y float64) float64 {
		switch {
		case y > x:
			return 1
		case y == x:
			return 0.5
		}
		return 0
	}
	v10 := make([]float64, len(anom))
	v01 := make([]float64, len(clean))
	for j, y := range anom {
		for i, x := range clean {
			p := psi(x, y)
			v10[j] += p / m
			v01[i] += p / n
			auc += p / (m * n)
		}
	}
	var s10, s01 float64
	for _, v := range v10 {
		s10 += (v - auc) * (v - auc) / (n - 1)
	}
	for _, v := range v01 {
		s01 += (v - auc) * (v - auc) / (m - 1)
	}
	return auc, s10/n + s01/m
}

func TestAUCCIMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name   string
		m, n   int
		levels int // 0: continuous scores; k: scores rounded to k levels (ties)
		shift  float64
	}{
		{"continuous", 40, 25, 0, 0.7},
		{"ties", 60, 30, 5, 0.5},
		{"heavy ties", 20, 20, 2, 0.3},
		{"reversed", 30, 30, 0, -1},
		{"two each", 2, 2, 0, 0.2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			draw := func(k int, shift float64) []float64 {
				out := make([]float64, k)
				for i := range out {
					v := rng.NormFloat64() + shift
					if tc.levels > 0 {
						v = math.Round(v * float64(tc.levels) / 3)
					}
					out[i] = v
				}
				return out
			}
			clean, anom := draw(tc.m, 0), draw(tc.n, tc.shift)
			wantAUC, variance := delongDirect(clean, anom)
			auc, ci, err := scan.AUCCI(clean, anom, 0.9)
			if err != nil {
				t.Fatal(err)
			}
			if !scalar.EqualWithinAbs(auc, wantAUC, 1e-12) {
				t.Errorf("AUC %v, want %v", auc, wantAUC)
			}
			half := 1.6448536269514722 * math.Sqrt(variance) // z of a 90 % interval
			want := [2]float64{max(wantAUC-half, 0), min(wantAUC+half, 1)}
			if !scalar.EqualWithinAbs(ci[0], want[0], 1e-12) || !scalar.EqualWithinAbs(ci[1], want[1], 1e-12) {
				t.Errorf("CI %v, want %v", ci, want)
			}
		})
	}
}

func TestAUCCIEdges(t *testing.T) {
	// Separated groups: AUC 1 with a zero-width interval.
	auc, ci, err := scan.AUCCI([]float64{1, 2, 3}, []float64{4, 5}, 0.95)
	if err != nil || auc != 1 || ci != [2]float64{1, 1} {
		t.Errorf("separated: %v %v %v, want 1 [1 1]", auc, ci, err)
	}
	// One score in a group: the variance cannot be estimated.
	auc, ci, err = scan.AUCCI([]float64{1}, []float64{0, 2}, 0.95)
	if err != nil || auc != 0.5 || ci != [2]float64{0, 1} {
		t.Errorf("one clean score: %v %v %v, want 0.5 [0 1]", auc, ci, err)
	}
	if _, _, err := scan.AUCCI(nil, []float64{1}, 0.95); err == nil {
		t.Error("empty clean: no error")
	}
	if _, _, err := scan.AUCCI([]float64{1, math.NaN()}, []float64{1}, 0.95); err == nil {
		t.Error("NaN: no error")
	}
	defer func() {
		if recover() == nil {
			t.Error("level 1: no panic")
		}
	}()
	scan.AUCCI([]float64{1, 2}, []float64{3, 4}, 1)
}

// TestAUCCICoverage checks that the 95 % interval covers the true AUC of
// two normal populations about 95 % of the time: with scores N(0, 1) and
// N(d, 1), the AUC is Φ(d/√2).
func TestAUCCICoverage(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const d, trials = 1.0, 400
	truth := distuv.UnitNormal.CDF(d / math.Sqrt2)
	covered := 0
	for range trials {
		clean, anom := make([]float64, 80), make([]float64, 60)
		for i := range clean {
			clean[i] = rng.NormFloat64()
		}
		for i := range anom {
			anom[i] = rng.NormFloat64() + d
		}
		_, ci, err := scan.AUCCI(clean, anom, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		if ci[0] <= truth && truth <= ci[1] {
			covered++
		}
	}
	// Binomial(400, 0.95) lies in [364, 394] with probability > 0.999.
	if covered < 364 || covered > 394 {
		t.Errorf("the 95 %% interval covered the true AUC %.3f in %d of %d trials", truth, covered, trials)
	}
}
