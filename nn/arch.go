package nn

import (
	"fmt"
)

// Layer kinds.
const (
	Conv2D       = "conv2d"
	MaxPooling2D = "maxpool2d"
	UpSampling2D = "upsampling2d"
	Flatten      = "flatten"
	Dense        = "dense"
)

// LayerSpec describes one layer. Only the fields of its Kind are used.
type LayerSpec struct {
	Name string `yaml:"name" json:"name"`
	Kind string `yaml:"kind" json:"kind"`
	// Conv2D: Filters output channels, a Kernel×Kernel window, Padding
	// "same" or "valid", Activation.
	Filters int    `yaml:"filters,omitempty" json:"filters,omitempty"`
	Kernel  int    `yaml:"kernel,omitempty" json:"kernel,omitempty"`
	Padding string `yaml:"padding,omitempty" json:"padding,omitempty"`
	// Activation is "linear" (or empty), "relu", "sigmoid" or "softmax".
	Activation string `yaml:"activation,omitempty" json:"activation,omitempty"`
	// MaxPooling2D: a Pool×Pool window with stride Pool, and Padding.
	Pool int `yaml:"pool,omitempty" json:"pool,omitempty"`
	// UpSampling2D: each pixel repeated Size×Size times.
	Size int `yaml:"size,omitempty" json:"size,omitempty"`
	// Dense: Units outputs, and Activation.
	Units int `yaml:"units,omitempty" json:"units,omitempty"`
}

// Arch is a network architecture: an input shape (height, width, channels)
// and a sequence of layers.
type Arch struct {
	Name   string      `yaml:"name" json:"name"`
	Input  [3]int      `yaml:"input" json:"input"`
	Layers []LayerSpec `yaml:"layers" json:"layers"`
}

func conv(name string, filters int, padding, act string) LayerSpec {
	return LayerSpec{Name: name, Kind: Conv2D, Filters: filters, Kernel: 3, Padding: padding, Activation: act}
}

func pool(name, padding string) LayerSpec {
	return LayerSpec{Name: name, Kind: MaxPooling2D, Pool: 2, Padding: padding}
}

func up(name string) LayerSpec { return LayerSpec{Name: name, Kind: UpSampling2D, Size: 2} }

// AutoencoderArch is the convolutional autoencoder of Cintas et al. 2020
// (the Keras blog's MNIST denoising autoencoder); every layer's output is a
// scannable layer.
var AutoencoderArch = Arch{
	Name:  "mnist_autoencoder",
	Input: [3]int{28, 28, 1},
	Layers: []LayerSpec{
		conv("conv2d_1", 16, "same", "relu"),
		pool("max_pooling2d_1", "same"),
		conv("conv2d_2", 8, "same", "relu"),
		pool("max_pooling2d_2", "same"),
		conv("conv2d_3", 8, "same", "relu"),
		pool("max_pooling2d_3", "same"),
		conv("conv2d_4", 8, "same", "relu"),
		up("up_sampling2d_1"),
		conv("conv2d_5", 8, "same", "relu"),
		up("up_sampling2d_2"),
		conv("conv2d_6", 16, "valid", "relu"),
		up("up_sampling2d_3"),
		conv("conv2d_7", 1, "same", "sigmoid"),
	},
}

// ClassifierArch is the MNIST classifier that the adversarial attacks of
// Cintas et al. 2020 target.
var ClassifierArch = Arch{
	Name:  "mnist_cnn",
	Input: [3]int{28, 28, 1},
	Layers: []LayerSpec{
		{Name: "conv2d_1", Kind: Conv2D, Filters: 32, Kernel: 3, Padding: "valid", Activation: "relu"},
		pool("max_pooling2d_1", "valid"),
		{Name: "conv2d_2", Kind: Conv2D, Filters: 64, Kernel: 3, Padding: "valid", Activation: "relu"},
		pool("max_pooling2d_2", "valid"),
		{Name: "flatten_1", Kind: Flatten},
		{Name: "dense_1", Kind: Dense, Units: 128, Activation: "relu"},
		{Name: "dense_2", Kind: Dense, Units: 10, Activation: "softmax"},
	},
}

// Archs lists the built-in architectures by name.
var Archs = map[string]Arch{
	"autoencoder": AutoencoderArch,
	"classifier":  ClassifierArch,
}

// ArchByName returns a built-in architecture.
func ArchByName(name string) (Arch, error) {
	a, ok := Archs[name]
	if !ok {
		return Arch{}, fmt.Errorf("nn: unknown architecture %q (want autoencoder or classifier)", name)
	}
	return a, nil
}
