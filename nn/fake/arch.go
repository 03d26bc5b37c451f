package fake

import "subsetscan/nn"

// Registered architecture names.
const (
	ResNet     = "fake-resnet"
	SqueezeNet = "fake-squeezenet"
	Simulator  = "autogan-sim"
	SpectrumNN = "autogan-cls"
)

func conv(name string, filters, kernel, strides int, act string, inputs ...string) nn.LayerSpec {
	return nn.LayerSpec{Name: name, Kind: nn.Conv2D, Filters: filters, Kernel: kernel, Strides: strides,
		Padding: "same", Activation: act, Inputs: inputs}
}

// head ends a detector: a global max pooling of a 7×7 map, then 2 softmax
// outputs (real, fake).
func head(from string) []nn.LayerSpec {
	return []nn.LayerSpec{
		{Name: "global_pool", Kind: nn.MaxPooling2D, Pool: 7, Inputs: []string{from}},
		{Name: "flatten_1", Kind: nn.Flatten},
		{Name: "dense_1", Kind: nn.Dense, Units: 2, Activation: "softmax"},
	}
}

// residual returns a residual block y = f(x) + x on the layer x: two 3×3
// convolutions of filters channels with ReLUs, added to x (which must
// have filters channels). The block's layers are named after name.
func residual(name, x string, filters int) []nn.LayerSpec {
	return []nn.LayerSpec{
		conv(name+"_conv1", filters, 3, 1, "relu", x),
		conv(name+"_conv2", filters, 3, 1, "relu"),
		{Name: name + "_add", Kind: nn.Add, Inputs: []string{name + "_conv2", x}},
	}
}

// ResNetArch is a small residual network telling real from generated
// MNIST digits, registered as "fake-resnet": a strided 3×3 convolution
// (28 → 14 pixels, 16 channels), a residual block, a strided convolution
// (14 → 7, 32 channels), a residual block, a global max pooling and 2
// softmax outputs (real, fake). Each block adds two 3×3 ReLU convolutions
// to its input (the ReLU before the sum, since an Add has no
// activation). About 28 000 params.
var ResNetArch = func() nn.Arch {
	a := nn.Arch{Name: "fake_resnet", Input: ImageShape}
	a.Layers = append(a.Layers, conv("conv2d_1", 16, 3, 2, "relu"))
	a.Layers = append(a.Layers, residual("block_1", "conv2d_1", 16)...)
	a.Layers = append(a.Layers, conv("conv2d_2", 32, 3, 2, "relu", "block_1_add"))
	a.Layers = append(a.Layers, residual("block_2", "conv2d_2", 32)...)
	a.Layers = append(a.Layers, head("block_2_add")...)
	return a
}()

// fire returns a SqueezeNet fire module (Iandola et al. 2016) on the layer
// x: a 1×1 "squeeze" convolution of s channels, expanded by a 1×1 and a
// 3×3 convolution of e channels each, concatenated (2e channels), all
// with ReLUs.
func fire(name, x string, s, e int) []nn.LayerSpec {
	sq := name + "_squeeze"
	return []nn.LayerSpec{
		conv(sq, s, 1, 1, "relu", x),
		conv(name+"_expand1", e, 1, 1, "relu", sq),
		conv(name+"_expand3", e, 3, 1, "relu", sq),
		{Name: name + "_concat", Kind: nn.Concatenate, Inputs: []string{name + "_expand1", name + "_expand3"}},
	}
}

// SqueezeNetArch is a small fire-module network telling real from
// generated MNIST digits, registered as "fake-squeezenet": a strided 3×3
// convolution (28 → 14 pixels, 16 channels), a fire module (squeeze 8,
// expand 16 + 16), a 2×2 max pooling (14 → 7), a fire module (squeeze 16,
// expand 32 + 32), a global max pooling and 2 softmax outputs (real,
// fake). About 7 500 params.
var SqueezeNetArch = func() nn.Arch {
	a := nn.Arch{Name: "fake_squeezenet", Input: ImageShape}
	a.Layers = append(a.Layers, conv("conv2d_1", 16, 3, 2, "relu"))
	a.Layers = append(a.Layers, fire("fire_1", "conv2d_1", 8, 16)...)
	a.Layers = append(a.Layers, nn.LayerSpec{Name: "max_pooling2d_1", Kind: nn.MaxPooling2D, Pool: 2})
	a.Layers = append(a.Layers, fire("fire_2", "max_pooling2d_1", 16, 32)...)
	a.Layers = append(a.Layers, head("fire_2_concat")...)
	return a
}()

// SimulatorArch is AutoGAN's GAN simulator for MNIST, registered as
// "autogan-sim": an autoencoder whose encoder halves the image twice with
// strided 3×3 convolutions (28 → 14 → 7 pixels, 32 and 48 channels) and
// whose decoder is the up-sampling of the GAN's generator
// (gan.GeneratorArch): twice a nearest 2× up-sampling followed by a 3×3
// convolution (7 → 14 → 28, 32 and 16 channels), then a 3×3 convolution
// to one sigmoid channel. Trained to reproduce real images, its outputs
// carry the up-sampling's artifacts without being any GAN's. About 33 000
// params.
var SimulatorArch = nn.Arch{
	Name:  "autogan_simulator",
	Input: ImageShape,
	Layers: []nn.LayerSpec{
		conv("conv2d_1", 32, 3, 2, "relu"),
		conv("conv2d_2", 48, 3, 2, "relu"),
		{Name: "up_sampling2d_1", Kind: nn.UpSampling2D, Size: 2},
		conv("conv2d_3", 32, 3, 1, "relu"),
		{Name: "up_sampling2d_2", Kind: nn.UpSampling2D, Size: 2},
		conv("conv2d_4", 16, 3, 1, "relu"),
		conv("conv2d_5", 1, 3, 1, "sigmoid"),
	},
}

// SpectrumArch is AutoGAN's classifier of spectra (Spectrum of an image,
// [28 28 1]), registered as "autogan-cls": two strided 3×3 convolutions
// (28 → 14 → 7 pixels, 16 and 32 channels), flattened into 2 softmax
// outputs (real, fake). The dense layer sees every frequency at its place:
// the up-sampling's artifacts are replicas of the spectrum at fixed
// frequencies. About 8 000 params.
var SpectrumArch = nn.Arch{
	Name:  "autogan_spectrum_classifier",
	Input: ImageShape,
	Layers: []nn.LayerSpec{
		conv("conv2d_1", 16, 3, 2, "relu"),
		conv("conv2d_2", 32, 3, 2, "relu"),
		{Name: "flatten_1", Kind: nn.Flatten},
		{Name: "dense_1", Kind: nn.Dense, Units: 2, Activation: "softmax"},
	},
}

func init() {
	adam := func() nn.Optimizer { return nn.NewAdam() }
	for _, c := range []struct {
		name string
		arch nn.Arch
	}{{ResNet, ResNetArch}, {SqueezeNet, SqueezeNetArch}, {SpectrumNN, SpectrumArch}} {
		nn.RegisterArch(c.name, c.arch)
		nn.RegisterRecipe(c.name, nn.Recipe{Loss: nn.CategoricalCrossEntropy, NewOptimizer: adam, Epochs: 3, Classes: 2})
	}
	nn.RegisterArch(Simulator, SimulatorArch)
	nn.RegisterRecipe(Simulator, nn.Recipe{Loss: nn.BinaryCrossEntropy, NewOptimizer: adam, Epochs: 2})
}
