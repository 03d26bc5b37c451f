package gan

import "subsetscan/nn"

// Latent size of GeneratorArch.
const LatentDim = 32

// GeneratorArch is a small DCGAN-style generator for MNIST, registered as
// "gan_g": a latent vector of LatentDim values, a Dense projection to a
// 7×7×48 image, then two nearest upsamplings each followed by a 3×3
// convolution (7 → 14 → 28 pixels), LeakyReLU(0.2) after every hidden
// layer as in DCGAN's discriminator, and a sigmoid output in [0, 1], the
// scale of MNIST pixels in this project. Upsampling then convolving
// replaces DCGAN's strided transposed convolutions, which leave
// checkerboard artifacts where kernels overlap unevenly (Odena et al.
// 2016); there is no batch normalisation (training-mode statistics would
// couple the samples of a batch). About 96 000 params.
var GeneratorArch = nn.Arch{
	Name:  "mnist_gan_generator",
	Input: []int{LatentDim},
	Layers: []nn.LayerSpec{
		{Name: "dense_1", Kind: nn.Dense, Units: 7 * 7 * 48},
		{Name: "leaky_re_lu_1", Kind: nn.LeakyReLU, Alpha: 0.2},
		{Name: "reshape_1", Kind: nn.Reshape, Shape: []int{7, 7, 48}},
		{Name: "up_sampling2d_1", Kind: nn.UpSampling2D, Size: 2},
		{Name: "conv2d_1", Kind: nn.Conv2D, Filters: 32, Kernel: 3, Padding: "same"},
		{Name: "leaky_re_lu_2", Kind: nn.LeakyReLU, Alpha: 0.2},
		{Name: "up_sampling2d_2", Kind: nn.UpSampling2D, Size: 2},
		{Name: "conv2d_2", Kind: nn.Conv2D, Filters: 16, Kernel: 3, Padding: "same"},
		{Name: "leaky_re_lu_3", Kind: nn.LeakyReLU, Alpha: 0.2},
		{Name: "conv2d_3", Kind: nn.Conv2D, Filters: 1, Kernel: 3, Padding: "same", Activation: "sigmoid"},
	},
}

// DiscriminatorArch is a small DCGAN-style discriminator for MNIST,
// registered as "gan_d": two 3×3 convolutions with stride 2 (28 → 14 → 7
// pixels, DCGAN's downsampling without pooling), each followed by
// LeakyReLU(0.2), flattened into a Dense layer of one logit (linear: the
// loss takes logits). About 22 000 params.
var DiscriminatorArch = nn.Arch{
	Name:  "mnist_gan_discriminator",
	Input: []int{28, 28, 1},
	Layers: []nn.LayerSpec{
		{Name: "conv2d_1", Kind: nn.Conv2D, Filters: 32, Kernel: 3, Strides: 2, Padding: "same"},
		{Name: "leaky_re_lu_1", Kind: nn.LeakyReLU, Alpha: 0.2},
		{Name: "conv2d_2", Kind: nn.Conv2D, Filters: 64, Kernel: 3, Strides: 2, Padding: "same"},
		{Name: "leaky_re_lu_2", Kind: nn.LeakyReLU, Alpha: 0.2},
		{Name: "flatten_1", Kind: nn.Flatten},
		{Name: "dense_1", Kind: nn.Dense, Units: 1},
	},
}

func init() {
	nn.RegisterArch("gan_g", GeneratorArch)
	nn.RegisterArch("gan_d", DiscriminatorArch)
}
