package gan

import (
	"fmt"

	"subsetscan/data"
	"subsetscan/nn"
)

// Domains is the number of domains of the registered StarGAN networks:
// thin and thick strokes (data.ClassInkEdges with 2 bins). StarGAN itself
// takes any number; so do StarGANGenerator and StarGANDiscriminator.
const Domains = 2

// StarGANGenerator returns a small StarGAN-style generator (Choi et al.
// 2018, §4 and appendix) for h×w×1 images in [0, 1] and k domains: its one
// input is the image with k label planes concatenated to its channels
// ([h, w, 1+k], WithDomains: plane c is all ones for target domain c, the
// others zeros). A 3×3 convolution at full resolution (16 channels), a
// strided one down to h/2 × w/2 (24 channels), two residual blocks (two
// 3×3 convolutions each, y = f(x) + x), a nearest upsampling back to h×w,
// concatenated with the full-resolution features (a U-Net-style skip, so
// that the unchanged parts of the digit need not pass through the
// bottleneck), a 1×1 convolution (16) and a 3×3 convolution to one linear
// channel, the change; the output is that change plus a 1×1 convolution
// of the input ("identity"), which InitStarGAN sets to copy the image.
// LeakyReLU(0.2) after every hidden convolution but the second of each
// residual block; no normalisation (StarGAN's instance normalisation is
// not an nn layer). The output is linear, not clipped: a sigmoid output
// saturated in training (every pixel 0 within 150 steps, where its
// gradient vanishes), whereas the residual form starts as the identity
// and leaves D to penalise values outside [0, 1]. h and w must be even.
// About 26 000 params, 5.7 M multiply-adds per 28×28 image.
func StarGANGenerator(h, w, k int) nn.Arch {
	conv := func(name string, filters, kernel, strides int, inputs ...string) nn.LayerSpec {
		return nn.LayerSpec{Name: name, Kind: nn.Conv2D, Filters: filters, Kernel: kernel, Strides: strides, Padding: "same", Inputs: inputs}
	}
	lrelu := func(name string) nn.LayerSpec { return nn.LayerSpec{Name: name, Kind: nn.LeakyReLU, Alpha: 0.2} }
	layers := []nn.LayerSpec{
		conv("conv2d_1", 16, 3, 1), lrelu("enc_1"),
		conv("conv2d_2", 24, 3, 2), lrelu("enc_2"),
	}
	prev := "enc_2"
	for _, b := range []string{"res_1", "res_2"} {
		layers = append(layers, conv(b+"_conv_a", 24, 3, 1), lrelu(b+"_act"), conv(b+"_conv_b", 24, 3, 1),
			nn.LayerSpec{Name: b, Kind: nn.Add, Inputs: []string{b + "_conv_b", prev}})
		prev = b
	}
	layers = append(layers,
		nn.LayerSpec{Name: "up_sampling2d_1", Kind: nn.UpSampling2D, Size: 2},
		nn.LayerSpec{Name: "skip", Kind: nn.Concatenate, Inputs: []string{"up_sampling2d_1", "enc_1"}},
		conv("conv2d_3", 16, 1, 1), lrelu("dec_1"),
		conv("conv2d_4", 1, 3, 1),
		conv("identity", 1, 1, 1, "input"),
		nn.LayerSpec{Name: "edit", Kind: nn.Add, Inputs: []string{"conv2d_4", "identity"}})
	return nn.Arch{Name: "stargan_generator", Input: []int{h, w, 1 + k}, Layers: layers}
}

// InitStarGAN initialises a StarGANGenerator g: Glorot-uniform weights
// from seed (nn.Model.InitGlorot), then its layer "identity" set to copy
// the image channel of the input, so that g starts as the identity plus
// a small change. It is an error if g has no such 1×1 layer.
func InitStarGAN(g *nn.Model, seed uint64) error {
	g.InitGlorot(seed)
	for _, p := range g.Params() {
		if p.Name == "identity/kernel" && len(p.Data) > 1 {
			clear(p.Data)
			p.Data[0] = 1
			return nil
		}
	}
	return fmt.Errorf("gan: generator %s has no 1×1 convolution \"identity\" to initialise", g.Arch.Name)
}

// StarGANDiscriminator returns a small StarGAN-style discriminator for
// h×w×1 images and k domains: three 3×3 convolutions with stride 2 (32, 64
// and 64 channels, LeakyReLU(0.2)), flattened into one Dense layer of 1+k
// linear outputs. Output 0 is the logit that the image is real (StarGAN's
// D_src); outputs 1…k are the logits of its domain (D_cls, under a
// softmax). One layer of 1+k outputs rather than StarGAN's two
// convolutional heads, because an nn model has one output; the heads
// share all features, as StarGAN's do. About 59 000 params for 28×28.
func StarGANDiscriminator(h, w, k int) nn.Arch {
	layers := []nn.LayerSpec{}
	for i, f := range []int{32, 64, 64} {
		layers = append(layers,
			nn.LayerSpec{Name: "conv2d_" + string(rune('1'+i)), Kind: nn.Conv2D, Filters: f, Kernel: 3, Strides: 2, Padding: "same"},
			nn.LayerSpec{Name: "leaky_re_lu_" + string(rune('1'+i)), Kind: nn.LeakyReLU, Alpha: 0.2})
	}
	layers = append(layers, nn.LayerSpec{Name: "flatten_1", Kind: nn.Flatten}, nn.LayerSpec{Name: "dense_1", Kind: nn.Dense, Units: 1 + k})
	return nn.Arch{Name: "stargan_discriminator", Input: []int{h, w, 1}, Layers: layers}
}

func init() {
	nn.RegisterArch("stargan_g", StarGANGenerator(28, 28, Domains))
	nn.RegisterArch("stargan_d", StarGANDiscriminator(28, 28, Domains))
}

// StrokeEdges returns the per-class ink-mass medians of the MNIST training
// images train (with labels) that define the editor's domains, thin (0) or
// thick (1): data.ClassInkEdges with Domains bins. Classify images with
// data.ClassInkGroups. Its errors are data.ClassInkEdges'.
func StrokeEdges(train *data.Array, labels []int) ([][]float64, error) {
	return data.ClassInkEdges(train, labels, 10, Domains)
}
