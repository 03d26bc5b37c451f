package nn_test

import (
	"math"
	"path/filepath"
	"slices"
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
	bad := nn.Arch{Name: "bad", Input: []int{4, 4, 1}, Layers: []nn.LayerSpec{
		{Name: "c", Kind: nn.Conv2D, Filters: 2, Kernel: 5, Padding: "valid"},
	}}
	if _, err := nn.New(bad); err == nil || !strings.Contains(err.Error(), "layer c") {
		t.Errorf("conv larger than input: got %v", err)
	}
	dense := nn.Arch{Name: "d", Input: []int{4, 4, 1}, Layers: []nn.LayerSpec{{Name: "d", Kind: nn.Dense, Units: 3, Activation: "softmax"}}}
	if _, err := nn.New(dense); err == nil || !strings.Contains(err.Error(), "flatten") {
		t.Errorf("softmax dense on an image: got %v", err)
	}
	dense.Layers[0].Activation = "relu20"
	if m, err := nn.New(dense); err != nil {
		t.Errorf("dense on an image's last axis: %v", err)
	} else if s, _ := m.OutputShape("d"); !slices.Equal(s, []int{4, 4, 3}) {
		t.Errorf("dense on [4 4 1]: output shape %v, want [4 4 3]", s)
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

// TestGraphErrors checks that the errors of architectures with wrong
// inputs name the architecture, the layer, its kind and its input shapes.
func TestGraphErrors(t *testing.T) {
	conv := func(name string, filters int, inputs ...string) nn.LayerSpec {
		return nn.LayerSpec{Name: name, Kind: nn.Conv2D, Filters: filters, Kernel: 1, Inputs: inputs}
	}
	tests := []struct {
		name   string
		input  []int
		layers []nn.LayerSpec
		msg    string
	}{
		{"later layer", []int{4, 4, 1}, []nn.LayerSpec{conv("a", 2, "b"), conv("b", 2)}, `nn: g: layer a (conv2d): input "b" is neither "input" nor an earlier layer`},
		{"unknown input", []int{4, 4, 1}, []nn.LayerSpec{conv("a", 2, "nope")}, `input "nope"`},
		{"add shapes", []int{4, 4, 1}, []nn.LayerSpec{conv("a", 2), {Name: "s", Kind: nn.Add, Inputs: []string{"a", "input"}}},
			"nn: g: layer s (add, input [[4 4 2] [4 4 1]]): inputs of different shapes [4 4 2] and [4 4 1]"},
		{"add one input", []int{4, 4, 1}, []nn.LayerSpec{{Name: "s", Kind: nn.Add}}, "needs at least 2 inputs, got 1"},
		{"concatenate shapes", []int{4, 4, 1}, []nn.LayerSpec{{Name: "p", Kind: nn.MaxPooling2D, Pool: 2}, {Name: "c", Kind: nn.Concatenate, Inputs: []string{"p", "input"}}},
			"inputs [2 2 1] and [4 4 1] differ on an axis other than the last"},
		{"two inputs", []int{4, 4, 1}, []nn.LayerSpec{conv("a", 2, "input", "input")}, "layer a (conv2d, input [[4 4 1] [4 4 1]]): takes one input, got 2"},
		{"unknown kind", []int{4, 4, 1}, []nn.LayerSpec{{Name: "x", Kind: "transformer"}}, `unknown layer kind "transformer"`},
		{"sequence conv", []int{5, 3}, []nn.LayerSpec{conv("a", 2)}, "layer a (conv2d, input [5 3]): needs an image input [height width channels]"},
		{"empty input", nil, []nn.LayerSpec{conv("a", 2)}, "input shape [] must be positive"},
		{"pool activation", []int{4, 4, 1}, []nn.LayerSpec{{Name: "p", Kind: nn.MaxPooling2D, Pool: 2, Activation: "relu"}}, `layer p (maxpool2d, input [4 4 1]): activation "relu" on a kind of layer that has none`},
		{"reserved name", []int{4}, []nn.LayerSpec{{Name: "input", Kind: nn.Flatten}}, `name "input" is empty, reserved or repeated`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := nn.New(nn.Arch{Name: "g", Input: tc.input, Layers: tc.layers})
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("got %v, want an error containing %q", err, tc.msg)
			}
		})
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
