package nn

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"subsetscan/data"
)

// refLSTM is the LSTM recurrence written out in float64 from the formulas
// of the LSTM kind's documentation (Keras' gate order i, f, c, o), over x
// [T, n] with kernel [n, 4u], recurrent kernel [u, 4u] and bias [4u],
// frames in reverse if reverse; it returns h_t for every frame t, [T, u].
func refLSTM(x []float32, T, n, u int, kernel, rk, bias []float32, reverse bool) []float64 {
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	h, c := make([]float64, u), make([]float64, u)
	out := make([]float64, T*u)
	for s := range T {
		t := s
		if reverse {
			t = T - 1 - s
		}
		z := make([]float64, 4*u)
		for k := range z {
			z[k] = float64(bias[k])
			for i := range n {
				z[k] += float64(x[t*n+i]) * float64(kernel[i*4*u+k])
			}
			for j := range u {
				z[k] += h[j] * float64(rk[j*4*u+k])
			}
		}
		for j := range u {
			i, f, g, o := sig(z[j]), sig(z[u+j]), math.Tanh(z[2*u+j]), sig(z[3*u+j])
			c[j] = f*c[j] + i*g
			h[j] = o * math.Tanh(c[j])
			out[t*u+j] = h[j]
		}
	}
	return out
}

// refCell is a float64 reference of a recurrence: h_t for every frame t,
// [T, u], of x [T, n] given the params, frames in reverse if reverse.
type refCell func(x []float32, T, n, u int, kernel, rk, bias []float32, reverse bool) []float64

// TestLSTMForward compares the LSTM and BiLSTM layers with refLSTM.
func TestLSTMForward(t *testing.T) {
	checkRecurrentForward(t, LSTM, BiLSTM, "lstm", refLSTM)
}

// checkRecurrentForward compares the layer kinds uni and bi (its
// bidirectional kind) on random params with ref, returning sequences or
// the last frame, and checks bi's Keras parameter names.
func checkRecurrentForward(t *testing.T, uni, bi, name string, ref refCell) {
	// float32 activations against a float64 reference over 6 frames.
	const tol = 1e-5
	const T, n, u = 6, 3, 4
	rng := rand.New(rand.NewPCG(4, 4))
	x := uniform(rng, -1, 1, 1, T, n)
	for _, seq := range []bool{true, false} {
		one, err := New(Arch{Name: uni, Input: []int{T, n}, Layers: []LayerSpec{{Name: "l", Kind: uni, Units: u, ReturnSequences: seq}}})
		if err != nil {
			t.Fatal(err)
		}
		two, err := New(Arch{Name: bi, Input: []int{T, n}, Layers: []LayerSpec{{Name: "b", Kind: bi, Units: u, ReturnSequences: seq}}})
		if err != nil {
			t.Fatal(err)
		}
		randomize(one, rng, 1)
		randomize(two, rng, 1)
		p, q := one.Params(), two.Params()
		var names []string
		for _, dir := range []string{"forward_", "backward_"} {
			for _, w := range []string{"kernel", "recurrent_kernel", "bias"} {
				names = append(names, "b/"+dir+name+"/"+w)
			}
		}
		if got := paramNames(q); !slices.Equal(got, names) {
			t.Errorf("%s params %v, want %v", bi, got, names)
		}
		want := ref(x.Data, T, n, u, p[0].Data, p[1].Data, p[2].Data, false)
		fw := ref(x.Data, T, n, u, q[0].Data, q[1].Data, q[2].Data, false)
		bw := ref(x.Data, T, n, u, q[3].Data, q[4].Data, q[5].Data, true)
		var wantBi []float64
		for tt := range T {
			wantBi = append(append(wantBi, fw[tt*u:(tt+1)*u]...), bw[tt*u:(tt+1)*u]...)
		}
		if !seq {
			want = want[(T-1)*u:]
			wantBi = append(slices.Clone(fw[(T-1)*u:]), bw[:u]...)
		}
		compareOutputs(t, one, x, want, tol)
		compareOutputs(t, two, x, wantBi, tol)
	}
}

// paramNames returns the names of params.
func paramNames(ps []Param) []string {
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	return names
}

// compareOutputs compares m's output for x with want.
func compareOutputs(t *testing.T, m *Model, x *data.Array, want []float64, tol float64) {
	t.Helper()
	got, err := m.Predict(x, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Data) != len(want) {
		t.Fatalf("%s: %d outputs, want %d", m.Arch.Name, len(got.Data), len(want))
	}
	for i, v := range got.Data {
		if !scalar.EqualWithinAbs(float64(v), want[i], tol) {
			t.Errorf("%s (%v): output %d = %v, reference %v", m.Arch.Name, m.last().out, i, v, want[i])
			return
		}
	}
}

// TestLSTMInit checks Keras' LSTM initialisation: an orthogonal recurrent
// kernel (u×4u with orthonormal rows), the forget gate's bias 1, the
// others 0, a Glorot-uniform kernel, and the same values for the same seed.
func TestLSTMInit(t *testing.T) {
	const u = 5
	arch := Arch{Name: "l", Input: []int{7, 3}, Layers: []LayerSpec{{Name: "l", Kind: LSTM, Units: u}}}
	m, _ := New(arch)
	m.InitGlorot(3)
	p := m.Params()
	rk := p[1].Data
	for a := range u {
		for b := range u {
			d := float64(dot(rk[a*4*u:(a+1)*4*u], rk[b*4*u:(b+1)*4*u]))
			want := 0.0
			if a == b {
				want = 1
			}
			if !scalar.EqualWithinAbs(d, want, 1e-6) {
				t.Errorf("recurrent kernel rows %d·%d = %v, want %v", a, b, d, want)
			}
		}
	}
	for j, v := range p[2].Data {
		if want := float32(0); (j >= u && j < 2*u && v != 1) || ((j < u || j >= 2*u) && v != want) {
			t.Errorf("bias[%d] = %v", j, v)
		}
	}
	limit := float32(math.Sqrt(6.0 / (3 + 4*u)))
	if slices.Max(p[0].Data) >= limit || slices.Min(p[0].Data) < -limit {
		t.Errorf("kernel outside ±%v", limit)
	}
	again, _ := New(arch)
	again.InitGlorot(3)
	for k, q := range again.Params() {
		if !bitsEqual(q.Data, p[k].Data) {
			t.Errorf("%s differs between two initialisations with one seed", q.Name)
		}
	}
}

// TestRecurrentGradientsWorkers checks that the parameter and input
// gradients of a model with every speech layer do not depend on the
// number of workers, over 19 samples (three chunks).
func TestRecurrentGradientsWorkers(t *testing.T) {
	arch := Arch{Name: "speech", Input: []int{6, 4}, Layers: []LayerSpec{
		{Name: "d1", Kind: Dense, Units: 5, Activation: "relu20"},
		{Name: "b", Kind: BiLSTM, Units: 3, ReturnSequences: true},
		{Name: "l", Kind: LSTM, Units: 3, ReturnSequences: true},
		{Name: "g", Kind: BiGRU, Units: 3, ReturnSequences: true},
		{Name: "d2", Kind: Dense, Units: 4},
	}}
	checkWorkers(t, arch, 19)
}

// checkWorkers checks that Gradients gives the same gradients bit for bit
// with 1 and 3 workers, on n random samples.
func checkWorkers(t *testing.T, arch Arch, n int) {
	t.Helper()
	m, err := New(arch)
	if err != nil {
		t.Fatal(err)
	}
	m.InitGlorot(1)
	rng := rand.New(rand.NewPCG(9, 9))
	x := uniform(rng, -1, 1, append([]int{n}, arch.Input...)...)
	up := uniform(rng, -1, 1, n, m.last().size)
	var ref *Grads
	for _, workers := range []int{1, 3} {
		g, err := m.Gradients(x, up, GradientOptions{Input: true, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref = g
			continue
		}
		if !bitsEqual(g.Input.Data, ref.Input.Data) {
			t.Errorf("%d workers: input gradients differ from 1 worker's", workers)
		}
		for k := range g.Params {
			if !bitsEqual(g.Params[k], ref.Params[k]) {
				t.Errorf("%d workers: %s's gradient differs from 1 worker's", workers, m.Params()[k].Name)
			}
		}
	}
}
