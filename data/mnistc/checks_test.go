package mnistc

import (
	"fmt"
	"math"
)

// massWithin checks that the mass of got is within rel·ratio of ratio times
// that of clean.
func massWithin(ratio, rel float64) check {
	return func(clean, got []float32) string {
		r := summarise(got).mass / summarise(clean).mass
		if math.Abs(r-ratio) > rel*ratio {
			return fmt.Sprintf("mass ratio %.3g, want %.3g ± %.2g", r, ratio, rel*ratio)
		}
		return ""
	}
}

// checkShot: every value is a multiple of 1/3 (Poisson(3v)/3), black stays
// black (Poisson(0) = 0), and the mass is kept up to the clipping at 1 and
// the noise (E[Poisson(3v)/3] = v).
func checkShot(clean, got []float32) string {
	for p, v := range got {
		if k := float64(v) * shotRate; math.Abs(k-math.Round(k)) > 1e-5 {
			return fmt.Sprintf("pixel %d: %v is not a multiple of 1/3", p, v)
		}
		if clean[p] == 0 && v != 0 {
			return fmt.Sprintf("pixel %d: black became %v", p, v)
		}
	}
	return massWithin(0.9, 0.2)(clean, got)
}

// checkMotion: the values are multiples of 1/255 and the mass is kept (the
// kernel sums to 1; edge pixels are black).
func checkMotion(clean, got []float32) string {
	for p, v := range got {
		if k := float64(v) * 255; math.Abs(k-math.Round(k)) > 1e-3 {
			return fmt.Sprintf("pixel %d: %v is not a multiple of 1/255", p, v)
		}
	}
	return massWithin(1, 0.05)(clean, got)
}

// checkRotate: a rotation by ±0.4 rad about the centre keeps the mass and
// moves the centre of mass by at most 0.4 times its distance from the
// centre (the chord 2·sin(0.2) ≈ 0.4), plus a pixel for interpolation.
func checkRotate(clean, got []float32) string {
	if msg := massWithin(1, 0.1)(clean, got); msg != "" {
		return msg
	}
	a, b := summarise(clean), summarise(got)
	moved := math.Hypot(a.row-b.row, a.col-b.col)
	if limit := 2*math.Sin(rotateAngle/2)*math.Hypot(a.row-centre, a.col-centre) + 1; moved > limit {
		return fmt.Sprintf("centre of mass moved by %.3g, want ≤ %.3g", moved, limit)
	}
	return ""
}

// checkBrightness: each pixel is min(v + 0.5, 1).
func checkBrightness(clean, got []float32) string {
	for p, v := range clean {
		if want := min(v+0.5, 1); math.Abs(float64(got[p]-want)) > 1e-6 {
			return fmt.Sprintf("pixel %d: %v → %v, want %v", p, v, got[p], want)
		}
	}
	return ""
}

// checkTranslate: the image is the clean one shifted by 3 pixels along
// each axis, one way or the other, with black coming in.
func checkTranslate(clean, got []float32) string {
	for _, dr := range [...]int{-3, 3} {
		for _, dc := range [...]int{-3, 3} {
			if equalShift(clean, got, dr, dc) {
				return ""
			}
		}
	}
	return "not a shift by (±3, ±3)"
}

// equalShift reports whether got[r, c] = clean[r − dr, c − dc], with 0
// outside clean.
func equalShift(clean, got []float32, dr, dc int) bool {
	for p, v := range got {
		r, c := p/Side-dr, p%Side-dc
		var want float32
		if r >= 0 && r < Side && c >= 0 && c < Side {
			want = clean[r*Side+c]
		}
		if math.Abs(float64(v-want)) > 1e-6 {
			return false
		}
	}
	return true
}

// checkStripe: columns [7, 21) are unchanged and the others inverted.
func checkStripe(clean, got []float32) string {
	for p, v := range clean {
		want := v
		if c := p % Side; c < 7 || c >= 21 {
			want = 1 - v
		}
		if got[p] != want {
			return fmt.Sprintf("pixel %d: %v → %v, want %v", p, v, got[p], want)
		}
	}
	return ""
}

// checkFog: every pixel is (v + 3f)·max/(max + 3) for a fog f in [0, 1], so
// it lies between v·max/(max+3) and (v+3)·max/(max+3); and the fog is not
// flat (its range over the image exceeds 0.05).
func checkFog(clean, got []float32) string {
	var top float64
	for _, v := range clean {
		top = max(top, float64(v))
	}
	s := top / (top + fogAmount)
	lo, hi := math.Inf(1), math.Inf(-1)
	for p, v := range clean {
		f := (float64(got[p])/s - float64(v)) / fogAmount
		if f < -1e-5 || f > 1+1e-5 {
			return fmt.Sprintf("pixel %d: fog %.3g outside [0, 1]", p, f)
		}
		lo, hi = min(lo, f), max(hi, f)
	}
	if hi-lo < 0.05 {
		return fmt.Sprintf("fog ranges over [%.3g, %.3g] only", lo, hi)
	}
	return ""
}

// checkSpatter: each pixel is v·(1 − m) + (63/255)·m with m in [0, 1], so
// a changed pixel lies between its clean value and the mud's.
func checkSpatter(clean, got []float32) string {
	for p, v := range clean {
		g := float64(got[p])
		if g == float64(v) {
			continue
		}
		lo, hi := min(float64(v), spatterColour), max(float64(v), spatterColour)
		if g < lo-1e-6 || g > hi+1e-6 {
			return fmt.Sprintf("pixel %d: %v → %v, not between the pixel and the mud", p, v, g)
		}
	}
	return ""
}

// checkDotted: the gap columns (0, 1, 4, 5, …) and column 27 are unchanged,
// and nothing is darkened.
func checkDotted(clean, got []float32) string {
	for p, v := range clean {
		c := p % Side
		if ((c/2)%2 == 0 || c == Side-1) && got[p] != v {
			return fmt.Sprintf("pixel %d in a gap: %v → %v", p, v, got[p])
		}
	}
	return checkAddsOnly(clean, got)
}

// checkAddsOnly: no pixel is darkened.
func checkAddsOnly(clean, got []float32) string {
	for p, v := range clean {
		if got[p] < v {
			return fmt.Sprintf("pixel %d darkened: %v → %v", p, v, got[p])
		}
	}
	return ""
}

// checkCanny: the output is binary, with between 20 and 300 edge pixels,
// none on the image border, and every edge pixel is within 2 pixels of a
// pixel where the clean digit is between 0.1 and 0.9 or next to such a
// change (the digit's outline).
func checkCanny(clean, got []float32) string {
	n := 0
	for p, v := range got {
		if v != 0 && v != 1 {
			return fmt.Sprintf("pixel %d: %v is not 0 or 1", p, v)
		}
		if v == 0 {
			continue
		}
		n++
		r, c := p/Side, p%Side
		if r == 0 || c == 0 || r == Side-1 || c == Side-1 {
			return fmt.Sprintf("edge on the border at (%d, %d)", r, c)
		}
		if !nearOutline(clean, r, c, 2) {
			return fmt.Sprintf("edge at (%d, %d) far from the digit's outline", r, c)
		}
	}
	if n < 20 || n > 300 {
		return fmt.Sprintf("%d edge pixels", n)
	}
	return ""
}

// nearOutline reports whether a pixel within d of (r, c) differs by more
// than 0.3 from one of its 4-neighbours.
func nearOutline(img []float32, r, c, d int) bool {
	for y := max(r-d, 1); y <= min(r+d, Side-2); y++ {
		for x := max(c-d, 1); x <= min(c+d, Side-2); x++ {
			v := img[y*Side+x]
			for _, q := range [...]int{(y-1)*Side + x, (y+1)*Side + x, y*Side + x - 1, y*Side + x + 1} {
				if math.Abs(float64(v-img[q])) > 0.3 {
					return true
				}
			}
		}
	}
	return false
}
