package mnistc

import (
	"math"
	"math/rand/v2"
)

// Parameters of the affine corruptions (corruptions.py, functions shear,
// scale, rotate and translate), at the benchmark's severities.
const (
	// shearAmount is c of shear at severity 2, with a random sign.
	shearAmount = 0.4
	// scaleFactor is c of scale at severity 3: the inverse map multiplies
	// coordinates about the centre by 1/0.7, so the digit shrinks to 70%.
	scaleFactor = 1 / 0.7
	// rotateAngle is c of rotate at severity 2, in radians (≈ 22.9°), with
	// a random sign.
	rotateAngle = 0.4
	// translateShift is c of translate at severity 3: the image moves by
	// ±3 pixels along each axis, the signs drawn independently.
	translateShift = 3
	// centre is the centre of the image, (13.5, 13.5), which shear, scale
	// and rotate keep fixed.
	centre = (Side - 1) / 2.0
)

// affine is the inverse map of scikit-image's warp: the output pixel at
// (row r, column c) takes the input at column a·c + b·r + tx and row
// d·c + e·r + ty (skimage's (x, y) = (column, row) convention).
type affine struct{ a, b, tx, d, e, ty float64 }

// aboutCentre returns the linear map [[a, b], [d, e]] (on (column, row))
// with the translation that keeps centre fixed, as the reference computes
// it: t = centre·(1 − a − b), centre·(1 − d − e).
func aboutCentre(a, b, d, e float64) affine {
	return affine{a, b, centre * (1 - a - b), d, e, centre * (1 - d - e)}
}

// warp writes into dst the image src resampled through the inverse map m
// with bilinear interpolation, reading zeros outside the image: scikit-image
// warp with its defaults order=1, mode="constant", cval=0.
func warp(dst, src []float64, m affine) {
	for r := range Side {
		for c := range Side {
			x := m.a*float64(c) + m.b*float64(r) + m.tx
			y := m.d*float64(c) + m.e*float64(r) + m.ty
			dst[r*Side+c] = bilinear(src, y, x)
		}
	}
}

// bilinear interpolates img at (row y, column x), each of the four
// neighbours outside the image counting as 0.
func bilinear(img []float64, y, x float64) float64 {
	y0, x0 := math.Floor(y), math.Floor(x)
	fy, fx := y-y0, x-x0
	r, c := int(y0), int(x0)
	top := (1-fx)*at(img, r, c) + fx*at(img, r, c+1)
	bottom := (1-fx)*at(img, r+1, c) + fx*at(img, r+1, c+1)
	return (1-fy)*top + fy*bottom
}

// sign returns −1 or 1 with equal odds, as np.random.choice([-1, 1]).
func sign(rng *rand.Rand) float64 {
	if rng.IntN(2) == 0 {
		return -1
	}
	return 1
}

// shear shears about the centre by ±shearAmount (shear).
func shear(_ *work, dst, src []float64, rng *rand.Rand) {
	warp(dst, src, shearMap(shearAmount*sign(rng)))
}

// shearMap returns the inverse map of shear by s about the centre, with
// the matrix of scikit-image's AffineTransform(shear=s) up to at least
// version 0.19 (TestReference): [[1, −sin s], [0, cos s]] on (column, row).
func shearMap(s float64) affine {
	return aboutCentre(1, -math.Sin(s), 0, math.Cos(s))
}

// scale shrinks the digit about the centre to 1/scaleFactor of its size
// (scale); it draws nothing.
func scale(_ *work, dst, src []float64, _ *rand.Rand) {
	warp(dst, src, aboutCentre(scaleFactor, 0, 0, scaleFactor))
}

// rotate rotates about the centre by ±rotateAngle radians (rotate).
func rotate(_ *work, dst, src []float64, rng *rand.Rand) {
	warp(dst, src, rotateMap(rotateAngle*sign(rng)))
}

// rotateMap returns the inverse map of rotate by a radians about the
// centre, [[cos a, −sin a], [sin a, cos a]] on (column, row) as
// scikit-image's AffineTransform(rotation=a); a positive a turns the digit
// counter-clockwise on screen.
func rotateMap(a float64) affine {
	return aboutCentre(math.Cos(a), -math.Sin(a), math.Sin(a), math.Cos(a))
}

// translate shifts the image by (−dx, −dy) pixels, dx and dy each
// ±translateShift (translate): the inverse map adds (dx, dy) to (column,
// row), and what comes in from outside is 0.
func translate(_ *work, dst, src []float64, rng *rand.Rand) {
	dx := translateShift * sign(rng)
	dy := translateShift * sign(rng)
	warp(dst, src, affine{1, 0, dx, 0, 1, dy})
}
