package mnistc

import "math/rand/v2"

// Parameters of fog at severity 5 (corruptions.py, fog and
// plasma_fractal). The image becomes (v + fogAmount·f)·max/(max +
// fogAmount), f being the top-left 28×28 corner of a plasmaSize² plasma
// fractal normalised to [0, 1] over the whole map, and max the image's
// largest value. The fractal's noise starts at amplitude plasmaWibble and
// is divided by fogDecay (plasma_fractal's wibbledecay) at each halving of
// the step.
const (
	fogAmount    = 3.0   // c[0]
	fogDecay     = 1.4   // c[1]
	plasmaSize   = 256   // plasma_fractal's default mapsize
	plasmaWibble = 100.0 // plasma_fractal's initial wibble
)

// fog adds fogAmount times a plasma fractal, normalised to [0, 1] over the
// whole plasmaSize² map, to the image and rescales by max/(max +
// fogAmount), max being the image's largest value (fog). A blank image
// (max 0) stays blank.
func fog(w *work, dst, src []float64, rng *rand.Rand) {
	if w.plasma == nil {
		w.plasma = make([]float64, plasmaSize*plasmaSize)
	}
	plasma(w.plasma, fogDecay, rng)
	lo, hi := extent(w.plasma)
	_, top := extent(src)
	for r := range Side {
		for c := range Side {
			f := 0.0 // a flat map normalises to 0
			if hi > lo {
				f = (w.plasma[r*plasmaSize+c] - lo) / (hi - lo)
			}
			v := src[r*Side+c] + fogAmount*f
			dst[r*Side+c] = v * top / (top + fogAmount)
		}
	}
}

// plasma fills m, plasmaSize×plasmaSize row-major, with a plasma fractal
// made by the diamond-square algorithm on a torus, as plasma_fractal (a
// modification of FLHerne/mapgen's diamondsquare.py) does before it
// normalises the map to [0, 1]; fog normalises the part it uses.
//
// The corner m[0, 0] starts at 0. At each step size s = plasmaSize,
// plasmaSize/2, …, 2 with h = s/2, the square step sets each centre
// (r+h, c+h) of an s-square to the mean of its four corners plus noise,
// then the diamond step sets each edge midpoint, (r, c+h) and (r+h, c), to
// the mean of its four diamond neighbours plus noise; indices wrap around.
// The noise is wibble·U(−wibble, wibble), wibble starting at plasmaWibble
// and divided by decay after each step. The draws are made in row-major
// order of the points, squares first, then the (r, c+h) midpoints, then the
// (r+h, c) ones.
func plasma(m []float64, decay float64, rng *rand.Rand) {
	const n, wrap = plasmaSize, plasmaSize - 1 // i & wrap is i mod n
	m[0] = 0
	wibble := plasmaWibble
	for s := n; s >= 2; s /= 2 {
		h := s / 2
		amp := wibble * wibble
		for r := 0; r < n; r += s {
			for c := 0; c < n; c += s {
				r2, c2 := (r+s)&wrap, (c+s)&wrap
				sum := m[r*n+c] + m[r2*n+c] + m[r*n+c2] + m[r2*n+c2]
				m[(r+h)*n+c+h] = sum/4 + amp*(2*rng.Float64()-1)
			}
		}
		for r := 0; r < n; r += s {
			for c := 0; c < n; c += s {
				sum := m[(r+h)*n+c+h] + m[((r-h)&wrap)*n+c+h] + m[r*n+c] + m[r*n+(c+s)&wrap]
				m[r*n+c+h] = sum/4 + amp*(2*rng.Float64()-1)
			}
		}
		for r := 0; r < n; r += s {
			for c := 0; c < n; c += s {
				sum := m[(r+h)*n+c+h] + m[(r+h)*n+(c-h)&wrap] + m[r*n+c] + m[((r+s)&wrap)*n+c]
				m[(r+h)*n+c] = sum/4 + amp*(2*rng.Float64()-1)
			}
		}
		wibble /= decay
	}
}

// extent returns the smallest and largest values of m.
func extent(m []float64) (lo, hi float64) {
	lo, hi = m[0], m[0]
	for _, v := range m {
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	return lo, hi
}
