package attack

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/dsp/fourier"
)

// Psychoacoustic is the frequency-masking model of Qin, Carlini, Cottrell,
// Goodfellow and Raffel (2019, "Imperceptible, robust, and targeted
// adversarial examples for automatic speech recognition", Section 3 and
// their public code), itself a simplification of MPEG-1's psychoacoustic
// model 1. For an utterance x it gives θ_x(f, k), the level below which a
// sound in frequency bin k of frame f is masked by x:
//
//  1. the STFT of x with a periodic Hann window of Window samples every
//     Hop samples (no padding at the start; the end padded with zeros to
//     a whole frame), its power |S(f, k)|² normalised so that the loudest
//     bin of the whole utterance is 96 dB SPL: p̄(f, k) = 96 + 10·log10(
//     |S(f, k)|² / M), M = max over f, k (the authors' code takes the
//     maximum over the utterance, not per frame, so the silent frames
//     between digits get no masking of their own; the window's gain and
//     the 1/N of their PSD cancel in the ratio);
//  2. the maskers of a frame: its local maxima (p̄ above both neighbours),
//     each smoothed with them, P = 10·log10(Σ_{i=−1..1} 10^{p̄(k+i)/10}),
//     kept if above the absolute threshold of hearing, then, walking up
//     the frequencies, of two maskers less than 0.5 Bark apart only the
//     louder;
//  3. each masker j at Bark z_j of level P_j masks bin k at Bark z with
//     T_j = P_j − 6.025 − 0.275·z_j + SF(z − z_j), the two-slope
//     spreading function SF(Δ) = 27·Δ below the masker and
//     (−27 + 0.37·max(P_j − 40, 0))·Δ above it;
//  4. θ_x(f, k) = 10·log10(10^{ATH(k)/10} + Σ_j 10^{T_j(k)/10}).
//
// The Bark scale is z(f) = 13·atan(0.00076·f) + 3.5·atan((f/7500)²), the
// absolute threshold of hearing ATH(f) = 3.64·f^−0.8 − 6.5·exp(−0.6·(f −
// 3.3)²) + 10^−3·f⁴ − 12 dB with f in kHz (the −12 as in the authors'
// code), and +Inf below 20 Hz, where the formula does not hold (those
// bins are then never penalised).
//
// The paper's audio is 16 kHz with a window of 2048 samples every 512.
// NewPsychoacoustic keeps their durations at any rate, 128 ms windows
// every 32 ms (1024 every 256 at FSDD's 8 kHz): the bins are then as wide
// (7.8 Hz) as theirs, so the spreading function covers as many bins per
// Bark and a masker's reach is the same; a window of 32 ms (the
// recogniser's) would have 31 Hz bins, four times coarser than the model
// was tuned on. The STFT of δ costs a few per cent of the network's
// forward and backward pass at either size.
type Psychoacoustic struct {
	Rate   int // sample rate, Hz
	Window int // STFT window, samples: even, at least 4
	Hop    int // STFT hop, samples, at least 1
}

// NewPsychoacoustic returns the model with the paper's 128 ms window and
// 32 ms hop at the sample rate rate (rounded to an even number of
// samples).
func NewPsychoacoustic(rate int) Psychoacoustic {
	w := int(math.Round(float64(rate)*0.128/2)) * 2
	return Psychoacoustic{Rate: rate, Window: w, Hop: w / 4}
}

// Bark returns the critical-band rate of the frequency f Hz.
func Bark(f float64) float64 {
	return 13*math.Atan(0.00076*f) + 3.5*math.Atan((f/7500)*(f/7500))
}

// HearingThreshold returns the absolute threshold of hearing at f Hz in
// dB SPL (Psychoacoustic's ATH), +Inf below 20 Hz.
func HearingThreshold(f float64) float64 {
	if f < 20 {
		return math.Inf(1)
	}
	k := f / 1000
	return 3.64*math.Pow(k, -0.8) - 6.5*math.Exp(-0.6*(k-3.3)*(k-3.3)) + 1e-3*math.Pow(k, 4) - 12
}

func (p Psychoacoustic) check() error {
	if p.Rate < 1 || p.Window < 4 || p.Window%2 != 0 || p.Hop < 1 {
		return fmt.Errorf("psychoacoustic model: rate %d, window %d (even, at least 4), hop %d", p.Rate, p.Window, p.Hop)
	}
	return nil
}

// Bins returns the STFT's frequency bins, Window/2 + 1.
func (p Psychoacoustic) Bins() int { return p.Window/2 + 1 }

// Frames returns the STFT frames of n samples: those starting every Hop
// samples before the last window start that covers sample n−1.
func (p Psychoacoustic) Frames(n int) int {
	if n <= p.Window {
		return 1
	}
	return 1 + (n-p.Window+p.Hop-1)/p.Hop
}

// Masking is the masking threshold of one utterance and the
// differentiable masking loss of a perturbation of it.
type Masking struct {
	p       Psychoacoustic
	n       int       // samples
	frames  int       //
	psdMax  float64   // M: the largest |S(f, k)|² of x
	theta   []float64 // θ_x, dB, [frames × bins]
	thLin   []float64 // 10^{θ/10}, linear
	window  []float64 //
	fft     *fourier.FFT
	seq     []float64 // Window values
	coef    []complex128
	barks   []float64 // Bark of each bin
	aths    []float64 // ATH of each bin
	scratch []float64 // n values
}

// Threshold computes θ_x for the utterance x (its own samples only). It
// returns an error for an invalid model or a silent x, whose threshold
// is not defined.
func (p Psychoacoustic) Threshold(x []float32) (*Masking, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	if len(x) == 0 || maxAbs(x) == 0 {
		return nil, fmt.Errorf("psychoacoustic model: a silent utterance of %d samples has no masking threshold", len(x))
	}
	m := p.newMasking(len(x))
	bins := p.Bins()
	pow := make([]float64, m.frames*bins)
	for f := range m.frames {
		m.spectrum(x, f)
		for k, c := range m.coef {
			pow[f*bins+k] = real(c)*real(c) + imag(c)*imag(c)
		}
	}
	for _, v := range pow {
		m.psdMax = max(m.psdMax, v)
	}
	db := make([]float64, bins)
	for f := range m.frames {
		for k := range db {
			db[k] = 96 + 10*math.Log10(max(pow[f*bins+k]/m.psdMax, 1e-30))
		}
		m.frameThreshold(db, m.theta[f*bins:(f+1)*bins])
	}
	for i, t := range m.theta {
		m.thLin[i] = math.Pow(10, t/10)
	}
	return m, nil
}

func (p Psychoacoustic) newMasking(n int) *Masking {
	bins := p.Bins()
	m := &Masking{p: p, n: n, frames: p.Frames(n), window: make([]float64, p.Window), fft: fourier.NewFFT(p.Window),
		seq: make([]float64, p.Window), coef: make([]complex128, bins), barks: make([]float64, bins),
		aths: make([]float64, bins), scratch: make([]float64, n)}
	m.theta, m.thLin = make([]float64, m.frames*bins), make([]float64, m.frames*bins)
	for j := range m.window {
		m.window[j] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(j)/float64(p.Window))
	}
	for k := range bins {
		f := float64(k) * float64(p.Rate) / float64(p.Window)
		m.barks[k], m.aths[k] = Bark(f), HearingThreshold(f)
	}
	return m
}

// spectrum puts the windowed FFT of frame f of v (zero beyond its end)
// in m.coef.
func (m *Masking) spectrum(v []float32, f int) {
	start := f * m.p.Hop
	for j := range m.seq {
		var s float64
		if start+j < len(v) {
			s = float64(v[start+j])
		}
		m.seq[j] = s * m.window[j]
	}
	m.fft.Coefficients(m.coef, m.seq)
}

// frameThreshold writes into theta the global threshold of a frame of
// normalised PSD db (dB).
func (m *Masking) frameThreshold(db, theta []float64) {
	idx, lvl := m.maskers(db)
	for k := range theta {
		sum := math.Pow(10, m.aths[k]/10)
		for i, j := range idx {
			dz := m.barks[k] - m.barks[j]
			slope := 27.0
			if dz > 0 {
				slope = -27 + 0.37*max(lvl[i]-40, 0)
			}
			sum += math.Pow(10, (lvl[i]-6.025-0.275*m.barks[j]+slope*dz)/10)
		}
		theta[k] = 10 * math.Log10(sum)
	}
}

// maskers returns the bins and smoothed levels of a frame's maskers,
// those above the hearing threshold, thinned to one per half Bark.
func (m *Masking) maskers(db []float64) (idx []int, lvl []float64) {
	for k := 1; k+1 < len(db); k++ {
		if !(db[k] > db[k-1] && db[k] > db[k+1]) {
			continue
		}
		p := 10 * math.Log10(math.Pow(10, db[k-1]/10)+math.Pow(10, db[k]/10)+math.Pow(10, db[k+1]/10))
		if p > m.aths[k] {
			idx, lvl = append(idx, k), append(lvl, p)
		}
	}
	keep := make([]bool, len(idx))
	prev := 0
	for i := range idx {
		keep[i] = true
		if i == 0 || m.barks[idx[i]]-m.barks[idx[prev]] >= 0.5 {
			prev = i
			continue
		}
		if lvl[prev] < lvl[i] {
			keep[prev], prev = false, i
		} else {
			keep[i] = false
		}
	}
	var outIdx []int
	var outLvl []float64
	for i, k := range keep {
		if k {
			outIdx, outLvl = append(outIdx, idx[i]), append(outLvl, lvl[i])
		}
	}
	return outIdx, outLvl
}

// Frames returns the STFT frames of the utterance.
func (m *Masking) Frames() int { return m.frames }

// Theta returns θ_x of frame f in dB SPL, one value per bin (the model's
// own slice: do not modify it).
func (m *Masking) Theta(f int) []float64 {
	b := m.p.Bins()
	return m.theta[f*b : (f+1)*b]
}

// Loss returns the masking loss of the perturbation delta (of the
// utterance's length), the mean over the frames and bins of
//
//	max(P̄_δ(f, k) − 10^{θ_x(f, k)/10}, 0),   P̄_δ = 10^{9.6}·|S_δ(f, k)|² / M,
//
// the PSD of δ normalised with x's maximum M and compared with θ_x in
// power, not in dB (as the authors' code does: the log of δ's PSD, −∞
// where δ is silent, would make the loss and its gradient blow up). If
// grad is not nil it receives the gradient w.r.t. delta, computed by hand:
// with G_k = m_k·S_k, m_k the bin's weight where it exceeds θ, the
// gradient of |S_k|² w.r.t. the windowed frame is 2·Re Σ_k G_k·e^{2πijk/N},
// an inverse real FFT, summed over the overlapping frames.
func (m *Masking) Loss(delta []float32, grad []float32) float64 {
	if len(delta) != m.n || (grad != nil && len(grad) != m.n) {
		panic(fmt.Sprintf("attack: masking loss of %d samples (gradient %d) for an utterance of %d", len(delta), len(grad), m.n))
	}
	bins, hop := m.p.Bins(), m.p.Hop
	scale := math.Pow(10, 9.6) / m.psdMax
	norm := 1 / float64(m.frames*bins)
	acc := m.scratch
	clear(acc)
	var loss float64
	for f := range m.frames {
		m.spectrum(delta, f)
		th := m.thLin[f*bins : (f+1)*bins]
		for k, c := range m.coef {
			d := scale*(real(c)*real(c)+imag(c)*imag(c)) - th[k]
			if d > 0 {
				loss += d
				m.coef[k] = c * complex(scale*norm, 0)
			} else {
				m.coef[k] = 0
			}
		}
		if grad == nil {
			continue
		}
		m.coef[0] *= 2
		m.coef[bins-1] *= 2
		m.fft.Sequence(m.seq, m.coef)
		for j, v := range m.seq {
			if i := f*hop + j; i < m.n {
				acc[i] += v * m.window[j]
			}
		}
	}
	for i, v := range acc {
		if grad != nil {
			grad[i] = float32(v)
		}
	}
	return loss * norm
}
