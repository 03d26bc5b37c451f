package nn

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"subsetscan/data"
)

// toneWords are the synthetic words of the speech test: tones of these
// frequencies (Hz), class k+1 for word k (class 0 is the blank).
var toneWords = []float64{400, 1300, 2600}

// toneUtterances returns every utterance of one or two tone words, 1600
// samples at 8 kHz (0.2 s): each word 440 samples of its tone (a Hann
// envelope, amplitude 0.5), the words 160 samples apart, starting 120 to
// 200 samples in; the rest, and every sample, gets white noise of
// standard deviation 0.005. It also returns their labellings.
func toneUtterances(rng *rand.Rand) (*data.Array, [][]int) {
	var words [][]int
	for a := range toneWords {
		words = append(words, []int{a + 1})
		for b := range toneWords {
			words = append(words, []int{a + 1, b + 1})
		}
	}
	const n, wordLen, gap = 1600, 440, 160
	x := data.NewArray(len(words), n)
	for i, labels := range words {
		row := x.Row(i)
		for j := range row {
			row[j] = float32(0.005 * rng.NormFloat64())
		}
		start := 120 + rng.IntN(80)
		for _, k := range labels {
			f := toneWords[k-1]
			for j := range wordLen {
				env := 0.5 - 0.5*math.Cos(2*math.Pi*float64(j)/wordLen)
				row[start+j] += float32(0.5 * env * math.Sin(2*math.Pi*f*float64(j)/8000))
			}
			start += wordLen + gap
		}
	}
	return x, words
}

// speechArch is a tiny DeepSpeech-like recogniser: a log mel front end, a
// frame-wise dense layer with the clipped ReLU, a bidirectional LSTM and
// frame-wise logits over the blank and the tone words.
func speechArch(samples int) Arch {
	return Arch{Name: "tiny_speech", Input: []int{samples}, Layers: []LayerSpec{
		{Name: "mel", Kind: LogMel, Mel: MelSpec{Rate: 8000, Frame: 200, Hop: 80, Mels: 16, FMin: 20, FMax: 4000}},
		{Name: "dense_1", Kind: Dense, Units: 16, Activation: "relu20"},
		{Name: "bilstm", Kind: BiLSTM, Units: 12, ReturnSequences: true},
		{Name: "logits", Kind: Dense, Units: len(toneWords) + 1},
	}}
}

// TestSpeechCTCEndToEnd trains the tiny recogniser with CTC through
// Gradients and Step (Adam, learning rate 0.02, 150 steps of the whole
// batch) on the 12 tone utterances (18 frames each), and
// checks that the loss falls and that greedy decoding then transcribes
// every utterance; the gradients must not depend on the number of
// workers.
func TestSpeechCTCEndToEnd(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	x, labels := toneUtterances(rng)
	m, err := New(speechArch(x.RowSize()))
	if err != nil {
		t.Fatal(err)
	}
	m.InitGlorot(1)
	classes := len(toneWords) + 1
	opt := NewAdam()
	opt.LR = 0.02
	var first, loss float64
	for step := range 150 {
		logits, err := m.Predict(x, 0)
		if err != nil {
			t.Fatal(err)
		}
		var up *data.Array
		loss, up, err = CTCBatch(logits, classes, labels, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if step == 0 {
			first = loss
		}
		workers := 1 + step%3 // 1, 2 or 3: the same gradients
		g, err := m.Gradients(x, up, GradientOptions{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		m.Step(opt, g.Params)
	}
	t.Logf("CTC loss %.3f → %.3f", first, loss)
	if !(loss < first/4) {
		t.Errorf("CTC loss %.3f → %.3f: did not fall to a quarter", first, loss)
	}
	logits, err := m.Predict(x, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range labels {
		got := GreedyDecode(logits.Row(i), classes, 0)
		beam, _ := BeamDecode(logits.Row(i), classes, 0, 8)
		if !slices.Equal(got, want) || !slices.Equal(beam, want) {
			t.Errorf("utterance %d: greedy %v, beam %v, want %v", i, got, beam, want)
		}
	}
	checkWorkers(t, speechArch(x.RowSize()), 11)
}
