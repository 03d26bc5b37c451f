package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"

	"subsetscan/data"
	"subsetscan/scan"
)

func init() {
	register(&command{
		Name:  "scan",
		Short: "scan your own activations (.npy) for anomalous subsets",
		Usage: "-background BG.npy -eval EVAL.npy [flags]",
		Run:   runScan,
	})
}

// scanOutput is the JSON document that "subsetscan scan" writes.
type scanOutput struct {
	Mode          string  `json:"mode"`
	ScoreFunction string  `json:"score_function"`
	Tail          int     `json:"tail"`
	AlphaMax      float64 `json:"alpha_max"`
	AlphaFixed    float64 `json:"alpha_fixed,omitempty"`
	Restarts      int     `json:"restarts,omitempty"`
	Thresholds    string  `json:"thresholds,omitempty"`
	Seed          uint64  `json:"seed,omitempty"`
	Background    string  `json:"background"`
	Eval          string  `json:"eval"`
	// Conditional p-values: the label files, when given.
	BackgroundLabels string `json:"background_labels,omitempty"`
	EvalLabels       string `json:"eval_labels,omitempty"`
	// Group mode constrained to one class: the label file, when given.
	Classes string        `json:"classes,omitempty"`
	Samples int           `json:"samples"`
	Nodes   int           `json:"nodes"`
	Results []scan.Result `json:"results,omitempty"`
	Result  *scan.Result  `json:"result,omitempty"`
}

func runScan(ctx context.Context, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	bgPath := fs.String("background", "", "background (clean) activations, .npy, samples first")
	evalPath := fs.String("eval", "", "activations to scan, .npy, samples first")
	mode := fs.String("mode", "individual", "individual (one scan per eval row) or group (one scan over all rows)")
	scoreName := fs.String("score", "bj", "scan statistic: bj (Berk-Jones), hc (Higher Criticism) or ks (Kolmogorov-Smirnov)")
	tailN := fs.Int("tail", 1, "1 for upper-tail p-values, 2 for two-tailed")
	alphaMax := fs.Float64("alpha-max", scan.DefaultAlphaMax, "largest p-value threshold, in (0, 1)")
	alphaFixed := fs.Float64("alpha-fixed", 0, "individual mode: score at this single threshold instead of searching (0 = search)")
	restarts := fs.Int("restarts", 2, "group mode: restarts of the ascent (≥ 1)")
	thresholds := fs.String("thresholds", "reference", "group mode: reference, exact or grid")
	seed := fs.Uint64("seed", 0, "group mode: seed of the random restarts (restarts ≥ 3)")
	bgLabelsPath := fs.String("background-labels", "", "conditional p-values: class label of each background row, .npy of integers (needs -eval-labels)")
	evalLabelsPath := fs.String("eval-labels", "", "conditional p-values: class label of each eval row, .npy of integers; each row is compared with the background rows of its class")
	classesPath := fs.String("classes", "", "group mode: class label (e.g. the predicted class) of each eval row, .npy of integers; the sample subset must lie within one class")
	pvaluesOut := fs.String("pvalues", "", "also write the N×J×2 p-value ranges (float64) to this .npy file")
	out := fs.String("o", "", "write the JSON result here instead of standard output")
	workers := fs.Int("workers", 0, "goroutines to use (0 = all cores)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	switch {
	case *bgPath == "":
		return usagef("-background is required")
	case *evalPath == "":
		return usagef("-eval is required")
	case *mode != "individual" && *mode != "group":
		return usagef("-mode must be individual or group, got %q", *mode)
	case !(*alphaMax > 0 && *alphaMax < 1):
		return usagef("-alpha-max must be in (0, 1), got %v", *alphaMax)
	case *alphaFixed != 0 && !(*alphaFixed > 0 && *alphaFixed < 1):
		return usagef("-alpha-fixed must be in (0, 1), got %v", *alphaFixed)
	case *alphaFixed != 0 && *mode == "group":
		return usagef("-alpha-fixed applies to individual mode only")
	case *restarts < 1:
		return usagef("-restarts must be ≥ 1, got %d", *restarts)
	case *workers < 0:
		return usagef("-workers must be ≥ 0, got %d", *workers)
	case (*bgLabelsPath == "") != (*evalLabelsPath == ""):
		return usagef("-background-labels and -eval-labels go together")
	case *classesPath != "" && *mode != "group":
		return usagef("-classes applies to group mode only")
	}
	score, err := scan.ScorerByName(*scoreName)
	if err != nil {
		return usagef("-score: %v", err)
	}
	tail, err := scan.ParseTail(*tailN)
	if err != nil {
		return usagef("-tail: %v", err)
	}
	th, err := scan.ParseThresholds(*thresholds)
	if err != nil {
		return usagef("-thresholds: %v", err)
	}

	bg, err := loadActivations(*bgPath)
	if err != nil {
		return err
	}
	ev, err := loadActivations(*evalPath)
	if err != nil {
		return err
	}
	if bg.RowSize() != ev.RowSize() {
		return fmt.Errorf("%s has %d nodes per sample (shape %v) but %s has %d (shape %v)",
			*bgPath, bg.RowSize(), bg.Shape, *evalPath, ev.RowSize(), ev.Shape)
	}
	j := bg.RowSize()
	var ranges *scan.Ranges
	if *bgLabelsPath != "" {
		ranges, err = conditionalPValues(ctx, bg, ev, *bgPath, *evalPath, *bgLabelsPath, *evalLabelsPath, tail, *workers)
		if err != nil {
			return err
		}
	} else {
		background, err := scan.NewBackground(bg.Data, bg.Len(), j, *workers)
		if err != nil {
			return fmt.Errorf("%s: %w", *bgPath, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if ranges, err = background.PValues(ev.Data, tail, *workers); err != nil {
			return fmt.Errorf("%s: %w", *evalPath, err)
		}
	}
	var classes []int
	if *classesPath != "" {
		if classes, err = loadLabels(*classesPath, ev.Len(), *evalPath); err != nil {
			return err
		}
	}
	if *pvaluesOut != "" {
		if err := writeRanges(*pvaluesOut, ranges); err != nil {
			return err
		}
	}
	doc := scanOutput{
		Mode: *mode, ScoreFunction: score.Name(), Tail: *tailN, AlphaMax: *alphaMax,
		Background: *bgPath, Eval: *evalPath, Samples: ranges.N, Nodes: ranges.J,
		BackgroundLabels: *bgLabelsPath, EvalLabels: *evalLabelsPath, Classes: *classesPath,
	}
	if *mode == "individual" {
		doc.AlphaFixed = *alphaFixed
		doc.Results, err = scan.IndividualAll(ranges, score, *alphaMax, *alphaFixed, *workers)
	} else {
		doc.Restarts, doc.Thresholds, doc.Seed = *restarts, th.String(), *seed
		var res scan.Result
		res, err = scan.Group(ranges, scan.GroupOptions{
			Score: score, AlphaMax: *alphaMax, Restarts: *restarts, Thresholds: th, Seed: *seed,
			Classes: classes,
		})
		doc.Result = &res
	}
	if err != nil {
		return err
	}
	enc := func(w io.Writer) error {
		e := json.NewEncoder(w)
		e.SetIndent("", "  ")
		return e.Encode(doc)
	}
	if *out == "" {
		return enc(stdout)
	}
	return data.WriteFileAtomic(*out, enc)
}

// loadActivations reads a .npy array of activations with the sample axis
// first and checks that it is usable.
func loadActivations(path string) (*data.Array, error) {
	a, err := data.ReadNPY(path)
	if err != nil {
		return nil, err
	}
	switch {
	case len(a.Shape) == 0:
		return nil, fmt.Errorf("%s: a 0-d array has no sample axis", path)
	case a.Len() == 0:
		return nil, fmt.Errorf("%s: no samples (shape %v)", path, a.Shape)
	case a.RowSize() == 0:
		return nil, fmt.Errorf("%s: no nodes per sample (shape %v)", path, a.Shape)
	}
	return a, nil
}

// loadLabels reads one integer label per row of the array in rowsPath.
func loadLabels(path string, rows int, rowsPath string) ([]int, error) {
	labels, err := data.ReadNPYInts(path)
	if err != nil {
		return nil, err
	}
	if len(labels) != rows {
		return nil, fmt.Errorf("%s has %d labels but %s has %d samples", path, len(labels), rowsPath, rows)
	}
	return labels, nil
}

// conditionalPValues computes the p-value ranges of each eval row against
// the background rows of the same class.
func conditionalPValues(ctx context.Context, bg, ev *data.Array, bgPath, evalPath, bgLabelsPath, evalLabelsPath string, tail scan.Tail, workers int) (*scan.Ranges, error) {
	bgLabels, err := loadLabels(bgLabelsPath, bg.Len(), bgPath)
	if err != nil {
		return nil, err
	}
	evLabels, err := loadLabels(evalLabelsPath, ev.Len(), evalPath)
	if err != nil {
		return nil, err
	}
	cond, err := scan.NewConditional(bg.Data, bgLabels, bg.RowSize(), workers)
	if err != nil {
		return nil, fmt.Errorf("%s (labels %s): %w", bgPath, bgLabelsPath, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, err := cond.PValues(ev.Data, evLabels, tail, workers)
	if err != nil {
		return nil, fmt.Errorf("%s (labels %s): %w", evalPath, evalLabelsPath, err)
	}
	return r, nil
}

// writeRanges writes the ranges as an N×J×2 float64 .npy file, streaming
// rows so that no second copy of the ranges is made.
func writeRanges(path string, r *scan.Ranges) error {
	return data.WriteFileAtomic(path, func(w io.Writer) error {
		if err := data.EncodeNPYHeader(w, "<f8", []int{r.N, r.J, 2}); err != nil {
			return err
		}
		buf := make([]byte, 16*r.J)
		for i := range r.N {
			pmin, pmax := r.Row(i)
			for k := range r.J {
				binary.LittleEndian.PutUint64(buf[16*k:], math.Float64bits(pmin[k]))
				binary.LittleEndian.PutUint64(buf[16*k+8:], math.Float64bits(pmax[k]))
			}
			if _, err := w.Write(buf); err != nil {
				return err
			}
		}
		return nil
	})
}
