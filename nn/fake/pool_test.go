package fake

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"subsetscan/data"
	"subsetscan/nn"
)

// constGen returns a generator of n images of shape, each image filled
// with seed + its index/1000, so that tests can tell seeds apart.
func constGen(name string, shape []int) Generator {
	return Generator{Name: name, Generate: func(_ Role, seed uint64, n, _ int) (*data.Array, error) {
		x := data.NewArray(append([]int{n}, shape...)...)
		for i := range n {
			for k := range x.Row(i) {
				x.Row(i)[k] = float32(seed) + float32(i)/1000
			}
		}
		return x, nil
	}}
}

// TestPool checks the pool's share of each generator (7 = 4 + 3), that
// training and held-out fakes come from different seeds, and the labels
// of a training set.
func TestPool(t *testing.T) {
	gens := []Generator{constGen("A", ImageShape), constGen("B", ImageShape)}
	p, err := Pool(gens, Training, 5, 7, 1)
	if err != nil {
		t.Fatal(err)
	}
	if p.Len() != 7 || p.Row(3)[0] != 10.003 || p.Row(4)[0] != 10 {
		t.Errorf("pool of %d: rows 3, 4 start %v %v; want 4 of A then 3 of B, seed 10", p.Len(), p.Row(3)[0], p.Row(4)[0])
	}
	h, err := Draw(gens[0], HeldOut, 5, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if h.Row(0)[0] != 11 {
		t.Errorf("held-out seed %v, want 2·5+1", h.Row(0)[0])
	}
	if Seed(5, Training) == Seed(5, HeldOut) || Seed(5, HeldOut) == Seed(6, Training) {
		t.Error("seeds of roles or bases collide")
	}
	real := data.NewArray(3, 28, 28, 1)
	x, labels, err := Labelled(real, p)
	if err != nil {
		t.Fatal(err)
	}
	if x.Len() != 10 || !slices.Equal(labels, []int{0, 0, 0, 1, 1, 1, 1, 1, 1, 1}) {
		t.Errorf("labelled %d images, labels %v", x.Len(), labels)
	}
}

// TestPoolErrors checks that a generator's output of the wrong shape or
// count, a failing generator, a repeated name and no generators are
// errors naming the generator.
func TestPoolErrors(t *testing.T) {
	g, err := nn.New(nn.Arch{Name: "tiny_g", Input: []int{4}, Layers: []nn.LayerSpec{
		{Name: "d", Kind: nn.Dense, Units: 16},
		{Name: "r", Kind: nn.Reshape, Shape: []int{4, 4, 1}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	short := constGen("short", ImageShape)
	inner := short.Generate
	short.Generate = func(r Role, seed uint64, n, w int) (*data.Array, error) { return inner(r, seed, n-1, w) }
	failing := Generator{Name: "failing", Generate: func(Role, uint64, int, int) (*data.Array, error) { return nil, errors.New("boom") }}
	for _, c := range []struct {
		gens []Generator
		want string
	}{
		{[]Generator{GAN("TS4", g)}, "TS4"},
		{[]Generator{constGen("flat", []int{784})}, "flat"},
		{[]Generator{short}, "short"},
		{[]Generator{failing}, "failing"},
		{[]Generator{constGen("A", ImageShape), constGen("A", ImageShape)}, "A named twice"},
		{nil, "at least one generator"},
	} {
		_, err := Pool(c.gens, Training, 1, 4, 1)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error naming %q", err, c.want)
		}
	}
}

// TestEditor checks that an editor edits distinct images of the role's
// own sources, each to another domain, the same for the same seed, and its
// errors.
func TestEditor(t *testing.T) {
	src := func(base float32) EditSource {
		x := data.NewArray(6, 28, 28, 1)
		for i := range 6 {
			x.Row(i)[0] = base + float32(i)
		}
		return EditSource{Images: x, Domains: []int{0, 1, 2, 0, 1, 2}}
	}
	var targets []int
	// The edit writes its target domain into pixel 1.
	edit := func(x *data.Array, target []int, _ int) (*data.Array, error) {
		targets = target
		out := data.NewArray(x.Shape...)
		copy(out.Data, x.Data)
		for i, c := range target {
			out.Row(i)[1] = float32(c)
		}
		return out, nil
	}
	g := Editor("AE", 3, edit, map[Role]EditSource{Training: src(0), HeldOut: src(100)})
	x, err := Draw(g, HeldOut, 1, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[float32]bool{}
	for i := range 4 {
		v := x.Row(i)[0]
		j := int(v) - 100
		if j < 0 || j >= 6 || seen[v] {
			t.Fatalf("image %d edits source %v: not a distinct held-out source", i, v)
		}
		seen[v] = true
		if c := int(x.Row(i)[1]); c == j%3 || c != targets[i] {
			t.Errorf("image %d of domain %d edited to %d", i, j%3, c)
		}
	}
	again, _ := Draw(g, HeldOut, 1, 4, 1)
	if !slices.Equal(again.Data, x.Data) {
		t.Error("the same seed gave other edits")
	}
	if _, err := Draw(g, Training, 1, 7, 1); err == nil || !strings.Contains(err.Error(), "AE") {
		t.Errorf("7 fakes of 6 sources: %v", err)
	}
	bad := Editor("AE", 2, edit, map[Role]EditSource{Training: src(0)})
	if _, err := Draw(bad, Training, 1, 6, 1); err == nil { // all 6, so domain 2 is drawn
		t.Error("domain 2 of 2: no error")
	}
	if _, err := Draw(bad, HeldOut, 1, 2, 1); err == nil {
		t.Error("no held-out sources: no error")
	}
}

// TestClipped checks that Clipped clips to [0, 1] and keeps NaN.
func TestClipped(t *testing.T) {
	in := &data.Array{Shape: []int{1, 4}, Data: []float32{-0.5, 0.25, 1.5, float32(math.NaN())}}
	out, err := Clipped(func(x *data.Array, _ []int, _ int) (*data.Array, error) { return x, nil })(in, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	if out.Data[0] != 0 || out.Data[1] != 0.25 || out.Data[2] != 1 || !math.IsNaN(float64(out.Data[3])) {
		t.Errorf("clipped %v", out.Data)
	}
}
