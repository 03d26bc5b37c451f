package gan

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"subsetscan/nn"
)

// TestWriteGrid checks the contact sheet's size and a pixel of each image:
// 5 images of 4×4 in 3 columns, 2 rows.
func TestWriteGrid(t *testing.T) {
	x := tinyReal(5)
	path := filepath.Join(t.TempDir(), "grid.png")
	if err := WriteGrid(path, x, 3); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	// 2 + 3·(4·2 + 2) by 2 + 2·(4·2 + 2).
	if b := img.Bounds(); b.Dx() != 32 || b.Dy() != 22 {
		t.Errorf("size %v, want 32×22", b)
	}
	for k := range 5 {
		x0, y0 := 2+(k%3)*10, 2+(k/3)*10
		r, _, _, _ := img.At(x0+1, y0+1).RGBA() // pixel (0, 0) of image k
		if want := uint32(x.Row(k)[0]*255+0.5) * 0x101; r != want {
			t.Errorf("image %d: gray %#x, want %#x", k, r, want)
		}
	}
	if err := WriteGrid(path, x.Slice(0, 0), 3); err == nil {
		t.Error("no images: no error")
	}
}

// TestEvaluate checks Evaluate's shape on a tiny generator and a tiny
// classifier: the labels count every generated sample, a set of real
// samples is closer to other real ones than noise is, and too few real
// samples are an error.
func TestEvaluate(t *testing.T) {
	g, _ := tinyGAN(t, 1)
	clf, err := nn.New(nn.Arch{Name: "clf", Input: []int{4, 4, 1}, Layers: []nn.LayerSpec{
		{Name: "f", Kind: nn.Flatten},
		{Name: "dense_1", Kind: nn.Dense, Units: 3, Activation: "relu"},
		{Name: "dense_2", Kind: nn.Dense, Units: 2, Activation: "softmax"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	clf.InitGlorot(5)
	ev, err := Evaluate(g, clf, tinyReal(200), EvalOptions{N: 100, Seed: 1, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if ev.N != 100 || len(ev.Labels) != 2 || ev.Labels[0]+ev.Labels[1] != 100 || !(ev.Confidence >= 0.5 && ev.Confidence <= 1) {
		t.Errorf("evaluation %+v", ev)
	}
	if !(ev.Floor < ev.Ceiling) {
		t.Errorf("floor %v not below ceiling %v", ev.Floor, ev.Ceiling)
	}
	if _, err := Evaluate(g, clf, tinyReal(199), EvalOptions{N: 100}); err == nil {
		t.Error("199 real samples for 2 sets of 100: no error")
	}
}
