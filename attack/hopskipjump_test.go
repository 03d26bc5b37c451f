package attack_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"subsetscan/attack"
	"subsetscan/data"
)

// hsjSmall is a budget small enough for tests: a few iterations with few
// gradient samples.
var hsjSmall = attack.HopSkipJump{MaxIter: 5, MaxEval: 100, InitEval: 20, InitSize: 100, Seed: 7}

func float32Bytes(a *data.Array) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, a.Data)
	return b.Bytes()
}

// TestHopSkipJumpClassifier attacks 8 images against the project's
// classifier: most succeed, every changed image is misclassified, the
// trace and progress agree with the result, the pixels stay in the clip
// range and the iterations shrink the perturbations.
func TestHopSkipJumpClassifier(t *testing.T) {
	m, x, _ := ownSetup(t)
	const n = 8
	x = x.Slice(0, n)
	pred, err := attack.Predictions(m, x, 0)
	if err != nil {
		t.Fatal(err)
	}
	clip := [2]float32{0, 1}
	a := hsjSmall
	a.Clip = &clip
	var mu sync.Mutex
	first := map[int]float64{} // image → L2 after the initialisation
	last := map[int]float64{}  // image → L2 after the last iteration
	a.Trace = func(s attack.HSJStep) {
		mu.Lock()
		defer mu.Unlock()
		if s.Iter == 0 {
			first[s.Image] = s.L2
		}
		if s.Iter == a.MaxIter {
			last[s.Image] = s.L2
		}
	}
	progressed := 0
	a.Progress = func(done, active int) {
		if done+active != n {
			t.Errorf("progress %d done + %d active ≠ %d", done, active, n)
		}
		progressed = max(progressed, done)
	}
	adv, err := a.Generate(t.Context(), m, x, nil)
	if err != nil {
		t.Fatal(err)
	}
	if progressed != n {
		t.Errorf("progress reached %d of %d images", progressed, n)
	}
	got, err := attack.Predictions(m, adv, 0)
	if err != nil {
		t.Fatal(err)
	}
	success := 0
	var shrink []float64
	for i := range n {
		changed := !slices.Equal(adv.Row(i), x.Row(i))
		if changed {
			success++
			if got[i] == pred[i] {
				t.Errorf("image %d changed but is still classified %d", i, pred[i])
			}
			if _, ok := last[i]; !ok {
				t.Errorf("image %d changed without a trace of its last iteration", i)
			}
			shrink = append(shrink, last[i]/first[i])
		}
		if l2 := dist(adv.Row(i), x.Row(i)); changed && math.Abs(l2-last[i]) > 1e-9 {
			t.Errorf("image %d: L2 %v, trace says %v", i, l2, last[i])
		}
	}
	for i, v := range adv.Data {
		if v != v || v < 0 || v > 1 {
			t.Fatalf("pixel %d of image %d is %v, outside [0, 1]", i%x.RowSize(), i/x.RowSize(), v)
		}
	}
	slices.Sort(shrink)
	t.Logf("HopSkipJump %+v: %d of %d successful; L2 after/before the iterations: %.3f", hsjSmall, success, n, shrink)
	if success < n*3/4 {
		t.Errorf("only %d of %d attacks succeeded", success, n)
	}
	// The iterations must bring the images closer to their sources than
	// the bisection from random noise does.
	if len(shrink) > 0 && shrink[len(shrink)/2] > 0.8 {
		t.Errorf("median ratio of the L2 distance after %d iterations to that after the initialisation is %.3f, want ≤ 0.8", a.MaxIter, shrink[len(shrink)/2])
	}
}

func dist(a, b []float32) float64 {
	s := 0.0
	for i, v := range a {
		e := float64(v) - float64(b[i])
		s += e * e
	}
	return math.Sqrt(s)
}

// TestHopSkipJumpShrinks checks that more iterations give smaller
// perturbations on average: with the same seed, a run of 2 iterations is
// the prefix of a run of 10.
func TestHopSkipJumpShrinks(t *testing.T) {
	m, x, _ := ownSetup(t)
	x = x.Slice(8, 12)
	mean := map[int]float64{}
	for _, iters := range []int{1, 4, 12} {
		a := attack.HopSkipJump{MaxIter: iters, MaxEval: 60, InitEval: 30, Seed: 3}
		adv, err := a.Generate(t.Context(), m, x, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range x.Len() {
			mean[iters] += dist(adv.Row(i), x.Row(i)) / float64(x.Len())
		}
	}
	t.Logf("mean L2 by max_iter: %v", mean)
	if !(mean[1] > mean[4] && mean[4] > mean[12]) {
		t.Errorf("mean L2 does not shrink with more iterations: %v", mean)
	}
}

func TestHopSkipJumpDeterministic(t *testing.T) {
	m, x, _ := ownSetup(t)
	x = x.Slice(20, 24)
	run := func(workers int, seed uint64, x *data.Array) []byte {
		a := hsjSmall
		a.MaxIter, a.Workers, a.Seed = 3, workers, seed
		adv, err := a.Generate(t.Context(), m, x, nil)
		if err != nil {
			t.Fatal(err)
		}
		return float32Bytes(adv)
	}
	one, two := run(1, 7, x), run(2, 7, x)
	if !bytes.Equal(one, two) {
		t.Error("Workers 1 and 2 give different images")
	}
	if !bytes.Equal(one, run(1, 7, x)) {
		t.Error("the same seed gives different images")
	}
	if bytes.Equal(one, run(2, 8, x)) {
		t.Error("seeds 7 and 8 give the same images")
	}
	// Each image has its own stream: attacking images 20–21 alone gives
	// their part of the batch, given the same clip range.
	part := run(2, 7, x.Slice(0, 2))
	if !bytes.Equal(part, one[:len(part)]) {
		t.Error("an image's result depends on the other images of the batch")
	}
}

// noisePredictor classifies everything as class 0 except images whose
// first pixel is above 0.5, and can fail on demand.
type noisePredictor struct {
	fail   error
	nan    bool
	rows   int // extra rows returned
	calls  int
	failAt int
}

func (p *noisePredictor) Predict(x *data.Array, workers int) (*data.Array, error) {
	p.calls++
	if p.fail != nil && p.calls >= p.failAt {
		return nil, p.fail
	}
	out := data.NewArray(x.Len()+p.rows, 2)
	for i := range x.Len() {
		if x.Row(i)[0] > 0.5 {
			out.Row(i)[1] = 1
		} else {
			out.Row(i)[0] = 1
		}
		if p.nan {
			out.Row(i)[0] = float32(math.NaN())
		}
	}
	return out, nil
}

func TestHopSkipJumpErrors(t *testing.T) {
	x := data.NewArray(2, 4, 4, 1)
	x.Data[5] = 1 // clip range [0, 1] from the data
	boom := errors.New("boom")
	nan := data.NewArray(1, 4, 4, 1)
	nan.Data[3] = float32(math.NaN())
	flat := data.NewArray(1, 4, 4, 1)
	bad := [2]float32{1, 1}
	for _, tc := range []struct {
		name   string
		a      attack.HopSkipJump
		p      *noisePredictor
		x      *data.Array
		labels []int
		want   string
	}{
		{"negative first index", attack.HopSkipJump{FirstIndex: -1}, &noisePredictor{}, x, nil, "FirstIndex"},
		{"negative max_iter", attack.HopSkipJump{MaxIter: -1}, &noisePredictor{}, x, nil, "max_iter"},
		{"negative max_eval", attack.HopSkipJump{MaxEval: -3}, &noisePredictor{}, x, nil, "max_eval"},
		{"negative init_eval", attack.HopSkipJump{InitEval: -3}, &noisePredictor{}, x, nil, "init_eval"},
		{"negative init_size", attack.HopSkipJump{InitSize: -1}, &noisePredictor{}, x, nil, "init_size"},
		{"init_eval above max_eval", attack.HopSkipJump{InitEval: 200, MaxEval: 100}, &noisePredictor{}, x, nil, "exceeds max_eval"},
		{"no images", attack.HopSkipJump{}, &noisePredictor{}, data.NewArray(0, 4, 4, 1), nil, "no images"},
		{"NaN pixel", attack.HopSkipJump{}, &noisePredictor{}, nan, nil, "NaN"},
		{"constant images", attack.HopSkipJump{}, &noisePredictor{}, flat, nil, "clip range"},
		{"empty clip range", attack.HopSkipJump{Clip: &bad}, &noisePredictor{}, x, nil, "clip range"},
		{"wrong label count", attack.HopSkipJump{}, &noisePredictor{}, x, []int{0}, "1 labels for 2 images"},
		{"label out of range", attack.HopSkipJump{}, &noisePredictor{}, x, []int{0, 2}, "label 2 of image 1"},
		{"predictor fails", attack.HopSkipJump{}, &noisePredictor{fail: boom}, x, nil, "boom"},
		{"predictor fails later", attack.HopSkipJump{}, &noisePredictor{fail: boom, failAt: 3}, x, nil, "boom"},
		{"NaN scores", attack.HopSkipJump{}, &noisePredictor{nan: true}, x, nil, "non-finite score"},
		{"extra rows", attack.HopSkipJump{}, &noisePredictor{rows: 1}, x, nil, "shape [3 2] for 2 images"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.a.Generate(t.Context(), tc.p, tc.x, tc.labels)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got error %v, want one containing %q", err, tc.want)
			}
			if tc.p.fail != nil && !errors.Is(err, boom) {
				t.Errorf("error %v does not wrap the classifier's", err)
			}
		})
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := (attack.HopSkipJump{}).Generate(ctx, &noisePredictor{}, x, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: got %v", err)
	}
}

// TestHopSkipJumpToy attacks a classifier with a known boundary (first
// pixel > 0.5): the results must sit just across it, the other pixels close
// to the source's; an image already on the other side of its given label,
// or whose class no random image leaves, comes back unchanged.
func TestHopSkipJumpToy(t *testing.T) {
	x := data.NewArray(3, 4, 4, 1)
	for p := range x.RowSize() {
		x.Row(0)[p] = 0.3
		x.Row(1)[p] = 0.3
		x.Row(2)[p] = 0.9
	}
	clip := [2]float32{0, 1}
	a := attack.HopSkipJump{MaxIter: 20, MaxEval: 200, InitEval: 50, Clip: &clip, Seed: 1}
	// Image 1's label is 1 though it is classified 0: already adversarial.
	// Image 2 is classified 1 and must leave it.
	adv, err := a.Generate(t.Context(), &noisePredictor{}, x, []int{0, 1, 1})
	if err != nil {
		t.Fatal(err)
	}
	// Image 0 must cross to just above 0.5, image 2 to just below, the
	// other pixels staying close: the nearest point of the boundary is
	// 0.2 and 0.4 away.
	for _, c := range []struct {
		i        int
		min, max float32
		boundary float64
	}{{0, 0.5, 0.6, 0.2}, {2, 0.4, 0.5, 0.4}} {
		r := adv.Row(c.i)
		if !(r[0] > c.min && r[0] <= c.max) {
			t.Errorf("image %d: first pixel %v, want in (%v, %v]", c.i, r[0], c.min, c.max)
		}
		if d := dist(r, x.Row(c.i)); d < c.boundary || d > 1.25*c.boundary {
			t.Errorf("image %d: L2 distance %v from the source, the boundary is %v away", c.i, d, c.boundary)
		}
	}
	if !slices.Equal(adv.Row(1), x.Row(1)) {
		t.Errorf("image 1, already adversarial, changed: %v", adv.Row(1))
	}
	// No uniform image leaves class 0 when the boundary is out of reach.
	a.InitSize = 5
	b := [2]float32{0, 0.5}
	a.Clip = &b
	adv, err = a.Generate(t.Context(), &noisePredictor{}, x.Slice(0, 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(adv.Row(0), x.Row(0)) {
		t.Error("an image without an adversarial starting point changed")
	}
}

// BenchmarkHopSkipJump attacks 8 images against the project's classifier
// with 5 iterations of at most 100 gradient samples.
func BenchmarkHopSkipJump(b *testing.B) {
	m, x, _ := ownSetup(b)
	x = x.Slice(0, 8)
	a := hsjSmall
	for b.Loop() {
		if _, err := a.Generate(context.Background(), m, x, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*x.Len())/b.Elapsed().Seconds(), "images/s")
}
