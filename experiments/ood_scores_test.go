package experiments

import (
	"math"
	"testing"

	"subsetscan/data"
	"subsetscan/nn"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-5 }

// TestNegMaxSoftmax checks MSP and its temperature scaling on logits
// [0, ln 3]: softmax [1/4, 3/4]; at T = 2, [1, √3]/(1 + √3).
func TestNegMaxSoftmax(t *testing.T) {
	z := &data.Array{Shape: []int{1, 2}, Data: []float32{0, float32(math.Log(3))}}
	if got := negMaxSoftmax(z, 1)[0]; !near(got, -0.75) {
		t.Errorf("T = 1: got %v, want −0.75", got)
	}
	if got, want := negMaxSoftmax(z, 2)[0], -math.Sqrt(3)/(1+math.Sqrt(3)); !near(got, want) {
		t.Errorf("T = 2: got %v, want %v", got, want)
	}
}

// TestTNRAtTPR: in-distribution scores 1…20 accept 19 of 20 (95 %) at
// t = 19; of the OOD scores 18.5, 19, 19.5, 25 two lie above.
func TestTNRAtTPR(t *testing.T) {
	var in []float64
	for i := 1; i <= 20; i++ {
		in = append(in, float64(i))
	}
	if got := tnrAtTPR(in, []float64{18.5, 19, 19.5, 25}, 0.95); got != 0.5 {
		t.Errorf("got %v, want 0.5", got)
	}
	if got := tnrAtTPR(in, []float64{0, 30}, 1); got != 0.5 {
		t.Errorf("TPR 1: got %v, want 0.5 (threshold 20)", got)
	}
}

// gaussFixture: feature 0 is −1, 1 for class 0 and 9, 11 for class 1
// (means 0 and 10, pooled variance 1); feature 1 is always 0 (dead) and
// ignored by the pseudo-inverse.
func gaussFixture(t *testing.T) *tiedGaussians {
	f := &data.Array{Shape: []int{4, 2}, Data: []float32{-1, 0, 1, 0, 9, 0, 11, 0}}
	g, err := fitTiedGaussians(f, []int{0, 0, 1, 1}, 2)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestTiedGaussians(t *testing.T) {
	g := gaussFixture(t)
	m, c, grad := g.distance([]float32{3, 5})
	if !near(m, 9) || c != 0 || !near(grad[0], 6) || !near(grad[1], 0) {
		t.Errorf("distance of (3, 5): %v, class %d, gradient %v; want 9, 0, [6 0]", m, c, grad)
	}
	if m, c, _ = g.distance([]float32{8, 0}); !near(m, 4) || c != 1 {
		t.Errorf("distance of (8, 0): %v, class %d; want 4, 1", m, c)
	}
	if _, err := fitTiedGaussians(&data.Array{Shape: []int{1, 1}, Data: []float32{1}}, []int{0}, 2); err == nil {
		t.Error("a class without samples was accepted")
	}
}

// denseModel returns a one-layer model of input [n]: Dense with the given
// kernel ([n, units], row-major), zero bias and activation.
func denseModel(t *testing.T, n, units int, act string, kernel []float32) (*nn.Model, nn.Arch) {
	arch := nn.Arch{Name: "tiny", Input: []int{n}, Layers: []nn.LayerSpec{{Name: "d", Kind: nn.Dense, Units: units, Activation: act}}}
	m, err := nn.New(arch)
	if err != nil {
		t.Fatal(err)
	}
	copy(m.Params()[0].Data, kernel)
	return m, arch
}

// TestODINPerturb: with logits = x = (1, 0), ŷ = 0 and ∇ log S_0 =
// (1 − p₀, −p₁)/T, so x̃ = (1 + ε, −ε).
func TestODINPerturb(t *testing.T) {
	m, _ := denseModel(t, 2, 2, "softmax", []float32{1, 0, 0, 1})
	x := &data.Array{Shape: []int{1, 2}, Data: []float32{1, 0}}
	got, err := odinPerturb(m, x, 10, 0.25, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Data[0] != 1.25 || got.Data[1] != -0.25 || x.Data[0] != 1 {
		t.Errorf("x̃ = %v (x = %v), want [1.25 -0.25]", got.Data, x.Data)
	}
}

// TestMahalanobisScores: features f = x (a linear Dense of kernel 1 on
// the fixture's first feature, means 0 and 10); x = 3 has M = 9 and
// ∂M/∂x = 6, so x̂ = 3 − 0.5 and M(x̂) = 6.25; without the step, 9.
func TestMahalanobisScores(t *testing.T) {
	g, err := fitTiedGaussians(&data.Array{Shape: []int{4, 1}, Data: []float32{-1, 1, 9, 11}}, []int{0, 0, 1, 1}, 2)
	if err != nil {
		t.Fatal(err)
	}
	m, arch := denseModel(t, 1, 1, "linear", []float32{1})
	feat, err := featureModel(m, arch, "d")
	if err != nil {
		t.Fatal(err)
	}
	x := &data.Array{Shape: []int{1, 1}, Data: []float32{3}}
	for _, c := range []struct{ eps, want float64 }{{0.5, 6.25}, {0, 9}} {
		got, err := mahalanobisScores(feat, g, x, c.eps, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !near(got[0], c.want) {
			t.Errorf("ε %v: got %v, want %v", c.eps, got[0], c.want)
		}
	}
}

// TestFeatureModel checks that the prefix of the classifier ending with
// dense_1 gives the full model's dense_1 outputs.
func TestFeatureModel(t *testing.T) {
	arch := Classifier6Arch
	m, err := nn.New(arch)
	if err != nil {
		t.Fatal(err)
	}
	m.InitGlorot(3)
	x := data.NewArray(2, 28, 28, 1)
	for i := range x.Data {
		x.Data[i] = float32(i%7) / 7
	}
	feat, err := featureModel(m, arch, "dense_1")
	if err != nil {
		t.Fatal(err)
	}
	want, err := m.Forward(x, []string{"dense_1"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	got, err := feat.Predict(x, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range want["dense_1"].Data {
		if got.Data[i] != v {
			t.Fatalf("value %d: %v, want %v", i, got.Data[i], v)
		}
	}
	if _, err := featureModel(m, arch, "nope"); err == nil {
		t.Error("an unknown layer was accepted")
	}
}

// TestQuantileBins: 1…6 in three bins have inner edges 2 and 4; a value
// equal to an edge falls in the lower bin.
func TestQuantileBins(t *testing.T) {
	edges := data.QuantileEdges([]float64{6, 1, 5, 2, 4, 3}, 3)
	if len(edges) != 2 || edges[0] != 2 || edges[1] != 4 {
		t.Fatalf("edges %v, want [2 4]", edges)
	}
	for v, want := range map[float64]int{1: 0, 2: 0, 2.5: 1, 4: 1, 7: 2} {
		if got := data.InkGroup(edges, v); got != want {
			t.Errorf("bin(%v) = %d, want %d", v, got, want)
		}
	}
	if got := share([]bool{true, false, true, true}, []int{1, 2}); got != 0.5 {
		t.Errorf("share %v, want 0.5", got)
	}
}
