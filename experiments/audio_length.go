package experiments

import (
	"math"
	"slices"

	"subsetscan/data/fsdd"
	"subsetscan/report"
)

// lengths returns the mean lengths of the row's background, clean and
// adversarial utterances and, for each of the table's columns and each
// scanned layer, the Spearman correlation between the column's subset
// scores of the clean and adversarial utterances (clean first, as the
// scans return them) and their lengths in samples, nil where it is
// undefined (spearman: constant scores or lengths).
func (d *audioRowData) lengths(cols []report.SSColumn, layers []report.AudioLayer) report.AudioLength {
	var out report.AudioLength
	for k, us := range [][]fsdd.Utterance{d.bg, d.clean, d.adv} {
		out.Digits[k], out.Seconds[k] = meanLength(us)
	}
	var n []float64
	for _, us := range [][]fsdd.Utterance{d.clean, d.adv} {
		for _, u := range us {
			n = append(n, float64(len(u.Samples)))
		}
	}
	for _, c := range cols {
		rho := make([]*float64, len(layers)) // nil where undefined: JSON has no NaN
		for i, l := range layers {
			if s := l.Scan(c); s != nil {
				if v := spearman(append(slices.Clip(s.Clean), s.Adversarial...), n); !math.IsNaN(v) {
					rho[i] = &v
				}
			}
		}
		out.Spearman = append(out.Spearman, rho)
	}
	return out
}

// meanLength returns the mean number of digits and of seconds of us (NaN
// for none).
func meanLength(us []fsdd.Utterance) (digits, seconds float64) {
	if len(us) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, u := range us {
		digits += float64(len(u.Digits))
		seconds += float64(len(u.Samples)) / fsdd.SampleRate
	}
	return digits / float64(len(us)), seconds / float64(len(us))
}

// spearman returns Spearman's rank correlation of x and y (of one
// length): Pearson's correlation of their ranks, ties given their mean
// rank; NaN when either is constant or they have fewer than 2 values.
func spearman(x, y []float64) float64 {
	if len(x) != len(y) || len(x) < 2 {
		return math.NaN()
	}
	rx, ry := ranks(x), ranks(y)
	mx, my := mean(rx), mean(ry)
	var sxy, sxx, syy float64
	for i := range rx {
		a, b := rx[i]-mx, ry[i]-my
		sxy, sxx, syy = sxy+a*b, sxx+a*a, syy+b*b
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}

// ranks returns the ranks (1-based) of x, ties given their mean rank.
func ranks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmpFloat(x[a], x[b]) })
	r := make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && x[idx[j+1]] == x[idx[i]] {
			j++
		}
		for k := i; k <= j; k++ {
			r[idx[k]] = float64(i+j)/2 + 1
		}
		i = j + 1
	}
	return r
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}
