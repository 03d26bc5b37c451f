package asr

import "subsetscan/nn"

// LVArch is the Lingvo analog, registered as "lv-fsdd": the front end of
// DSArch (179 frames of 40 log mels over DSSamples) seen as an image
// [179, 40, 1] of time × frequency, four 3×3 "same" convolutions of 32
// ReLU channels that keep every frame and halve the frequencies at the
// second, third and fourth (strides (1, 2), so the logits keep DSArch's
// frames and its CTC alignment), the [179, 5, 32] maps read as frames of
// 160 features, a frame-wise dense projection to 64 clipped-ReLU units, a
// bidirectional LSTM of 64 units per direction, a dense clipped-ReLU layer
// of 128 units, and linear logits over the 10 digit words and the blank.
//
// Its four scanned layers (LVScannedLayers) are the convolutions, each
// time × frequency × channels: conv2d_1 [179, 40, 32], conv2d_2
// [179, 20, 32], conv2d_3 [179, 10, 32] and conv2d_4 [179, 5, 32]; the
// paper's Lingvo layers are 179 × 40 × 32, 212 × 20 × 32, 423 × 40 × 32
// and 212 × 20 × 32 (its utterances are longer). Lingvo strides its
// convolutions in time as well, (2, 2); here time is not subsampled,
// which keeps a frame every 20 ms for the short digit words and the same
// frames as DSArch (Frames). Each halving of the frequencies halves the
// cost of the next convolution: the three 32-to-32 convolutions cost
// 3580, 1790 and 895 positions × 9216 multiply-adds, most of the
// model's.
var LVArch = nn.Arch{
	Name:  "lv_fsdd",
	Input: []int{DSSamples},
	Layers: []nn.LayerSpec{
		DSArch.Layers[0], // the same log mel front end
		{Name: "reshape_1", Kind: nn.Reshape, Shape: []int{lvFrames, lvMels, 1}},
		lvConv("conv2d_1", 1),
		lvConv("conv2d_2", 2),
		lvConv("conv2d_3", 2),
		lvConv("conv2d_4", 2),
		{Name: "reshape_2", Kind: nn.Reshape, Shape: []int{lvFrames, lvMels / 8 * lvChannels}},
		{Name: "dense_1", Kind: nn.Dense, Units: 64, Activation: "relu20"},
		{Name: "bilstm_1", Kind: nn.BiLSTM, Units: 64, ReturnSequences: true},
		{Name: "dense_2", Kind: nn.Dense, Units: 128, Activation: "relu20"},
		{Name: "logits", Kind: nn.Dense, Units: Classes},
	},
}

// The geometry of LVArch: its frames and mels (DSArch's front end) and the
// channels of its convolutions.
const (
	lvFrames   = 179
	lvMels     = 40
	lvChannels = 32
)

// lvConv is a 3×3 "same" ReLU convolution of LVArch with lvChannels
// filters, keeping every frame and taking every colStride-th frequency.
func lvConv(name string, colStride int) nn.LayerSpec {
	return nn.LayerSpec{Name: name, Kind: nn.Conv2D, Filters: lvChannels, Kernel: 3, Strides: 1, ColStrides: colStride, Padding: "same", Activation: "relu"}
}

// LVScannedLayers are the layers of LVArch that the experiment scans, each
// time × frequency × channels.
var LVScannedLayers = []string{"conv2d_1", "conv2d_2", "conv2d_3", "conv2d_4"}

func init() { nn.RegisterArch("lv-fsdd", LVArch) }
