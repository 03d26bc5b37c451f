package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"

	"subsetscan/data"
	"subsetscan/internal/mem"
	"subsetscan/internal/par"
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
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the scan to this file (for go tool pprof)")
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

	// Everything that can be checked before the computation is: the
	// inputs' headers, sizes and shapes, and the outputs' targets.
	bgShape, err := headerShape(*bgPath)
	if err != nil {
		return err
	}
	evShape, err := headerShape(*evalPath)
	if err != nil {
		return err
	}
	if bgShape != nil && evShape != nil {
		if err := checkShapes(*bgPath, bgShape, *evalPath, evShape, *mode); err != nil {
			return err
		}
	}
	outFile, err := createOutput("-o", *out)
	if err != nil {
		return err
	}
	defer outFile.Abort()
	pvFile, err := createOutput("-pvalues", *pvaluesOut)
	if err != nil {
		return err
	}
	defer pvFile.Abort()
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}

	if *mode == "individual" && *bgLabelsPath == "" && pvFile == nil && tail == scan.Upper &&
		len(bgShape) > 0 && bgShape[0] <= scan.MaxCountSamples {
		doc := scanOutput{
			Mode: *mode, ScoreFunction: score.Name(), Tail: *tailN, AlphaMax: *alphaMax, AlphaFixed: *alphaFixed,
			Background: *bgPath, Eval: *evalPath,
		}
		if doc.Results, doc.Samples, doc.Nodes, err = individualCounts(*bgPath, *evalPath, score, *alphaMax, *alphaFixed, *workers); err != nil {
			return err
		}
		return writeOutput(stdout, outFile, doc, *workers)
	}
	// The background is let go (unmapped) once sorted, before the eval
	// rows are loaded and their ranges computed: the peak memory is the
	// sorted background, the eval rows and the ranges.
	bg, releaseBG, err := loadActivations(*bgPath)
	if err != nil {
		return err
	}
	defer releaseBG()
	bgShape, j := bg.Shape, bg.RowSize()
	var sorted *scan.Background
	var cond *scan.Conditional
	var bgLabels []int
	if *bgLabelsPath != "" {
		if bgLabels, err = loadLabels(*bgLabelsPath, bg.Len(), *bgPath); err != nil {
			return err
		}
		if cond, err = scan.NewConditional(bg.Data, bgLabels, j, *workers); err != nil {
			return fmt.Errorf("%s (labels %s): %w", *bgPath, *bgLabelsPath, err)
		}
	} else if sorted, err = scan.NewBackground(bg.Data, bg.Len(), j, *workers); err != nil {
		return fmt.Errorf("%s: %w", *bgPath, err)
	}
	if err := releaseBG(); err != nil {
		return fmt.Errorf("%s: %w", *bgPath, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	ev, releaseEv, err := loadActivations(*evalPath)
	if err != nil {
		return err
	}
	defer releaseEv()
	if err := checkShapes(*bgPath, bgShape, *evalPath, ev.Shape, *mode); err != nil {
		return err
	}
	doc := scanOutput{
		Mode: *mode, ScoreFunction: score.Name(), Tail: *tailN, AlphaMax: *alphaMax,
		Background: *bgPath, Eval: *evalPath, Samples: ev.Len(), Nodes: j,
		BackgroundLabels: *bgLabelsPath, EvalLabels: *evalLabelsPath, Classes: *classesPath,
	}
	if *mode == "individual" && sorted != nil && pvFile == nil {
		// Nothing needs all the ranges at once: scan them a batch of rows
		// at a time.
		doc.AlphaFixed = *alphaFixed
		if doc.Results, err = individualBatches(sorted, ev.Data, j, tail, score, *alphaMax, *alphaFixed, *workers); err != nil {
			return fmt.Errorf("%s: %w", *evalPath, err)
		}
		if err := releaseEv(); err != nil {
			return fmt.Errorf("%s: %w", *evalPath, err)
		}
		return writeOutput(stdout, outFile, doc, *workers)
	}
	var ranges *scan.Ranges
	if cond != nil {
		evLabels, err := loadLabels(*evalLabelsPath, ev.Len(), *evalPath)
		if err != nil {
			return err
		}
		if ranges, err = cond.PValues(ev.Data, evLabels, tail, *workers); err != nil {
			return fmt.Errorf("%s (labels %s): %w", *evalPath, *evalLabelsPath, err)
		}
	} else {
		// The ranges' pages mapped in one call, not faulted in one by one
		// as the p-values are written (see individualBatches).
		ranges = scan.NewRanges(ev.Len(), j)
		mem.Populate(ranges.Min)
		mem.Populate(ranges.Max)
		if err := sorted.PValuesTo(ranges, ev.Data, tail, *workers); err != nil {
			return fmt.Errorf("%s: %w", *evalPath, err)
		}
	}
	if err := releaseEv(); err != nil {
		return fmt.Errorf("%s: %w", *evalPath, err)
	}
	sorted, cond = nil, nil // garbage from here: the scans may reuse its memory
	var classes []int
	if *classesPath != "" {
		if classes, err = loadLabels(*classesPath, ranges.N, *evalPath); err != nil {
			return err
		}
	}
	if pvFile != nil {
		if err := pvFile.Commit(func(w io.Writer) error { return writeRanges(w, ranges) }); err != nil {
			return err
		}
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
	return writeOutput(stdout, outFile, doc, *workers)
}

// writeOutput writes doc to outFile, or to stdout if outFile is nil, with
// encodeScanOutput on workers goroutines.
func writeOutput(stdout io.Writer, outFile *data.AtomicFile, doc scanOutput, workers int) error {
	enc := func(w io.Writer) error { return encodeScanOutput(w, doc, workers) }
	if outFile == nil {
		return enc(stdout)
	}
	return outFile.Commit(enc)
}

// individualCounts runs the individual scans of the rows of the eval file
// against the background file with one-tailed p-values, the common case,
// by way of scan.UpperCounts: both files mapped at once, the background
// sorted a block of nodes at a time in cache and never copied whole, and
// the p-values held as 16-bit counts (a background of at most
// scan.MaxCountSamples rows). It returns the results and the numbers of
// eval rows and of nodes.
func individualCounts(bgPath, evalPath string, score scan.Scorer, alphaMax, alphaFixed float64, workers int) ([]scan.Result, int, int, error) {
	bg, releaseBG, err := loadActivations(bgPath)
	if err != nil {
		return nil, 0, 0, err
	}
	defer releaseBG()
	ev, releaseEv, err := loadActivations(evalPath)
	if err != nil {
		return nil, 0, 0, err
	}
	defer releaseEv()
	if err := checkShapes(bgPath, bg.Shape, evalPath, ev.Shape, "individual"); err != nil {
		return nil, 0, 0, err
	}
	counts, err := scan.UpperCounts(bg.Data, bg.Len(), ev.Data, bg.RowSize(), workers)
	if err != nil {
		var in *scan.InputError
		if errors.As(err, &in) && in.Eval {
			return nil, 0, 0, fmt.Errorf("%s: %w", evalPath, err)
		}
		return nil, 0, 0, fmt.Errorf("%s: %w", bgPath, err)
	}
	if err := releaseBG(); err != nil {
		return nil, 0, 0, fmt.Errorf("%s: %w", bgPath, err)
	}
	if err := releaseEv(); err != nil {
		return nil, 0, 0, fmt.Errorf("%s: %w", evalPath, err)
	}
	results, err := scan.IndividualCounts(counts, score, alphaMax, alphaFixed, workers)
	return results, counts.N, counts.J, err
}

// batchBytes is the size of the p-value ranges of a batch of rows in
// individualBatches.
var batchBytes = 64 << 20

// individualBatches runs the individual scans of the rows of eval (j nodes
// each) against bg, computing the ranges of batchBytes' worth of rows at a
// time into the same memory, rather than of all rows at once: the results
// are the same (a row's ranges and scan depend on that row alone), the
// peak memory is smaller, and the kernel maps and zeroes fresh pages for
// one batch only (for 3000 rows × 12544 nodes: 64 MB rather than 600 MB,
// whose first writes cost more CPU time than computing them on the
// project's VM). A NaN or infinite value is reported at its row of eval.
func individualBatches(bg *scan.Background, eval []float32, j int, tail scan.Tail, score scan.Scorer, alphaMax, alphaFixed float64, workers int) ([]scan.Result, error) {
	n := len(eval) / j
	rows := min(n, max(1, batchBytes/(16*j)))
	// The pages of the ranges mapped in one call, not faulted in one by
	// one as the first batch's p-values are written.
	ranges := scan.NewRanges(rows, j)
	mem.Populate(ranges.Min)
	mem.Populate(ranges.Max)
	results := make([]scan.Result, 0, n)
	for start := 0; start < n; start += rows {
		end := min(start+rows, n)
		if err := bg.PValuesTo(ranges, eval[start*j:end*j], tail, workers); err != nil {
			var nf *scan.NonFiniteError
			if errors.As(err, &nf) {
				// Named by its row in eval, not in the batch, in the words
				// of PValues on all rows.
				moved := *nf
				moved.Sample += start
				err = fmt.Errorf("scan: eval: %w", &moved)
			}
			return nil, err
		}
		res, err := scan.IndividualAll(ranges, score, alphaMax, alphaFixed, workers)
		if err != nil {
			return nil, err
		}
		results = append(results, res...)
	}
	return results, nil
}

// encodeScanOutput writes doc as a json.Encoder with SetIndent("", "  ")
// does, byte for byte, without building the document in memory first: the
// results' node lists (thousands of indices a row, one a line) are most of
// it, and encoding/json would hold it twice (compact, then indented). The
// results are encoded encodeChunk at a time on up to workers goroutines (0
// means GOMAXPROCS), a few chunks ahead of the writes.
func encodeScanOutput(w io.Writer, doc scanOutput, workers int) error {
	results, result := doc.Results, doc.Result
	doc.Results, doc.Result = nil, nil
	head, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	b := head[:len(head)-len("\n}")]
	if len(results) > 0 { // omitempty
		b = append(b, ",\n  \"results\": ["...)
		if _, err := w.Write(b); err != nil {
			return err
		}
		if err := encodeResults(w, results, workers); err != nil {
			return err
		}
		b = append(b[:0], "\n  ]"...)
	}
	if result != nil {
		b = append(b, ",\n  \"result\": "...)
		if b, err = appendResult(b, *result, "  "); err != nil {
			return err
		}
	}
	b = append(b, "\n}\n"...)
	_, err = w.Write(b)
	return err
}

// encodeChunk is the number of results encodeResults encodes at a time on
// one goroutine.
var encodeChunk = 16

// encodeResults writes the elements of the results array, each on its
// lines, encoding a group of 4×workers chunks of encodeChunk results in
// parallel into buffers that are reused, then writing them in order.
func encodeResults(w io.Writer, results []scan.Result, workers int) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	bufs := make([][]byte, 4*workers)
	errs := make([]error, len(bufs))
	group := encodeChunk * len(bufs)
	for g := 0; g < len(results); g += group {
		chunks := (min(g+group, len(results)) - g + encodeChunk - 1) / encodeChunk
		par.For(chunks, workers, func() struct{} { return struct{}{} }, func(_ struct{}, c int) {
			buf := bufs[c][:0]
			for i := g + c*encodeChunk; i < min(g+(c+1)*encodeChunk, len(results)); i++ {
				if i > 0 {
					buf = append(buf, ',')
				}
				buf = append(buf, "\n    "...)
				if buf, errs[c] = appendResult(buf, results[i], "    "); errs[c] != nil {
					return
				}
			}
			bufs[c] = buf
		})
		for c := range chunks {
			if errs[c] != nil {
				return errs[c]
			}
			if _, err := w.Write(bufs[c]); err != nil {
				return err
			}
		}
	}
	return nil
}

// appendResult appends r as an indented JSON object, its opening brace at
// the end of b, its other lines indented by indent.
func appendResult(b []byte, r scan.Result, indent string) ([]byte, error) {
	b = append(b, "{\n"...)
	b = append(append(b, indent...), `  "score": `...)
	score, err := json.Marshal(r.Score) // NaN is an error, as in encoding/json
	if err != nil {
		return nil, err
	}
	b = append(append(b, score...), ",\n"...)
	b = append(append(b, indent...), `  "alpha": `...)
	alpha, err := json.Marshal(r.Alpha)
	if err != nil {
		return nil, err
	}
	b = append(b, alpha...)
	if len(r.Samples) > 0 { // omitempty
		b = append(append(append(b, ",\n"...), indent...), `  "images": `...)
		b = appendInts(b, r.Samples, indent+"  ")
	}
	b = append(append(append(b, ",\n"...), indent...), `  "nodes": `...)
	b = appendInts(b, r.Nodes, indent+"  ")
	return append(append(append(b, '\n'), indent...), '}'), nil
}

// appendInts appends v as an indented JSON array, one number a line.
func appendInts(b []byte, v []int, indent string) []byte {
	switch {
	case v == nil:
		return append(b, "null"...)
	case len(v) == 0:
		return append(b, "[]"...)
	}
	b = append(b, '[')
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(append(append(b, '\n'), indent...), "  "...)
		b = strconv.AppendInt(b, int64(x), 10)
	}
	return append(append(append(b, '\n'), indent...), ']')
}

// headerShape returns the shape declared by the header of the .npy file at
// path, after ReadNPY's checks of the header and the file's size; nil for
// a file that is not a regular one (a pipe), whose header cannot be read
// ahead.
func headerShape(path string) ([]int, error) {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, nil
	}
	return data.ReadNPYShape(path)
}

// checkShapes returns an error unless the background and eval shapes have
// a sample axis, samples and nodes, the same per-sample shape, and, in
// group mode, at least 2 eval rows.
func checkShapes(bgPath string, bgShape []int, evalPath string, evShape []int, mode string) error {
	if err := checkActivationShape(bgPath, bgShape); err != nil {
		return err
	}
	if err := checkActivationShape(evalPath, evShape); err != nil {
		return err
	}
	bgRow, evRow := (&data.Array{Shape: bgShape}).RowSize(), (&data.Array{Shape: evShape}).RowSize()
	switch {
	case bgRow != evRow:
		return fmt.Errorf("%s has %d nodes per sample (shape %v) but %s has %d (shape %v)",
			bgPath, bgRow, bgShape, evalPath, evRow, evShape)
	case !slices.Equal(bgShape[1:], evShape[1:]):
		return fmt.Errorf("%s has samples of shape %v (shape %v) but %s has samples of shape %v (shape %v): the same %d nodes in another layout",
			bgPath, bgShape[1:], bgShape, evalPath, evShape[1:], evShape, bgRow)
	case mode == "group" && evShape[0] < 2:
		return fmt.Errorf("%s: group mode needs at least 2 eval rows, got %d (shape %v): a group of one row is an individual scan (-mode individual)",
			evalPath, evShape[0], evShape)
	}
	return nil
}

// checkActivationShape returns an error unless shape, that of the array in
// path, has a sample axis, samples and nodes.
func checkActivationShape(path string, shape []int) error {
	a := &data.Array{Shape: shape}
	switch {
	case len(shape) == 0:
		return fmt.Errorf("%s: a 0-d array has no sample axis", path)
	case a.Len() == 0:
		return fmt.Errorf("%s: no samples (shape %v)", path, shape)
	case a.RowSize() == 0:
		return fmt.Errorf("%s: no nodes per sample (shape %v)", path, shape)
	}
	return nil
}

// loadActivations maps (or reads) a .npy array of activations with the
// sample axis first and checks that it is usable. The array must not be
// written to, nor used after release (see data.MapNPY).
func loadActivations(path string) (a *data.Array, release func() error, err error) {
	a, release, err = data.MapNPY(path)
	if err != nil {
		return nil, nil, err
	}
	if err := checkActivationShape(path, a.Shape); err != nil {
		release()
		return nil, nil, err
	}
	return a, release, nil
}

// createOutput creates the temporary file of an output given by flag name
// (nil for an empty path): a target that cannot be written is reported
// before the computation, not after it.
func createOutput(name, path string) (*data.AtomicFile, error) {
	if path == "" {
		return nil, nil
	}
	f, err := data.CreateAtomic(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return f, nil
}

// startCPUProfile writes a CPU profile of the rest of the command to path;
// stop ends it.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
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

// writeRanges writes the ranges as an N×J×2 float64 .npy stream, row by
// row, so that no second copy of the ranges is made.
func writeRanges(w io.Writer, r *scan.Ranges) error {
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
}
