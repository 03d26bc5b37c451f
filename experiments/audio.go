package experiments

import (
	"fmt"
	"math"
	"slices"

	"subsetscan/nn"
	"subsetscan/nn/asr"
	"subsetscan/report"
)

func init() { Register(audioKind{}) }

// audioKind is the kind audio: the audio table of Akinwande, Cintas,
// Speakman and Sridharan (2020), "Identifying audio adversarial examples
// via anomalous pattern detection", on this project's analog: spoken
// digit strings of FSDD (package fsdd) through recurrent CTC recognisers
// trained here (package asr). Each row group is one model, one data
// condition and one attack: its background, clean and attack-source
// utterances come from the disjoint pools of asr.Pools; the successful
// adversarial utterances are scanned individually in each scanned layer
// against the clean ones, beside the temporal dependency (TD) and
// down/up-sampling (DU) baselines. The scans' nodes are the paper's
// (nodesFlat: the layer's time steps × units over the whole padded input)
// and, because those fail the scans' own control (see audio_scan.go), each
// unit's statistics over the utterance's own frames (nodesSummary).
type audioKind struct{}

// audioSettings are the section of kind audio.
type audioSettings struct {
	// Data is the FSDD directory (a clone of release v1.0.10); "" means
	// the copy in the user's cache, downloaded when missing (fsdd.Locate).
	Data string `yaml:"data" json:"data,omitempty" cfg:"path"`
	// Rows are the row groups of the table, in order.
	Rows []audioRow `yaml:"rows" json:"rows" cfg:"required"`
}

// audioRow is one row group: a model, a data condition and an attack.
type audioRow struct {
	// Name names the row group in the results and its cached attack set.
	Name      string         `yaml:"name" json:"name" cfg:"required"`
	Model     audioModel     `yaml:"model" json:"model" cfg:"required"`
	Condition audioCondition `yaml:"condition" json:"condition" cfg:"required"`
	Attack    audioAttack    `yaml:"attack" json:"attack" cfg:"required"`
	Counts    audioCounts    `yaml:"counts" json:"counts" cfg:"required"`
	// Layers are the scanned layers, in the table's order.
	Layers []string `yaml:"layers" json:"layers" cfg:"required"`
	// Nodes are the node designs scanned, the table's SS columns in this
	// order: nodesFlat and nodesSummary (left out: both).
	Nodes []string `yaml:"nodes" json:"nodes,omitempty"`
	// Tail is the tail of the table's flat scans (1 or 2; left out:
	// scan.tail). Recurrent layers, whose outputs are signed, are also
	// scanned with the other tail, printed beside.
	Tail int `yaml:"tail" json:"tail,omitempty"`
	// SummaryTail is the tail of the table's summary scans (left out: 2,
	// since a unit's minimum or spread has no direction of its own); they
	// are also scanned with the other tail, printed beside.
	SummaryTail int `yaml:"summary_tail" json:"summary_tail,omitempty"`
	// ControlSNR, when given, adds the scans' controls: the clean
	// utterances against themselves with white noise at each of these
	// SNRs (dB), from a change far louder than the attacks' to one as
	// loud (the report prints the perturbations' SNR).
	ControlSNR []float64 `yaml:"control_snr" json:"control_snr,omitempty"`
	// TDK is the fraction k of each waveform the TD baseline transcribes
	// (in (0, 1); left out: 1/2).
	TDK float64 `yaml:"td_k" json:"td_k,omitempty"`
	// DURate is the rate in Hz the DU baseline resamples to and back from
	// (in [1000, the model's rate); left out: 4000).
	DURate int `yaml:"du_rate" json:"du_rate,omitempty"`
	// Published is the paper's row this one stands beside.
	Published *audioPublished `yaml:"published" json:"published,omitempty"`
}

// audioModel is a recogniser: a registered architecture whose first layer
// is a log-mel front end on the waveform and whose last gives CTC logits
// over asr.Classes classes, and its weights.
type audioModel struct {
	Arch    string `yaml:"arch" json:"arch" cfg:"required"`
	Weights string `yaml:"weights" json:"weights" cfg:"required,path"`
}

// audioCondition is the data condition: "clean" strings, or "noisy" ones
// with white noise at an SNR drawn per utterance in SNR (dB).
type audioCondition struct {
	Name string      `yaml:"name" json:"name" cfg:"required"`
	SNR  *[2]float64 `yaml:"snr" json:"snr,omitempty"`
}

// audioAttack configures the attack on the attack sources (attack.CWAudio).
type audioAttack struct {
	// Method is cw (attack.CWAudio) or ia (attack.Imperceptible, with
	// the CW settings as its stage 1).
	Method string `yaml:"method" json:"method" cfg:"required"`
	// Steps, Check, LR, C, StartDB and Shrink are CWAudio's (ia: stage
	// 1's).
	Steps   int     `yaml:"steps" json:"steps" cfg:"required"`
	Check   int     `yaml:"check" json:"check" cfg:"required"`
	LR      float64 `yaml:"lr" json:"lr" cfg:"required"`
	C       float64 `yaml:"c" json:"c"`
	StartDB float64 `yaml:"start_db" json:"start_db" cfg:"required"`
	Shrink  float64 `yaml:"shrink" json:"shrink" cfg:"required"`
	// Stage2Steps and Stage2LR are ia's stage-2 steps and learning rate
	// (its other settings are attack.NewImperceptible's); required for ia
	// only.
	Stage2Steps int     `yaml:"stage2_steps" json:"stage2_steps,omitempty"`
	Stage2LR    float64 `yaml:"stage2_lr" json:"stage2_lr,omitempty"`
}

// audioCounts are the numbers of utterances: the background, the clean
// ones and the attack sources (the adversarial set is their successes).
type audioCounts struct {
	Background int `yaml:"background" json:"background" cfg:"required"`
	Clean      int `yaml:"clean" json:"clean" cfg:"required"`
	Attack     int `yaml:"attack" json:"attack" cfg:"required"`
}

// audioPublished is the published row a row group stands beside: its
// label, sample counts, layer dimensions, TD AUC and DU accuracy (in %;
// left out where the paper prints NA) and SS AUC per layer.
type audioPublished struct {
	Row    string    `yaml:"row" json:"row" cfg:"required"`
	Counts [3]int    `yaml:"counts" json:"counts" cfg:"required"`
	Dims   []string  `yaml:"dims" json:"dims" cfg:"required"`
	TD     *float64  `yaml:"td" json:"td,omitempty"`
	DU     *float64  `yaml:"du" json:"du,omitempty"`
	SS     []float64 `yaml:"ss" json:"ss" cfg:"required"`
}

// Defaults of the optional keys of a row.
const (
	audioTDK    = 0.5
	audioDURate = 4000
)

// poolSamples is the size of asr.Pools' pools, for the counts' checks:
// strings are drawn from a pool's recordings with repetition across
// strings, so a count may exceed the pool, but not by more than
// maxStringsPerRecording strings per recording.
const maxStringsPerRecording = 4

// Names returns the row groups as the sets and the union of their layers.
func (s *audioSettings) Names(*Config) (sets, layers []string) {
	for _, r := range s.Rows {
		sets = append(sets, r.Name)
		for _, l := range r.Layers {
			if !slices.Contains(layers, l) {
				layers = append(layers, l)
			}
		}
	}
	return sets, layers
}

func (audioKind) Name() string { return "audio" }

// Decode decodes and checks the section.
func (audioKind) Decode(cfg *Config, sec *Section) (Settings, error) {
	return decodeChecked[audioSettings](cfg, sec, "individual")
}

// check checks the settings, whose key is key, and fills the defaults.
func (s *audioSettings) check(cfg *Config, key string) error {
	if len(s.Rows) == 0 {
		return keyErr(key+".rows", "is empty: give at least one row group")
	}
	for i := range s.Rows {
		r, rk := &s.Rows[i], fmt.Sprintf("%s.rows[%d]", key, i)
		if j := slices.IndexFunc(s.Rows[:i], func(o audioRow) bool { return o.Name == r.Name }); j >= 0 {
			return keyErr(rk+".name", "%q is also the name of rows[%d]", r.Name, j)
		}
		if err := r.check(cfg, rk); err != nil {
			return err
		}
	}
	return nil
}

// check checks a row, whose key is key, and fills its defaults.
func (r *audioRow) check(cfg *Config, key string) error {
	if r.Name == "" || !validSetName(r.Name) {
		return keyErr(key+".name", "must be a non-empty file name without slashes or spaces, got %q", r.Name)
	}
	arch, err := r.Model.check(key + ".model")
	if err != nil {
		return err
	}
	for _, c := range []func(string) error{r.Condition.check, r.Attack.check, r.Counts.check} {
		if err := c(key); err != nil {
			return err
		}
	}
	if err := r.checkLayers(arch, key); err != nil {
		return err
	}
	if err := r.checkNodes(cfg, key); err != nil {
		return err
	}
	if r.ControlSNR != nil && len(r.ControlSNR) == 0 {
		return keyErr(key+".control_snr", "is empty: list SNRs in dB, or leave the key out for no control")
	}
	for i, v := range r.ControlSNR {
		k := fmt.Sprintf("%s.control_snr[%d]", key, i)
		switch {
		case !(v >= -20 && v <= 80):
			return keyErr(k, "must lie in [-20, 80] dB, got %v", v)
		case slices.Contains(r.ControlSNR[:i], v):
			return keyErr(k, "%v dB is listed twice", v)
		}
	}
	if r.TDK == 0 {
		r.TDK = audioTDK
	}
	if r.DURate == 0 {
		r.DURate = audioDURate
	}
	mel, _ := asr.MelOf(arch)
	switch {
	case !(r.TDK > 0 && r.TDK < 1):
		return keyErr(key+".td_k", "must lie in (0, 1), got %v", r.TDK)
	case r.DURate < 1000 || r.DURate >= mel.Rate:
		return keyErr(key+".du_rate", "must lie in [1000, %d) Hz (the model's rate), got %d", mel.Rate, r.DURate)
	}
	if p := r.Published; p != nil && (len(p.SS) != len(r.Layers) || len(p.Dims) != len(r.Layers)) {
		return keyErr(key+".published", "has %d ss values and %d dims for the %d layers", len(p.SS), len(p.Dims), len(r.Layers))
	}
	return nil
}

// validSetName reports whether name can name a file of the sets
// directory.
func validSetName(name string) bool {
	for _, c := range name {
		if c == '/' || c == '\\' || c == ' ' {
			return false
		}
	}
	return name != "." && name != ".." && name[0] != '.'
}

// check checks the model, whose key is key, and returns its architecture.
func (m *audioModel) check(key string) (nn.Arch, error) {
	arch, err := nn.ArchByName(m.Arch)
	if err != nil {
		return arch, keyErr(key+".arch", "%v", err)
	}
	if _, err := asr.MelOf(arch); err != nil {
		return arch, keyErr(key+".arch", "%v", err)
	}
	if last := arch.Layers[len(arch.Layers)-1]; last.Units != asr.Classes {
		return arch, keyErr(key+".arch", "%s ends in %d units, not the %d CTC classes of asr", m.Arch, last.Units, asr.Classes)
	}
	if !fileExists(m.Weights) {
		return arch, keyErr(key+".weights", "%s is not a file", m.Weights)
	}
	return arch, nil
}

// check checks the condition of the row whose key is key.
func (c *audioCondition) check(key string) error {
	key += ".condition"
	switch c.Name {
	case "clean":
		if c.SNR != nil {
			return keyErr(key+".snr", "is for condition noisy only")
		}
	case "noisy":
		if c.SNR == nil {
			return keyErr(key+".snr", "is required for condition noisy: the [low, high] SNR in dB")
		}
		lo, hi := c.SNR[0], c.SNR[1]
		if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) || lo > hi || lo < -20 || hi > 80 {
			return keyErr(key+".snr", "must be [low, high] dB with -20 ≤ low ≤ high ≤ 80, got %v", *c.SNR)
		}
	default:
		return keyErr(key+".name", "must be clean or noisy, got %q", c.Name)
	}
	return nil
}

// check checks the attack of the row whose key is key.
func (a *audioAttack) check(key string) error {
	key += ".attack"
	switch {
	case a.Method != "cw" && a.Method != "ia":
		return keyErr(key+".method", "unknown attack %q: known are cw (attack.CWAudio) and ia (attack.Imperceptible)", a.Method)
	case a.Method == "cw" && (a.Stage2Steps != 0 || a.Stage2LR != 0):
		return keyErr(key+".stage2_steps", "stage2_steps and stage2_lr are for attack ia only")
	case a.Method == "ia" && a.Stage2Steps < 1:
		return keyErr(key+".stage2_steps", "must be ≥ 1 for attack ia, got %d", a.Stage2Steps)
	case a.Method == "ia" && !(a.Stage2LR > 0):
		return keyErr(key+".stage2_lr", "must be > 0 for attack ia, got %v", a.Stage2LR)
	case a.Steps < 1:
		return keyErr(key+".steps", "must be ≥ 1, got %d", a.Steps)
	case a.Check < 1 || a.Check > a.Steps:
		return keyErr(key+".check", "must lie in [1, steps], got %d", a.Check)
	case !(a.LR > 0):
		return keyErr(key+".lr", "must be > 0, got %v", a.LR)
	case !(a.C >= 0):
		return keyErr(key+".c", "must be ≥ 0, got %v", a.C)
	case !(a.StartDB < 0):
		return keyErr(key+".start_db", "must be below 0 dB, got %v", a.StartDB)
	case !(a.Shrink > 0 && a.Shrink < 1):
		return keyErr(key+".shrink", "must lie in (0, 1), got %v", a.Shrink)
	}
	return nil
}

// check checks the counts of the row whose key is key against the pools.
func (c *audioCounts) check(key string) error {
	key += ".counts"
	for _, p := range []struct {
		name, pool string
		n, min     int
	}{{"background", asr.PoolBackground, c.Background, 2}, {"clean", asr.PoolClean, c.Clean, 2}, {"attack", asr.PoolAttack, c.Attack, 1}} {
		size := poolSize(p.pool)
		if p.n < p.min || p.n > maxStringsPerRecording*size {
			return keyErr(key+"."+p.name, "must lie in [%d, %d] (%d strings per recording of the %d of the %s pool), got %d",
				p.min, maxStringsPerRecording*size, maxStringsPerRecording, size, p.pool, p.n)
		}
	}
	return nil
}

// poolSize returns the number of recordings of the pool of asr.PoolSizes
// called name.
func poolSize(name string) int {
	for _, p := range asr.PoolSizes {
		if p.Name == name {
			return p.N
		}
	}
	panic("experiments: no pool " + name)
}

// checkLayers checks the scanned layers of the row whose key is key.
func (r *audioRow) checkLayers(arch nn.Arch, key string) error {
	if len(r.Layers) == 0 {
		return keyErr(key+".layers", "is empty: list the scanned layers")
	}
	for i, l := range r.Layers {
		switch {
		case !hasLayer(arch, l) || l == arch.Layers[0].Name:
			return keyErr(fmt.Sprintf("%s.layers[%d]", key, i), "%s has no scannable layer %q", r.Model.Arch, l)
		case slices.Contains(r.Layers[:i], l):
			return keyErr(fmt.Sprintf("%s.layers[%d]", key, i), "%s is listed twice", l)
		}
	}
	return nil
}

// The node designs of the audio scans (report's: the report describes
// them).
const (
	nodesFlat    = report.NodesFlat
	nodesSummary = report.NodesSummary
)

// checkNodes checks the node designs of the row whose key is key and
// their tails, and fills the defaults. A tail given for a design the row
// does not scan is an error, not silently unused.
func (r *audioRow) checkNodes(cfg *Config, key string) error {
	if r.Nodes == nil {
		r.Nodes = []string{nodesFlat, nodesSummary}
	}
	if len(r.Nodes) == 0 {
		return keyErr(key+".nodes", "is empty: list %s, %s or both", nodesFlat, nodesSummary)
	}
	for i, n := range r.Nodes {
		k := fmt.Sprintf("%s.nodes[%d]", key, i)
		switch {
		case n != nodesFlat && n != nodesSummary:
			return keyErr(k, "unknown node design %q: known are %s (the paper's time × units) and %s (each unit's statistics over the utterance's frames)", n, nodesFlat, nodesSummary)
		case slices.Contains(r.Nodes[:i], n):
			return keyErr(k, "%s is listed twice", n)
		}
	}
	for _, t := range []struct {
		key, nodes string
		tail       *int
		def        int
	}{{"tail", nodesFlat, &r.Tail, cfg.Scan.Tail}, {"summary_tail", nodesSummary, &r.SummaryTail, 2}} {
		switch {
		case *t.tail != 0 && !slices.Contains(r.Nodes, t.nodes):
			return keyErr(key+"."+t.key, "is the tail of the %s scans, and nodes %v has none", t.nodes, r.Nodes)
		case *t.tail == 0:
			*t.tail = t.def
		case *t.tail != 1 && *t.tail != 2:
			return keyErr(key+"."+t.key, "must be 1 or 2, got %d", *t.tail)
		}
	}
	return nil
}

// columns returns the table's SS columns of the row: its node designs,
// each with its tail.
func (r *audioRow) columns() []report.SSColumn {
	var out []report.SSColumn
	for _, n := range r.Nodes {
		tail := r.Tail
		if n == nodesSummary {
			tail = r.SummaryTail
		}
		out = append(out, report.SSColumn{Nodes: n, Tail: tail})
	}
	return out
}

// recurrent reports whether the layer called name of arch is recurrent
// (signed outputs, scanned with both tails).
func recurrent(arch nn.Arch, name string) bool {
	for _, l := range arch.Layers {
		if l.Name == name {
			return slices.Contains([]string{nn.LSTM, nn.BiLSTM, nn.GRU, nn.BiGRU}, l.Kind)
		}
	}
	return false
}
