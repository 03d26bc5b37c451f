package report

import (
	"fmt"
	"slices"
)

// Audio holds the results of the audio study (kind audio): one row group
// per model, data condition and attack, in the published table's shape.
type Audio struct {
	Rows []AudioRow `json:"rows"`
	// Example is one clean utterance and its adversarial version, for the
	// waveform and spectrogram figure; nil when no attack succeeded.
	Example *AudioExample `json:"example,omitempty"`
}

// AudioRow is one row group of the audio table.
type AudioRow struct {
	Name string `json:"name"`
	// Model is the architecture's name, Weights the SHA-256 of its weights
	// file.
	Model   string `json:"model"`
	Weights string `json:"weights"`
	// Condition is "clean" or "noisy, SNR 10–30 dB"; Attack "CW, 100
	// steps from -10 dB_x" and the like.
	Condition string `json:"condition"`
	Attack    string `json:"attack"`
	// Background, Clean and Sources are the numbers of utterances; the
	// adversarial ones are the successes among the sources that have a
	// clean utterance of as many digits, Clean those clean utterances (a
	// length-matched subset of the Drawn ones); Unmatched counts the
	// successes left without one.
	Background  int `json:"background"`
	Clean       int `json:"clean"`
	Drawn       int `json:"drawn"`
	Sources     int `json:"sources"`
	Adversarial int `json:"adversarial"`
	Unmatched   int `json:"unmatched"`
	// Length are the utterances' lengths and the scores' dependence on
	// them.
	Length AudioLength `json:"length"`
	// DBx are the dB_x distortions of the successful examples, in order.
	DBx []float64 `json:"db_x"`
	// SNR are the successes' signal-to-perturbation ratios in dB,
	// 10·log10(Σx²/Σδ²), in order: the perturbations' power, comparable
	// with the controls' noise.
	SNR []float64 `json:"snr"`
	// WER and CER are the model's error rates (greedy decoding) on the
	// clean utterances of the row's condition.
	WER float64 `json:"wer"`
	CER float64 `json:"cer"`
	// Columns are the table's SS columns: a node design and a tail each.
	Columns []SSColumn   `json:"columns"`
	Layers  []AudioLayer `json:"layers"`
	TD      AudioTD      `json:"td"`
	DU      AudioDU      `json:"du"`
	// Controls are the scans' controls, one per SNR; none when not asked
	// for.
	Controls []AudioControl `json:"controls,omitempty"`
	// Published is the paper's row beside this one; nil when none.
	Published *AudioPublished `json:"published,omitempty"`
}

// AudioLength are the mean lengths of a row's background, clean and
// adversarial utterances (in that order), in digits and in seconds, and
// for each SS column of the table (Spearman[c], in the row's Columns'
// order) and each scanned layer the Spearman correlation between the
// subset scores of the clean and adversarial utterances and their length
// in samples: the flat scans see the padded input, so that longer
// utterances can score higher whatever their content. A correlation is nil
// (null in results.json, "–" in the report) where it is undefined: the
// scores or the lengths are all equal (a dead layer, say).
type AudioLength struct {
	Digits   [3]float64   `json:"digits"`
	Seconds  [3]float64   `json:"seconds"`
	Spearman [][]*float64 `json:"spearman"`
}

// The node designs of the audio scans (SSColumn.Nodes).
const (
	// NodesFlat are the paper's: each time step × unit of the layer's
	// output over the whole padded input.
	NodesFlat = "flat"
	// NodesSummary are each unit's mean, maximum, minimum and standard
	// deviation over the utterance's own frames.
	NodesSummary = "summary"
)

// SSColumn is an SS column of the audio table: a node design (NodesFlat
// or NodesSummary) and the tail of its scans.
type SSColumn struct {
	Nodes string `json:"nodes"`
	Tail  int    `json:"tail"`
}

// AudioLayer is one scanned layer of a row: the subset scans of the clean
// and adversarial utterances, for each of the row's columns and, where
// the run scanned them, with the other tail too.
type AudioLayer struct {
	Layer string `json:"layer"`
	// Dims is the layer's output shape: time steps × units (or time ×
	// frequency × channels).
	Dims  []int    `json:"dims"`
	Scans []SSTail `json:"scans"`
}

// Scan returns the layer's scan of column c, nil when there is none.
func (l *AudioLayer) Scan(c SSColumn) *SSTail {
	for i, s := range l.Scans {
		if s.Nodes == c.Nodes && s.Tail == c.Tail {
			return &l.Scans[i]
		}
	}
	return nil
}

// SSTail is the individual-scan result of one layer with one node design
// and one tail.
type SSTail struct {
	Nodes string     `json:"nodes"`
	Tail  int        `json:"tail"`
	AUC   float64    `json:"auc"`
	CI    [2]float64 `json:"ci"`
	// Clean and Adversarial are the subset scores.
	Clean       []float64 `json:"clean"`
	Adversarial []float64 `json:"adversarial"`
}

// AudioTD is the temporal-dependency baseline of a row: the transcript of
// the first K of each waveform against the same-length prefix of the
// whole one's, by word and character error rate and by the longest common
// prefix, each an AUC of clean vs adversarial; Used names the one the
// table shows.
type AudioTD struct {
	K       float64               `json:"k"`
	Used    string                `json:"used"`
	AUC     map[string]float64    `json:"auc"`
	CI      map[string][2]float64 `json:"ci"`
	Clean   map[string][]float64  `json:"clean"`
	Adv     map[string][]float64  `json:"adversarial"`
	Metrics []string              `json:"metrics"`
}

// AudioDU is the down/up-sampling baseline of a row: each waveform
// resampled to Rate Hz and back and transcribed again. Accuracy is that
// of "the transcript changed" as the detector on a balanced set (as many
// clean utterances as adversarial ones, the first), in %; AUC that of the
// character error rate between the two transcripts, clean vs
// adversarial, on all of them.
type AudioDU struct {
	Rate     int        `json:"rate"`
	Balanced int        `json:"balanced"`
	Accuracy float64    `json:"accuracy"`
	AUC      float64    `json:"auc"`
	CI       [2]float64 `json:"ci"`
	Clean    []float64  `json:"clean"`
	Adv      []float64  `json:"adversarial"`
}

// AudioControl is the scans' control of a row: the scans (the table's
// columns, without their scores) of its clean utterances against
// themselves with white noise at SNR dB, per layer.
type AudioControl struct {
	SNR    float64      `json:"snr"`
	Layers []AudioLayer `json:"layers"`
}

// AudioPublished is the published row a row stands beside: the paper's
// label, counts (background, clean, adversarial), layer dimensions, TD
// AUC and DU accuracy in % (nil where it prints NA) and SS AUC per layer.
type AudioPublished struct {
	Row    string    `json:"row"`
	Counts [3]int    `json:"counts"`
	Dims   []string  `json:"dims"`
	TD     *float64  `json:"td,omitempty"`
	DU     *float64  `json:"du,omitempty"`
	SS     []float64 `json:"ss"`
}

// AudioExample is one clean utterance of a row's attack sources and its
// adversarial version: their samples (own samples only, at Rate Hz),
// transcripts and the perturbation's dB_x.
type AudioExample struct {
	Row         string    `json:"row"`
	Rate        int       `json:"rate"`
	Transcript  string    `json:"transcript"`
	Target      string    `json:"target"`
	DBx         float64   `json:"db_x"`
	Clean       []float32 `json:"clean"`
	Adversarial []float32 `json:"adversarial"`
}

// Check checks what an audio study's results can be checked for without
// the paper's models: that every cell of the table exists (each row has
// a layer, columns of known node designs and tails, its TD AUC, DU
// accuracy and AUC, and an SS AUC with its interval for every layer and
// column, all finite and in range, and as many layers as its published
// row; each of its controls a scan of every column in every layer), and
// that the sample counts agree with each
// other (the scores of each scan, the dB_x of the successes, the balanced
// DU set, the clean utterances drawn and the successes, one length
// correlation per column and layer).
// It returns the number of cells checked and a line per problem.
func (a *Audio) Check() (cells int, problems []string) {
	bad := func(row, format string, args ...any) {
		problems = append(problems, row+": "+fmt.Sprintf(format, args...))
	}
	for _, r := range a.Rows {
		if r.Background < 2 || r.Clean < 2 || r.Adversarial < 2 || r.Adversarial+r.Unmatched > r.Sources || len(r.DBx) != r.Adversarial || len(r.SNR) != r.Adversarial ||
			r.Clean > r.Drawn || r.Unmatched < 0 {
			bad(r.Name, "counts: %d background, %d of %d clean, %d (and %d unmatched) of %d sources adversarial, %d dB_x, %d SNR",
				r.Background, r.Clean, r.Drawn, r.Adversarial, r.Unmatched, r.Sources, len(r.DBx), len(r.SNR))
		}
		if len(r.Layers) == 0 {
			bad(r.Name, "no scanned layer")
		}
		r.checkColumns(bad)
		if len(r.Length.Spearman) != len(r.Columns) {
			bad(r.Name, "Spearman correlations with the length for %d columns, not %d", len(r.Length.Spearman), len(r.Columns))
		}
		for c, rho := range r.Length.Spearman {
			if len(rho) != len(r.Layers) {
				bad(r.Name, "column %d: %d Spearman correlations with the length for %d layers", c, len(rho), len(r.Layers))
			}
		}
		if p := r.Published; p != nil && (len(p.SS) != len(r.Layers) || len(p.Dims) != len(r.Layers)) {
			bad(r.Name, "%d layers beside a published row of %d", len(r.Layers), len(p.SS))
		}
		cells += 2
		if !unitAUC(r.TD.AUC[r.TD.Used]) {
			bad(r.Name, "TD AUC (%s) %v", r.TD.Used, r.TD.AUC[r.TD.Used])
		}
		if !(r.DU.Accuracy >= 0 && r.DU.Accuracy <= 100) || !unitAUC(r.DU.AUC) || r.DU.Balanced != min(r.Clean, r.Adversarial) {
			bad(r.Name, "DU accuracy %v %%, AUC %v, balanced set of %d", r.DU.Accuracy, r.DU.AUC, r.DU.Balanced)
		}
		cells += r.checkScans(r.Layers, true, bad)
		for k, c := range r.Controls {
			if slices.ContainsFunc(r.Controls[:k], func(o AudioControl) bool { return o.SNR == c.SNR }) {
				bad(r.Name, "control at %g dB twice", c.SNR)
			}
			if len(c.Layers) != len(r.Layers) {
				bad(r.Name, "control at %g dB of %d layers for %d", c.SNR, len(c.Layers), len(r.Layers))
			}
			cells += r.checkScans(c.Layers, false, func(row, format string, args ...any) {
				bad(row, fmt.Sprintf("control at %g dB: ", c.SNR)+format, args...)
			})
		}
	}
	return cells, problems
}

// checkColumns checks that r has SS columns, each of a known node design
// (NodesFlat, NodesSummary) and a tail of 1 or 2, no design twice.
func (r *AudioRow) checkColumns(bad func(row, format string, args ...any)) {
	if len(r.Columns) == 0 {
		bad(r.Name, "no SS column")
	}
	for i, c := range r.Columns {
		switch {
		case c.Nodes != NodesFlat && c.Nodes != NodesSummary:
			bad(r.Name, "column %d: unknown node design %q", i, c.Nodes)
		case c.Tail != 1 && c.Tail != 2:
			bad(r.Name, "column %d: %s nodes %d-tailed", i, c.Nodes, c.Tail)
		case slices.ContainsFunc(r.Columns[:i], func(o SSColumn) bool { return o.Nodes == c.Nodes }):
			bad(r.Name, "column %d: %s nodes twice", i, c.Nodes)
		}
	}
}

// checkScans checks that each of layers has a scan of every column of r,
// and each scan a valid AUC and interval and, with scores, one score per
// clean and adversarial utterance; it returns the cells checked.
func (r *AudioRow) checkScans(layers []AudioLayer, scores bool, bad func(row, format string, args ...any)) int {
	cells := 0
	for _, l := range layers {
		for _, c := range r.Columns {
			cells++
			if l.Scan(c) == nil {
				bad(r.Name, "layer %s has no %s %d-tailed scan", l.Layer, c.Nodes, c.Tail)
			}
		}
		for _, s := range l.Scans {
			if !unitAUC(s.AUC) || !(s.CI[0] <= s.AUC && s.AUC <= s.CI[1]) || scores && (len(s.Clean) != r.Clean || len(s.Adversarial) != r.Adversarial) {
				bad(r.Name, "layer %s, %s %d-tailed: AUC %v, CI %v, %d clean and %d adversarial scores", l.Layer, s.Nodes, s.Tail, s.AUC, s.CI, len(s.Clean), len(s.Adversarial))
			}
		}
	}
	return cells
}

// unitAUC reports whether v is an AUC: in [0, 1] (so not NaN).
func unitAUC(v float64) bool { return v >= 0 && v <= 1 }
