package asr

import "subsetscan/nn"

// DSSamples is the input length of ds-fsdd: 3.6 s at 8 kHz.
const DSSamples = 28800

// DSArch is the DeepSpeech analog, registered as "ds-fsdd": a log mel
// front end (32 ms Hann windows every 20 ms, 40 mels from 20 Hz to 4 kHz:
// 179 frames of 3.6 s), two frame-wise dense layers of 128 units with
// DeepSpeech's clipped ReLU min(max(x, 0), 20), a bidirectional LSTM of 64
// units per direction, a dense clipped-ReLU layer of 128 units, and linear
// logits over the 10 digit words and the blank. Its four scanned layers
// are dense_1, dense_2, bilstm_1 and dense_3, each 179 time steps × 128
// units (DeepSpeech's are 80 × 2048, 80 × 2048, 80 × 4096 and 80 × 2048).
// DeepSpeech's frames are 10 ms apart; 20 ms halve the cost, and a digit
// still spans some 20 frames.
var DSArch = nn.Arch{
	Name:  "ds_fsdd",
	Input: []int{DSSamples},
	Layers: []nn.LayerSpec{
		{Name: "mel", Kind: nn.LogMel, Mel: nn.MelSpec{Rate: 8000, Frame: 256, Hop: 160, Mels: 40, FMin: 20, FMax: 4000}},
		{Name: "dense_1", Kind: nn.Dense, Units: 128, Activation: "relu20"},
		{Name: "dense_2", Kind: nn.Dense, Units: 128, Activation: "relu20"},
		{Name: "bilstm_1", Kind: nn.BiLSTM, Units: 64, ReturnSequences: true},
		{Name: "dense_3", Kind: nn.Dense, Units: 128, Activation: "relu20"},
		{Name: "logits", Kind: nn.Dense, Units: Classes},
	},
}

// ScannedLayers are the layers of DSArch that the experiment scans.
var ScannedLayers = []string{"dense_1", "dense_2", "bilstm_1", "dense_3"}

func init() { nn.RegisterArch("ds-fsdd", DSArch) }
