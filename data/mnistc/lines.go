package mnistc

import (
	"math"
	"math/rand/v2"
)

// Parameters of the line corruptions (corruptions.py: line_from_points,
// dotted_line and zigzag; these take no severity).
const (
	// lineReach is the vertical distance at which a line's intensity
	// log(1 − d/lineReach) + 1 would reach −∞; it is 0 from
	// d = lineReach·(1 − 1/e) ≈ 1.45 on and 1 on the line.
	lineReach = 2.3
	// dashWidth is the width in columns of the dashes of dotted_line and of
	// the gaps between them; the first two columns are a gap.
	dashWidth = 2
	// zigzagLeg and zigzagAmp are a and b of zigzag: the horizontal
	// half-period and the amplitude of the zigzag, before rotation.
	zigzagLeg = 2.0
	zigzagAmp = 2.0
	// zigzagStart and zigzagEnd are c0 and c1 of zigzag, the columns
	// between which the zigzag's axis runs.
	zigzagStart = 2
	zigzagEnd   = 25
)

// addLine adds to img the line through (row r0, column c0) and (r1, c1),
// c0 < c1, as line_from_points: each pixel (r, c) with ⌊c0⌋ ≤ c < ⌈c1⌉
// gets log(1 − d/lineReach) + 1 clipped to [0, 1], where d is the vertical
// distance |r − f(c)| to the line. The line extends past the end points
// inside those columns. Nothing is drawn when c0 == c1. Columns outside the
// image are ignored (the reference's slices would wrap a negative ⌊c0⌋
// around, which the benchmark's end points never produce).
func addLine(img []float64, c0, r0, c1, r1 float64) {
	if c1 == c0 {
		return
	}
	slope := (r1 - r0) / (c1 - c0)
	lo, hi := max(int(math.Floor(c0)), 0), min(int(math.Ceil(c1)), Side)
	for c := lo; c < hi; c++ {
		f := slope*(float64(c)-c0) + r0
		for r := range Side {
			d := min(math.Abs(float64(r)-f), lineReach-1e-10)
			img[r*Side+c] += clip01(math.Log(1-d/lineReach) + 1)
		}
	}
}

// dottedLine adds a dashed line across the image (dotted_line): the line
// through (r0, 0) and (r1, 27), r0 and r1 uniform integers in [0, 27),
// drawn in columns [0, 27) (column 27 stays clean, as in the reference),
// then cleared in alternate dashWidth-wide bands starting with columns 0
// and 1.
func dottedLine(w *work, dst, src []float64, rng *rand.Rand) {
	r0, r1 := float64(rng.IntN(Side-1)), float64(rng.IntN(Side-1))
	line := w.c
	clear(line)
	addLine(line, 0, r0, Side-1, r1)
	for i, v := range line {
		if (i%Side)/dashWidth%2 == 0 {
			v = 0
		}
		dst[i] = v + src[i]
	}
}

// zigzag adds a zigzag line (zigzag). Its axis runs from (r0, zigzagStart)
// to (r1, zigzagEnd), r0 uniform in [0, 27) and r1 − r0 uniform in [−5, 5).
// Along the axis, of length d, the corners alternate at ±zigzagAmp every
// 2·zigzagLeg, starting at (0, 0) and zigzagLeg; a last point (d,
// r/(2(d − m))) closes it, r being the last corner's offset and m the
// largest multiple of 2·zigzagLeg not above d (the reference's formula,
// kept as is). Each segment is drawn with addLine and the image clipped to
// [0, 1] after each.
func zigzag(_ *work, dst, src []float64, rng *rand.Rand) {
	r0 := float64(rng.IntN(Side - 1))
	r1 := r0 + float64(rng.IntN(10)-5)
	theta := math.Atan((r1 - r0) / (zigzagEnd - zigzagStart))
	sin, cos := math.Sincos(theta)
	copy(dst, src)
	prevC, prevR := float64(zigzagStart), r0
	for _, p := range zigzagCorners(theta) {
		c := p[0]*cos - p[1]*sin + zigzagStart
		r := p[0]*sin + p[1]*cos + r0
		addLine(dst, prevC, prevR, c, r)
		for i, v := range dst {
			dst[i] = clip01(v)
		}
		prevC, prevR = c, r
	}
}

// zigzagCorners returns the corners of zigzag after the first, (0, 0), as
// (along, across) offsets on the unrotated axis of length d =
// (zigzagEnd − zigzagStart)/cos θ.
func zigzagCorners(theta float64) [][2]float64 {
	const a, b = zigzagLeg, zigzagAmp
	d := (zigzagEnd - zigzagStart) / math.Cos(theta)
	var pts [][2]float64
	across := 0.0
	for i := range int(math.Floor((d-a)/(2*a))) + 1 {
		across = b
		if i%2 == 1 {
			across = -b
		}
		pts = append(pts, [2]float64{float64(2*i+1) * a, across})
	}
	if m := 2 * a * math.Floor(d/(2*a)); d != m {
		pts = append(pts, [2]float64{d, across / (2 * (d - m))})
	}
	return pts
}
