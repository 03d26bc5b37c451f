package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"subsetscan/data"
)

// Results is the content of results.json.
type Results struct {
	Experiment  string          `json:"experiment"`
	Description string          `json:"description,omitempty"`
	Config      json.RawMessage `json:"config"`
	Provenance  Provenance      `json:"provenance"`
	Samples     map[string]int  `json:"samples"`
	Sets        []string        `json:"sets"`
	Layers      []Layer         `json:"layers,omitempty"`
	// Tolerances holds, for every set with published values, the allowed
	// |reproduced − published| and its reason. Results written before it
	// existed carry one tolerance per layer instead (Layer.Tolerance).
	Tolerances map[string]Tolerance `json:"tolerances,omitempty"`
	// Baseline names the per-image statistic whose AUC Layer.Baseline
	// holds, e.g. the mean reconstruction error; "" when there is none.
	Baseline string `json:"baseline,omitempty"`
	// PixelMaps are images with the subset of pixels their individual scan
	// found, for reconstruction-error scans.
	PixelMaps []PixelMap   `json:"pixel_maps,omitempty"`
	Group     []GroupLayer `json:"group,omitempty"`
	// OOD holds an out-of-distribution study's comparisons (kind ood).
	OOD *OOD `json:"ood,omitempty"`
	// Audio holds the audio study's table (kind audio).
	Audio    *Audio   `json:"audio,omitempty"`
	Notes    []string `json:"notes,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
	// CIMethod names how the AUCs' confidence intervals were computed
	// (e.g. "DeLong (1988), 95 %"); "" when there are none.
	CIMethod string             `json:"ci_method,omitempty"`
	Timings  map[string]float64 `json:"timings,omitempty"` // seconds; the only non-deterministic part

	// SubsetGAN holds the SubsetGAN analog's table (kind subsetgan).
	SubsetGAN *SubsetGAN `json:"subsetgan,omitempty"`
}

// Provenance records what produced the results.
type Provenance struct {
	Seed       uint64            `json:"seed"`
	ConfigHash string            `json:"config_hash"`
	GoVersion  string            `json:"go_version"`
	Revision   string            `json:"revision"`
	Modules    map[string]string `json:"modules,omitempty"`
}

// Layer holds one layer's detection results.
type Layer struct {
	Layer     string               `json:"layer"`
	Nodes     int                  `json:"nodes"`
	AUC       map[string]float64   `json:"auc"`                 // set -> AUC of clean vs set
	Published map[string]float64   `json:"published,omitempty"` // set -> published AUC
	Tolerance float64              `json:"tolerance,omitempty"` // |auc - published| allowed, unless Results.Tolerances has the set
	Baseline  map[string]float64   `json:"baseline,omitempty"`  // set -> AUC of Results.Baseline, clean vs set
	Known     map[string]string    `json:"known,omitempty"`     // set -> explanation of a known deviation
	Scores    map[string][]float64 `json:"scores,omitempty"`    // "clean" and each set: subset scores
	// CI and BaselineCI hold, for each set, the confidence interval
	// [lo, hi] of AUC and of Baseline (Results.CIMethod says which);
	// absent in results written before they existed.
	CI         map[string][2]float64 `json:"ci,omitempty"`
	BaselineCI map[string][2]float64 `json:"baseline_ci,omitempty"`
}

// Tolerance is the allowed |reproduced − published| of a set and the
// reason for that value.
type Tolerance struct {
	Value  float64 `json:"value"`
	Reason string  `json:"reason,omitempty"`
}

// PixelMap is one image of a set, row-major Height × Width (one channel),
// with the pixels in the subset its individual scan found.
type PixelMap struct {
	Set    string    `json:"set"`
	Index  int       `json:"index"` // index of the image within its set
	Score  float64   `json:"score"`
	Alpha  float64   `json:"alpha"`
	Height int       `json:"height"`
	Width  int       `json:"width"`
	Image  []float32 `json:"image"`
	Nodes  []int     `json:"nodes"` // pixel indices, ascending
}

// GroupLayer holds one layer's group-scan results.
type GroupLayer struct {
	Layer  string       `json:"layer"`
	Points []GroupPoint `json:"points"`
}

// GroupPoint is the detection power of group scans for one set and
// contamination proportion.
type GroupPoint struct {
	Set        string  `json:"set"`
	Proportion float64 `json:"proportion"`
	Runs       int     `json:"runs"`
	AUC        float64 `json:"auc"`
	Precision  float64 `json:"precision"`
	Recall     float64 `json:"recall"`
	// CI is the confidence interval [lo, hi] of AUC over the runs' clean
	// and contaminated group scores; nil in older results.
	CI *[2]float64 `json:"ci,omitempty"`
}

// Deviation is a reproduced number outside its published tolerance.
type Deviation struct {
	Layer, Set                      string
	Got, Published, Diff, Tolerance float64
	// Known is the explanation of a known deviation, "" for an unexpected
	// one.
	Known string
}

// Deviations lists the AUCs outside the published tolerance, in layer and
// set order.
func (r *Results) Deviations() []Deviation {
	var out []Deviation
	for _, l := range r.Layers {
		for _, s := range r.Sets {
			p, ok := l.Published[s]
			if !ok {
				continue
			}
			got, tol := l.AUC[s], r.Tolerance(l, s).Value
			if d := got - p; !(math.Abs(d) <= tol) {
				out = append(out, Deviation{Layer: l.Layer, Set: s, Got: got, Published: p, Diff: d, Tolerance: tol, Known: l.Known[s]})
			}
		}
	}
	return append(out, r.ganDeviations()...)
}

// Compared returns the number of reproduced values that have a published
// value to compare with.
func (r *Results) Compared() int {
	n := r.ganCompared()
	for _, l := range r.Layers {
		for _, s := range r.Sets {
			if _, ok := l.Published[s]; ok {
				n++
			}
		}
	}
	return n
}

// Tolerance returns the tolerance of set in layer l: the set's entry in
// r.Tolerances, or else l.Tolerance (results written before per-set
// tolerances existed).
func (r *Results) Tolerance(l Layer, set string) Tolerance {
	if t, ok := r.Tolerances[set]; ok {
		return t
	}
	return Tolerance{Value: l.Tolerance}
}

// FileName is the name of the results file in a results directory.
const FileName = "results.json"

// Save writes r to dir/results.json atomically.
func Save(dir string, r *Results) error {
	return data.WriteFileAtomic(filepath.Join(dir, FileName), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		return enc.Encode(r)
	})
}

// Load reads dir/results.json.
func Load(dir string) (*Results, error) {
	path := filepath.Join(dir, FileName)
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var r Results
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("report: %s: %w", path, err)
	}
	if r.Experiment == "" || len(r.Layers)+len(r.Group) == 0 && (r.Audio == nil || len(r.Audio.Rows) == 0) {
		return nil, fmt.Errorf("report: %s: no experiment name or no layers", path)
	}
	return &r, nil
}
