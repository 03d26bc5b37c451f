package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"gonum.org/v1/gonum/dsp/fourier"
)

// LogMel is the layer kind of a log mel spectrogram, a speech recogniser's
// front end as a layer, so that gradients reach the waveform (attacks
// optimise the samples). Its input is a waveform [n] or [n, 1] (a fixed
// length: pad shorter utterances with silence); its output is
// [frames, Mel.Mels] with frames = 1 + ⌊(n − Frame)/Hop⌋, no padding at
// either end (tf.signal.stft with pad_end false). It has no params. Frame
// f is
//
//	x_f[j]  = w[j]·input[f·Hop + j] for j < Frame, 0 up to FFT,
//	P_f[k]  = |Σ_j x_f[j]·e^{−2πijk/FFT}|²            (k ≤ FFT/2: power)
//	out[f,m] = ln(Σ_k W[m,k]·P_f[k] + Eps),
//
// with w the periodic Hann window w[j] = ½ − ½·cos(2πj/Frame) (TensorFlow
// and librosa's default), the FFT from gonum's dsp/fourier, and W the mel
// filter bank of TensorFlow's tf.signal.linear_to_mel_weight_matrix: the
// HTK mel scale mel(f) = 1127·ln(1 + f/700) (= 2595·log10(1 + f/700)),
// Mels+2 edges evenly spaced in mel from FMin to FMax, triangles of peak
// 1 computed in mel on the bins' frequencies k·Rate/FFT, and no weight
// on the DC bin. The values are computed in float64 and rounded to
// float32 at the output. The gradient w.r.t. the waveform goes back
// through the log, the filter bank, |·|² and the DFT (a real inverse FFT
// of the spectrum times the gradient w.r.t. the power), and is summed over
// the overlapping frames in frame order.
const LogMel = "log_mel"

func init() { register(LogMel, newLogMel) }

// MelSpec configures a LogMel layer (LayerSpec.Mel). For FSDD's 8 kHz
// audio, DeepSpeech-like frames of 25 ms every 10 ms are Frame 200, Hop
// 80; 40 mels from 20 Hz to 4 kHz are Mels 40, FMin 20, FMax 4000.
type MelSpec struct {
	// Rate is the input's sample rate in Hz. Required.
	Rate int `yaml:"rate" json:"rate"`
	// Frame and Hop are the window length and the hop, in samples.
	// Required.
	Frame int `yaml:"frame" json:"frame"`
	Hop   int `yaml:"hop" json:"hop"`
	// FFT is the FFT length, even and at least Frame; 0 means the
	// smallest power of two at least Frame (256 for 200).
	FFT int `yaml:"fft,omitempty" json:"fft,omitempty"`
	// Mels is the number of mel bins. Required.
	Mels int `yaml:"mels" json:"mels"`
	// FMin and FMax bound the filter bank in Hz, 0 ≤ FMin < FMax ≤
	// Rate/2; FMax 0 means Rate/2.
	FMin float64 `yaml:"fmin,omitempty" json:"fmin,omitempty"`
	FMax float64 `yaml:"fmax,omitempty" json:"fmax,omitempty"`
	// Eps is added to the mel energies before the log; 0 means 1e-6
	// (ln 1e-6 ≈ −13.8, the output of digital silence).
	Eps float64 `yaml:"eps,omitempty" json:"eps,omitempty"`
}

// logMel is a LogMel layer.
type logMel struct {
	spec           MelSpec // with its defaults resolved
	n, frames, fft int
	window         []float64
	bank           []float64 // Mels × (FFT/2+1), row-major
	lo, hi         []int     // the bins [lo[m], hi[m]) where mel m's weights are not 0
	work           sync.Pool // *melWork: an FFT and its buffers, per goroutine
}

// melWork is what one goroutine needs to run a LogMel layer on a sample.
type melWork struct {
	fft  *fourier.FFT
	seq  []float64    // FFT values
	coef []complex128 // FFT/2+1 values
	pow  []float64    // FFT/2+1 values
	mel  []float64    // Mels values
	acc  []float64    // n values: the input gradient
}

func newLogMel(spec LayerSpec, in [][]int) (layer, error) {
	s, err := oneInput(in)
	if err != nil {
		return nil, err
	}
	if len(s) > 2 || (len(s) == 2 && s[1] != 1) {
		return nil, fmt.Errorf("needs a waveform [samples] or [samples 1]")
	}
	m := spec.Mel
	if err := m.resolve(); err != nil {
		return nil, err
	}
	if s[0] < m.Frame {
		return nil, fmt.Errorf("%d samples are fewer than a frame of %d", s[0], m.Frame)
	}
	l := &logMel{spec: m, n: s[0], frames: 1 + (s[0]-m.Frame)/m.Hop, fft: m.FFT}
	l.window = make([]float64, m.Frame)
	for j := range l.window {
		l.window[j] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(j)/float64(m.Frame))
	}
	l.melBank()
	l.work.New = func() any {
		bins := l.fft/2 + 1
		return &melWork{fft: fourier.NewFFT(l.fft), seq: make([]float64, l.fft), coef: make([]complex128, bins),
			pow: make([]float64, bins), mel: make([]float64, m.Mels), acc: make([]float64, l.n)}
	}
	return l, nil
}

// resolve checks the spec and sets its defaults.
func (m *MelSpec) resolve() error {
	if m.Rate < 1 || m.Frame < 1 || m.Hop < 1 || m.Mels < 1 {
		return fmt.Errorf("mel: rate %d, frame %d, hop %d and mels %d must be positive", m.Rate, m.Frame, m.Hop, m.Mels)
	}
	if m.FFT == 0 {
		m.FFT = 2
		for m.FFT < m.Frame {
			m.FFT *= 2
		}
	}
	if m.FFT < m.Frame || m.FFT%2 != 0 {
		return fmt.Errorf("mel: fft %d must be even and at least the frame %d", m.FFT, m.Frame)
	}
	if m.FMax == 0 {
		m.FMax = float64(m.Rate) / 2
	}
	if !(m.FMin >= 0 && m.FMin < m.FMax && m.FMax <= float64(m.Rate)/2) {
		return fmt.Errorf("mel: need 0 ≤ fmin %v < fmax %v ≤ rate/2", m.FMin, m.FMax)
	}
	if m.Eps == 0 {
		m.Eps = 1e-6
	}
	if !(m.Eps > 0) {
		return fmt.Errorf("mel: eps %v must be positive", m.Eps)
	}
	return nil
}

// hzToMel is the HTK mel scale.
func hzToMel(f float64) float64 { return 1127 * math.Log1p(f/700) }

// melBank computes the filter bank and each filter's range of bins.
func (l *logMel) melBank() {
	m, bins := l.spec, l.fft/2+1
	l.bank = make([]float64, m.Mels*bins)
	l.lo, l.hi = make([]int, m.Mels), make([]int, m.Mels)
	lo, hi := hzToMel(m.FMin), hzToMel(m.FMax)
	edge := func(i int) float64 { return lo + (hi-lo)*float64(i)/float64(m.Mels+1) }
	for b := range m.Mels {
		left, center, right := edge(b), edge(b+1), edge(b+2)
		l.lo[b], l.hi[b] = bins, 0
		for k := 1; k < bins; k++ { // no weight on the DC bin
			mel := hzToMel(float64(k) * float64(m.Rate) / float64(l.fft))
			w := max(0, min((mel-left)/(center-left), (right-mel)/(right-center)))
			if w > 0 {
				l.bank[b*bins+k] = w
				l.lo[b], l.hi[b] = min(l.lo[b], k), k+1
			}
		}
		l.lo[b] = min(l.lo[b], l.hi[b])
	}
}

func (l *logMel) outShape() []int { return []int{l.frames, l.spec.Mels} }
func (l *logMel) params() []param { return nil }
func (l *logMel) init(*rand.Rand) {}
func (l *logMel) needs() needs    { return needs{} }

// spectrum computes frame f's windowed FFT into w.coef, its power into
// w.pow and its mel energies into w.mel.
func (l *logMel) spectrum(w *melWork, x []float32, f int) {
	x = x[f*l.spec.Hop:][:l.spec.Frame]
	for j, v := range x {
		w.seq[j] = float64(v) * l.window[j]
	}
	clear(w.seq[len(x):])
	w.fft.Coefficients(w.coef, w.seq)
	for k, c := range w.coef {
		w.pow[k] = real(c)*real(c) + imag(c)*imag(c)
	}
	bins := len(w.pow)
	for b := range w.mel {
		var e float64
		for k := l.lo[b]; k < l.hi[b]; k++ {
			e += l.bank[b*bins+k] * w.pow[k]
		}
		w.mel[b] = e
	}
}

func (l *logMel) forward(out []float32, in [][]float32, _, _ [][]float32, _ bool) {
	w := l.work.Get().(*melWork)
	defer l.work.Put(w)
	mels := l.spec.Mels
	for f := range l.frames {
		l.spectrum(w, in[0], f)
		for b, e := range w.mel {
			out[f*mels+b] = float32(math.Log(e + l.spec.Eps))
		}
	}
}

// backward recomputes each frame's spectrum, then takes the gradient
// through the log (g/(e+Eps)), the filter bank (Wᵀ), the power (2·X_k
// times the gradient w.r.t. P_k) and the DFT: with G_k = ∂P_k·X_k, the
// gradient w.r.t. x_f[j] is 2·Re Σ_{k ≤ FFT/2} G_k·e^{2πijk/FFT}, gonum's
// unnormalised real inverse FFT of G with G_0 and G_{FFT/2} doubled.
func (l *logMel) backward(gin [][]float32, gout, _ []float32, in [][]float32, _, _, _ [][]float32) {
	if gin[0] == nil {
		return
	}
	w := l.work.Get().(*melWork)
	defer l.work.Put(w)
	clear(w.acc)
	mels, bins, hop := l.spec.Mels, l.fft/2+1, l.spec.Hop
	for f := range l.frames {
		l.spectrum(w, in[0], f)
		clear(w.pow) // now the gradient w.r.t. the power
		for b, g := range gout[f*mels : (f+1)*mels] {
			d := float64(g) / (w.mel[b] + l.spec.Eps)
			for k := l.lo[b]; k < l.hi[b]; k++ {
				w.pow[k] += l.bank[b*bins+k] * d
			}
		}
		for k, d := range w.pow {
			w.coef[k] *= complex(d, 0)
		}
		w.coef[0] *= 2
		w.coef[bins-1] *= 2
		w.fft.Sequence(w.seq, w.coef)
		acc := w.acc[f*hop:][:l.spec.Frame]
		for j, v := range w.seq[:l.spec.Frame] {
			acc[j] += v * l.window[j]
		}
	}
	for i, v := range w.acc {
		gin[0][i] = float32(v)
	}
}
