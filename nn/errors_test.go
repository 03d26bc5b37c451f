package nn_test

import (
	"math"
	"path/filepath"
	"strings"
	"subsetscan/internal/cputime"
	"testing"

	"subsetscan/data"
	"subsetscan/nn"
)

func TestLoadWeightsErrors(t *testing.T) {
	m, err := nn.New(nn.ClassifierArch)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "good.npz")
	if err := m.SaveWeights(good); err != nil {
		t.Fatal(err)
	}
	all, err := data.ReadNPZ(good)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, edit func(map[string]*data.Array)) string {
		m := map[string]*data.Array{}
		for k, v := range all {
			m[k] = &data.Array{Shape: append([]int{}, v.Shape...), Data: append([]float32{}, v.Data...)}
		}
		edit(m)
		p := filepath.Join(dir, name)
		if err := data.WriteNPZ(p, m); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name string
		path string
		msg  []string
	}{
		{"missing key", write("missing.npz", func(m map[string]*data.Array) { delete(m, "dense_1/bias") }), []string{"missing.npz", `"dense_1/bias"`, "[128]"}},
		{"wrong shape", write("shape.npz", func(m map[string]*data.Array) {
			m["conv2d_1/kernel"] = data.NewArray(3, 3, 1, 16)
		}), []string{"shape.npz", `"conv2d_1/kernel"`, "[3 3 1 16]", "[3 3 1 32]"}},
		{"nan", write("nan.npz", func(m map[string]*data.Array) { m["dense_2/kernel"].Data[5] = float32(math.NaN()) }), []string{"nan.npz", "dense_2/kernel", "NaN"}},
		{"not a file", filepath.Join(dir, "nope.npz"), []string{"nope.npz"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := m.LoadWeights(tc.path)
			if err == nil {
				t.Fatal("got no error")
			}
			for _, s := range tc.msg {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
	if err := m.LoadWeights(good); err != nil {
		t.Errorf("round trip: %v", err)
	}
}

func TestArchErrors(t *testing.T) {
	bad := nn.Arch{Name: "bad", Input: [3]int{4, 4, 1}, Layers: []nn.LayerSpec{
		{Name: "c", Kind: nn.Conv2D, Filters: 2, Kernel: 5, Padding: "valid"},
	}}
	if _, err := nn.New(bad); err == nil || !strings.Contains(err.Error(), "layer c") {
		t.Errorf("conv larger than input: got %v", err)
	}
	dense := nn.Arch{Name: "d", Input: [3]int{4, 4, 1}, Layers: []nn.LayerSpec{{Name: "d", Kind: nn.Dense, Units: 3}}}
	if _, err := nn.New(dense); err == nil || !strings.Contains(err.Error(), "flatten") {
		t.Errorf("dense on an image: got %v", err)
	}
	m, err := nn.New(nn.AutoencoderArch)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Forward(data.NewArray(2, 27, 28, 1), nil, 1); err == nil || !strings.Contains(err.Error(), "[2 27 28 1]") {
		t.Errorf("wrong image size: got %v", err)
	}
	if _, err := m.Forward(data.NewArray(1, 28, 28, 1), []string{"conv9"}, 1); err == nil || !strings.Contains(err.Error(), "conv9") {
		t.Errorf("unknown layer: got %v", err)
	}
}

// BenchmarkAutoencoderForward10k runs 10 000 images through the
// autoencoder with Glorot-initialised weights (zero weights would skip most
// of the arithmetic) and returns every layer's output.
func BenchmarkAutoencoderForward10k(b *testing.B) {
	m, err := nn.New(nn.AutoencoderArch)
	if err != nil {
		b.Fatal(err)
	}
	m.InitGlorot(1)
	x := data.NewArray(10000, 28, 28, 1)
	for i := range x.Data {
		x.Data[i] = float32(i%255) / 255
	}
	b.ReportAllocs()
	cpu0 := cputime.Used()
	for b.Loop() {
		if _, err := m.Forward(x, nil, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cputime.Used()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
}
