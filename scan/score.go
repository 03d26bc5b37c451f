package scan

import (
	"fmt"
	"math"
	"strings"
)

// Scorer wraps the Score method of a nonparametric scan statistic.
//
// Score returns F(nAlpha, n, alpha): how strongly nAlpha of n p-values at or
// below the threshold alpha depart from the nAlpha ≈ n·alpha expected under
// uniformity. Implementations return 0 unless nAlpha > n·alpha and must be
// non-decreasing in nAlpha; the subset scans rely on it (LTSS).
type Scorer interface {
	Score(nAlpha, n, alpha float64) float64
	// Name is the short name used in configs and on the command line.
	Name() string
}

var (
	_ Scorer = BerkJones{}
	_ Scorer = HigherCriticism{}
	_ Scorer = KolmogorovSmirnov{}
)

// BerkJones is the Berk-Jones statistic, n times the Kullback-Leibler
// divergence between the observed fraction nAlpha/n and alpha:
//
//	nAlpha·ln(nAlpha/(n·alpha)) + (n−nAlpha)·ln((n−nAlpha)/(n·(1−alpha)))
//
// and n·ln(1/alpha) when nAlpha = n. It is 0 unless nAlpha > n·alpha.
type BerkJones struct{}

// Score implements Scorer.
func (BerkJones) Score(nAlpha, n, alpha float64) float64 {
	if nAlpha == n {
		// The second term vanishes: 0·ln(0) = 0.
		return n * math.Log(1/alpha)
	}
	if !(nAlpha > n*alpha) {
		return 0
	}
	return nAlpha*math.Log(nAlpha/(n*alpha)) + (n-nAlpha)*math.Log((n-nAlpha)/(n*(1-alpha)))
}

// Name implements Scorer.
func (BerkJones) Name() string { return "bj" }

// HigherCriticism is the Higher Criticism statistic, the standardised excess
// of p-values at or below alpha under a binomial null:
//
//	(nAlpha − n·alpha) / sqrt(n·alpha·(1−alpha))
//
// It is 0 unless nAlpha > n·alpha.
type HigherCriticism struct{}

// Score implements Scorer.
func (HigherCriticism) Score(nAlpha, n, alpha float64) float64 {
	if !(nAlpha > n*alpha) {
		return 0
	}
	return (nAlpha - n*alpha) / math.Sqrt(n*alpha*(1-alpha))
}

// Name implements Scorer.
func (HigherCriticism) Name() string { return "hc" }

// KolmogorovSmirnov is the Kolmogorov-Smirnov statistic
//
//	(nAlpha − n·alpha) / sqrt(n)
//
// It is 0 unless nAlpha > n·alpha.
type KolmogorovSmirnov struct{}

// Score implements Scorer.
func (KolmogorovSmirnov) Score(nAlpha, n, alpha float64) float64 {
	if !(nAlpha > n*alpha) {
		return 0
	}
	return (nAlpha - n*alpha) / math.Sqrt(n)
}

// Name implements Scorer.
func (KolmogorovSmirnov) Name() string { return "ks" }

// Scorers lists the built-in scan statistics by name.
var Scorers = map[string]Scorer{
	"bj": BerkJones{},
	"hc": HigherCriticism{},
	"ks": KolmogorovSmirnov{},
}

// ScorerByName returns the built-in statistic called name ("bj", "hc" or
// "ks", case-insensitive), or an error naming the unknown score.
func ScorerByName(name string) (Scorer, error) {
	s, ok := Scorers[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("scan: unknown score function %q (want bj, hc or ks)", name)
	}
	return s, nil
}
