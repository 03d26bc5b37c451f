package nn

import (
	"fmt"
	"maps"
	"slices"
)

// LayerSpec describes one layer. Only the fields of its Kind are used; the
// kinds' constants (Conv2D, Dense, …) document which.
type LayerSpec struct {
	Name string `yaml:"name" json:"name"`
	Kind string `yaml:"kind" json:"kind"`
	// Inputs names the layers whose outputs are this layer's inputs, in
	// order; "input" is the model's input. Only earlier layers may be
	// named, so the declaration order is a topological order. Empty means
	// the previous layer (the model's input for the first layer): a chain.
	Inputs []string `yaml:"inputs,omitempty" json:"inputs,omitempty"`
	// Conv2D: Filters output channels, a Kernel×Kernel window, Padding
	// "same" or "valid", Activation.
	Filters int    `yaml:"filters,omitempty" json:"filters,omitempty"`
	Kernel  int    `yaml:"kernel,omitempty" json:"kernel,omitempty"`
	Padding string `yaml:"padding,omitempty" json:"padding,omitempty"`
	// Activation is "linear" (or empty), "relu", "sigmoid", "softmax",
	// "tanh", or "relu20", DeepSpeech's clipped ReLU min(max(x, 0), 20).
	Activation string `yaml:"activation,omitempty" json:"activation,omitempty"`
	// MaxPooling2D: a Pool×Pool window with stride Pool, and Padding.
	Pool int `yaml:"pool,omitempty" json:"pool,omitempty"`
	// UpSampling2D: each pixel repeated Size×Size times.
	Size int `yaml:"size,omitempty" json:"size,omitempty"`
	// Dense: Units outputs, and Activation.
	Units int `yaml:"units,omitempty" json:"units,omitempty"`
	// LSTM, BiLSTM, GRU, BiGRU: Units per direction; ReturnSequences
	// gives every frame's output [T, …] rather than the last frame's.
	ReturnSequences bool `yaml:"return_sequences,omitempty" json:"return_sequences,omitempty"`
	// LogMel: the spectrogram's framing and filter bank.
	Mel MelSpec `yaml:"mel,omitempty" json:"mel,omitempty"`
	// Conv2D: Strides is the step of the window, in both directions; 0
	// means 1.
	Strides int `yaml:"strides,omitempty" json:"strides,omitempty"`
	// Conv2D: ColStrides, if not 0, is the step of the window along the
	// columns, Strides then stepping along the rows only (Keras'
	// strides=(Strides, ColStrides)).
	ColStrides int `yaml:"col_strides,omitempty" json:"col_strides,omitempty"`
	// LeakyReLU: Alpha is the slope for negative inputs; 0 means Keras'
	// default, 0.3 (DCGAN uses 0.2).
	Alpha float64 `yaml:"alpha,omitempty" json:"alpha,omitempty"`
	// Reshape: Shape is the output shape (no batch axis), of as many
	// values as the input.
	Shape []int `yaml:"shape,omitempty" json:"shape,omitempty"`
	// Flatten, Add and Concatenate have no fields but Inputs.
}

// Arch is a network architecture: the shape of one input sample, without
// the batch axis ([height, width, channels] for an image, [T, features]
// for a sequence, [n] for a vector), and the layers in a topological order
// (each layer's inputs are declared before it). The last layer is the
// model's output. A model has one input: a conditional generator's caller
// concatenates the condition (a label map) with the input's channels.
type Arch struct {
	Name   string      `yaml:"name" json:"name"`
	Input  []int       `yaml:"input" json:"input"`
	Layers []LayerSpec `yaml:"layers" json:"layers"`
}

// clone returns a deep copy of a, so that a registered architecture cannot
// be changed through a copy handed out.
func (a Arch) clone() Arch {
	a.Input = slices.Clone(a.Input)
	a.Layers = slices.Clone(a.Layers)
	for i := range a.Layers {
		a.Layers[i].Inputs = slices.Clone(a.Layers[i].Inputs)
		a.Layers[i].Shape = slices.Clone(a.Layers[i].Shape)
	}
	return a
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
// scannable layer. It is registered as "autoencoder" (a copy made at
// initialisation: changing this variable does not change ArchByName's).
var AutoencoderArch = Arch{
	Name:  "mnist_autoencoder",
	Input: []int{28, 28, 1},
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
// Cintas et al. 2020 target, registered as "classifier".
var ClassifierArch = Arch{
	Name:  "mnist_cnn",
	Input: []int{28, 28, 1},
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

var archs = map[string]Arch{}

func init() {
	RegisterArch("autoencoder", AutoencoderArch)
	RegisterArch("classifier", ClassifierArch)
}

// RegisterArch makes arch available to ArchByName as name (a copy: later
// changes to arch do not reach the registry). It is meant for init
// functions, and panics if name is empty or already registered. The
// architecture is checked when a model is built from it, not here.
func RegisterArch(name string, arch Arch) {
	if name == "" {
		panic("nn: RegisterArch: empty name")
	}
	if _, dup := archs[name]; dup {
		panic(fmt.Sprintf("nn: RegisterArch: architecture %q registered twice", name))
	}
	archs[name] = arch.clone()
}

// ArchNames returns the names of the registered architectures, sorted.
func ArchNames() []string { return sortedKeys(archs) }

// ArchByName returns a copy of the architecture registered as name; an
// unknown name is an error listing the known ones.
func ArchByName(name string) (Arch, error) {
	a, ok := archs[name]
	if !ok {
		return Arch{}, fmt.Errorf("nn: unknown architecture %q (known: %v)", name, ArchNames())
	}
	return a.clone(), nil
}

// sortedKeys returns the keys of a registry, sorted.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
