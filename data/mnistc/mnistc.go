package mnistc

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"

	"subsetscan/data"
	"subsetscan/internal/par"
)

// Side is the height and width of an MNIST image, and Pixels the number of
// its pixels. Every corruption works on Side×Side images stored row-major.
const (
	Side   = 28
	Pixels = Side * Side
)

// A Corruption writes into dst the corruption of the Side×Side image src,
// whose values should lie in [0, 1] (a Corruption does not check them;
// Apply does); the values written are clipped to [0, 1], NaN becoming 0.
// dst and src must both have Pixels elements (a Corruption panics
// otherwise) and may be the same slice. rng supplies every random draw; it may be nil only for
// the corruptions that draw nothing (scale, brightness, stripe and
// canny_edges). src is not modified unless it is dst.
type Corruption func(dst, src []float32, rng *rand.Rand)

// work holds the float64 scratch buffers of one goroutine, so that a batch
// allocates them once per worker rather than once per image.
type work struct {
	a, b, c, d []float64 // Pixels each
	plasma     []float64 // plasmaSize², allocated on first use by fog
	stack      []int     // canny's hysteresis stack
	pcg        *rand.PCG // Apply's generator, reseeded for each image
	rng        *rand.Rand
}

func newWork() *work {
	buf := make([]float64, 4*Pixels)
	pcg := rand.NewPCG(0, 0)
	return &work{a: buf[:Pixels], b: buf[Pixels : 2*Pixels], c: buf[2*Pixels : 3*Pixels], d: buf[3*Pixels:],
		pcg: pcg, rng: rand.New(pcg)}
}

// kernel is the float64 body of a corruption: it reads src (w.a) and
// writes dst (w.b), both Pixels long, dst fully overwritten; it may use w.c
// and w.d as scratch, and src too once it has read it. run clips the values
// it writes to [0, 1].
type kernel func(w *work, dst, src []float64, rng *rand.Rand)

// entry is one registered corruption.
type entry struct {
	name string
	k    kernel
}

// registry lists the 15 corruptions of the benchmark in the order of the
// CORRUPTIONS list of corruptions.py in google-research/mnist-c (identity
// left out).
var registry = []entry{
	{"shot_noise", shotNoise},
	{"impulse_noise", impulseNoise},
	{"glass_blur", glassBlur},
	{"motion_blur", motionBlur},
	{"shear", shear},
	{"scale", scale},
	{"rotate", rotate},
	{"brightness", brightness},
	{"translate", translate},
	{"stripe", stripe},
	{"fog", fog},
	{"spatter", spatter},
	{"dotted_line", dottedLine},
	{"zigzag", zigzag},
	{"canny_edges", cannyEdges},
}

// Names returns the names of the 15 corruptions in the benchmark's order:
// shot_noise, impulse_noise, glass_blur, motion_blur, shear, scale, rotate,
// brightness, translate, stripe, fog, spatter, dotted_line, zigzag,
// canny_edges. The slice is new on every call.
func Names() []string {
	out := make([]string, len(registry))
	for i, e := range registry {
		out[i] = e.name
	}
	return out
}

func lookup(name string) (kernel, error) {
	for _, e := range registry {
		if e.name == name {
			return e.k, nil
		}
	}
	return nil, fmt.Errorf("mnistc: unknown corruption %q (known: %s)", name, strings.Join(Names(), ", "))
}

// ByName returns the corruption called name (one of Names). An unknown name
// is an error that lists the known ones. Each call of the Corruption
// allocates its scratch buffers (fog's is 512 KiB); Apply reuses them
// across a batch.
func ByName(name string) (Corruption, error) {
	k, err := lookup(name)
	if err != nil {
		return nil, err
	}
	return func(dst, src []float32, rng *rand.Rand) { run(k, newWork(), dst, src, rng) }, nil
}

const badLength = "mnistc: image length is not 28×28"

// run converts src to float64, applies k and writes the result, clipped to
// [0, 1], into dst.
func run(k kernel, w *work, dst, src []float32, rng *rand.Rand) {
	if len(dst) != Pixels || len(src) != Pixels {
		panic(badLength)
	}
	for i, v := range src {
		w.a[i] = float64(v)
	}
	k(w, w.b, w.a, rng)
	for i, v := range w.b {
		dst[i] = float32(clip01(v))
	}
}

// clip01 clips v to [0, 1]; NaN becomes 0.
func clip01(v float64) float64 {
	if !(v > 0) {
		return 0
	}
	return min(v, 1)
}

// Rand returns the generator Apply uses for image i under corruption name
// and seed: a PCG seeded with seed and with a stream number mixed from the
// name and i, so that the draws of an image do not depend on the order in
// which images are processed, on the number of workers or on the other
// corruptions. Any name is accepted (it need not be registered).
func Rand(seed uint64, name string, i int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream(name, i)))
}

// stream returns the second PCG seed of image i under corruption name.
func stream(name string, i int) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return mix64(h.Sum64() ^ mix64(uint64(i)))
}

// mix64 is the finaliser of SplitMix64 (Steele, Lea and Flood 2014), which
// spreads neighbouring integers over all 64 bits.
func mix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Apply returns a new array holding the corruption called name of every
// image of x, whose shape must be [n, 28, 28, 1], [n, 28, 28] or [n, 784];
// the result has the same shape. Image i is corrupted with the generator
// Rand(seed, name, i), so the result depends only on name, x and seed, not
// on workers: the number of goroutines (0 or less means GOMAXPROCS). x is
// not modified. An unknown name, another shape, or a value of x that is NaN
// or outside [0, 1] is an error; an empty x gives an empty result.
func Apply(name string, x *data.Array, seed uint64, workers int) (*data.Array, error) {
	k, err := lookup(name)
	if err != nil {
		return nil, err
	}
	if err := checkImages(x); err != nil {
		return nil, err
	}
	out := data.NewArray(x.Shape...)
	par.For(x.Len(), workers, newWork, func(w *work, i int) {
		w.pcg.Seed(seed, stream(name, i)) // the state of Rand(seed, name, i)
		run(k, w, out.Row(i), x.Row(i), w.rng)
	})
	return out, nil
}

// checkImages returns an error unless x is a batch of 28×28 images with
// values in [0, 1].
func checkImages(x *data.Array) error {
	s := x.Shape
	ok := len(s) >= 2 && x.RowSize() == Pixels &&
		(slices.Equal(s[1:], []int{Side, Side, 1}) || slices.Equal(s[1:], []int{Side, Side}) || slices.Equal(s[1:], []int{Pixels}))
	if !ok {
		return fmt.Errorf("mnistc: array shape %v is not [n, 28, 28, 1], [n, 28, 28] or [n, 784]", s)
	}
	for j, v := range x.Data {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("mnistc: image %d, pixel %d: value %v is not in [0, 1]", j/Pixels, j%Pixels, v)
		}
	}
	return nil
}

// at returns img[r, c], or 0 outside the image.
func at(img []float64, r, c int) float64 {
	if r < 0 || r >= Side || c < 0 || c >= Side {
		return 0
	}
	return img[r*Side+c]
}

// clampIndex clamps i to [0, Side).
func clampIndex(i int) int { return min(max(i, 0), Side-1) }
