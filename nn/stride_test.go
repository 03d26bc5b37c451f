package nn

import (
	"math/rand/v2"
	"testing"
)

// TestConvStrideSubsamples checks strided convolutions against stride 1:
// a convolution with stride s computes the stride-1 convolution (of the
// same kernel, padded by (k−1)/2 before for "same") at rows y·s + off and
// columns x·sx + offX (sx = s unless ColStrides is set), where off = (k−1)/2 − before is the difference of
// the paddings, before being TensorFlow's ⌊max((oh−1)·s + k − h, 0)/2⌋
// (tf.nn.conv2d's documented "same" padding); for "valid", off = 0.
func TestConvStrideSubsamples(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct {
		h, w, k, s, sx int // sx: ColStrides, 0 for s
		padding        string
	}{
		{28, 28, 3, 2, 0, "same"}, // DCGAN's discriminator: no padding before
		{7, 6, 3, 2, 0, "same"},   // odd height: one row before
		{7, 7, 4, 2, 0, "same"},   // even kernel
		{8, 5, 3, 3, 0, "same"},
		{7, 9, 3, 2, 0, "valid"},
		{9, 8, 2, 3, 0, "valid"},
		{9, 8, 3, 1, 2, "same"}, // a spectrogram's frequencies halved (lv-fsdd)
		{7, 9, 3, 2, 1, "same"},
		{8, 11, 2, 2, 3, "valid"},
	} {
		spec := LayerSpec{Name: "c", Kind: Conv2D, Filters: 2, Kernel: tc.k, Padding: tc.padding, Activation: "linear"}
		arch1 := Arch{Name: "s1", Input: []int{tc.h, tc.w, 2}, Layers: []LayerSpec{spec}}
		spec.Strides, spec.ColStrides = tc.s, tc.sx
		sx := tc.sx
		if sx == 0 {
			sx = tc.s
		}
		archS := Arch{Name: "s", Input: arch1.Input, Layers: []LayerSpec{spec}}
		m1, err := New(arch1)
		if err != nil {
			t.Fatal(err)
		}
		mS, err := New(archS)
		if err != nil {
			t.Fatal(err)
		}
		randomize(m1, rng, 1)
		for i, p := range mS.Params() {
			copy(p.Data, m1.Params()[i].Data)
		}
		x := uniform(rng, -1, 1, 1, tc.h, tc.w, 2)
		y1, _ := m1.Predict(x, 1)
		yS, _ := mS.Predict(x, 1)
		l := mS.last().layer.(*conv2D)
		off, offX := 0, 0
		if tc.padding == "same" {
			off, offX = (tc.k-1)/2-l.before(), (tc.k-1)/2-l.beforeX()
		}
		oh, ow := l.out[0], l.out[1]
		if want := map[bool]int{true: (tc.h + tc.s - 1) / tc.s, false: (tc.h-tc.k)/tc.s + 1}[tc.padding == "same"]; oh != want {
			t.Errorf("%+v: %d output rows, want %d", tc, oh, want)
		}
		if want := map[bool]int{true: (tc.w + sx - 1) / sx, false: (tc.w-tc.k)/sx + 1}[tc.padding == "same"]; ow != want {
			t.Errorf("%+v: %d output columns, want %d", tc, ow, want)
		}
		w1 := y1.Shape[2]
		for y := range oh {
			for x := range ow {
				for f := range 2 {
					got := yS.Data[(y*ow+x)*2+f]
					want := y1.Data[((y*tc.s+off)*w1+x*sx+offX)*2+f]
					if got != want {
						t.Fatalf("%+v: output (%d, %d, %d) = %v, want %v", tc, y, x, f, got, want)
					}
				}
			}
		}
	}
}
