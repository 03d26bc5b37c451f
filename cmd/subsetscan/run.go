package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"subsetscan/configs"
	"subsetscan/experiments"
	"subsetscan/report"
	"subsetscan/runner"
)

func init() {
	register(&command{
		Name:  "run",
		Short: "run experiment configs and write results/<name>/ (report.md, results.json, figures)",
		Usage: "[flags] [CONFIG.yaml|NAME ...]",
		Run:   runRun,
	})
	register(&command{
		Name:  "verify",
		Short: "run configs (default: ae-mnist-authors) and compare their numbers with the published ones",
		Usage: "[flags] [CONFIG.yaml|NAME ...]",
		Long: `Exit codes: 0 every compared number is within its tolerance or a known
deviation; 1 a number is outside its tolerance; 2 usage error; 3 a config
could not run (bad config, missing file, unknown name): nothing compared;
130 interrupted. A config without published values has nothing to verify,
which the output says. Only ae-mnist-authors (the authors' networks and
images) is a parity check: ae-mnist runs this project's own networks and
attacks, and 28 of its cells are beyond ±0.05 by design.`,
		Run: runVerify,
	})
	register(&command{
		Name:  "list",
		Short: "list the shipped experiment configs",
		Run:   runList,
	})
	register(&command{
		Name:  "report",
		Short: "re-render report.md and the figures of results directories without recomputing",
		Usage: "RESULTS_DIR...",
		Run:   runReport,
	})
}

type runFlags struct {
	artifacts, data, models, out, export *string
	workers                              *int
}

func addRunFlags(fs *flag.FlagSet) runFlags {
	return runFlags{
		artifacts: fs.String("artifacts", "../shared/reference", "directory of the authors' artefacts (${artifacts} in configs)"),
		data:      fs.String("data", "", "directory of user-supplied data: IDX files and models (${data} in configs)"),
		models:    fs.String("models", "", "directory of the project's trained weights (${models} in configs; default: the copy built into this binary)"),
		out:       fs.String("out", "results", "parent directory of the results directories"),
		workers:   fs.Int("workers", 0, "goroutines to use (0 = all cores)"),
		export:    fs.String("export-activations", "", "write the values each config scans to DIR/<layer>/{background,clean,<set>}.npy, the layout of kind activations (one config at a time)"),
	}
}

// loadConfigs reads each argument as a config file, or as the name of a
// shipped config; no argument means the default config.
func loadConfigs(args []string, f runFlags, def string) ([]*experiments.Config, error) {
	if len(args) == 0 {
		args = []string{def}
	}
	vars := experiments.Vars{Artifacts: *f.artifacts, Data: *f.data, Models: *f.models}
	var out []*experiments.Config
	for _, a := range args {
		raw, shipped := configs.Read(a)
		shipped = shipped && !strings.HasSuffix(a, ".yaml")
		if !shipped {
			var err error
			if raw, err = os.ReadFile(a); err != nil {
				return nil, fmt.Errorf("config: %w", err)
			}
		}
		if vars.Models == "" && bytes.Contains(raw, []byte("${models}")) {
			dir, err := shippedModels()
			if err != nil {
				return nil, err
			}
			vars.Models = dir
		}
		path := a // relative paths in a config file are relative to it
		if shipped {
			path = ""
		}
		cfg, err := experiments.ParseConfig(raw, path, vars)
		if err != nil && shipped {
			err = fmt.Errorf("shipped config %s: %w", a, err)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, cfg)
	}
	return out, nil
}

// runConfigs runs the configs of the command line, def when it names
// none.
func runConfigs(ctx context.Context, fs *flag.FlagSet, args []string, stderr io.Writer, def string) ([]*report.Results, error) {
	f, cfgs, err := parseRun(fs, args, def)
	if err != nil {
		return nil, err
	}
	return runLoaded(ctx, f, cfgs, stderr)
}

// parseRun parses the flags of run and verify and loads their configs.
func parseRun(fs *flag.FlagSet, args []string, def string) (runFlags, []*experiments.Config, error) {
	f := addRunFlags(fs)
	if err := parse(fs, args); err != nil {
		return f, nil, err
	}
	if *f.workers < 0 {
		return f, nil, usagef("-workers must be ≥ 0")
	}
	cfgs, err := loadConfigs(fs.Args(), f, def)
	if err != nil {
		return f, nil, err
	}
	if *f.export != "" && len(cfgs) > 1 {
		return f, nil, usagef("-export-activations takes one config, got %d", len(cfgs))
	}
	return f, cfgs, nil
}

// runLoaded runs the configs cfgs with the flags f.
func runLoaded(ctx context.Context, f runFlags, cfgs []*experiments.Config, stderr io.Writer) ([]*report.Results, error) {
	var all []*report.Results
	for _, cfg := range cfgs {
		fmt.Fprintf(stderr, "%s: running\n", cfg.Name)
		dir, res, err := runner.Run(ctx, cfg, runner.Options{
			OutDir: *f.out, Workers: *f.workers, Revision: revision, ExportActivations: *f.export, Hold: testHold(stderr),
			Progress: func(format string, a ...any) {
				fmt.Fprintf(stderr, "%s: %s\n", cfg.Name, fmt.Sprintf(format, a...))
			},
		})
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(stderr, "%s: report written to %s\n", cfg.Name, dir+string(os.PathSeparator)+"report.md")
		all = append(all, res)
	}
	return all, nil
}

func runRun(ctx context.Context, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	shard := fs.String("shard", "", "run only shard K of N of one config's cells and write results/<name>/parts/K-of-N.json "+
		"(K/N; auto: a Slurm array's task; auto/N: a Slurm array's or a Kubernetes Indexed Job's); then run merge")
	f, cfgs, err := parseRun(fs, args, configs.Default)
	if err != nil {
		return err
	}
	if *shard != "" {
		return runShard(ctx, f, cfgs, *shard, stderr)
	}
	_, err = runLoaded(ctx, f, cfgs, stderr)
	return err
}

// verifyDefault is the config verify runs when given none: the parity
// check, not the default of run (ae-mnist, on the project's own networks,
// whose published values can only agree in shape).
const verifyDefault = "ae-mnist-authors"

func runVerify(ctx context.Context, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	all, err := runConfigs(ctx, fs, args, stderr, verifyDefault)
	if err != nil {
		return cannotRun(err)
	}
	outside := 0
	for _, r := range all {
		outside += printVerify(stdout, r)
	}
	if outside > 0 {
		return fmt.Errorf("%d reproduced numbers outside the published tolerance", outside)
	}
	return nil
}

// cannotRun marks err, which stopped verify before any comparison, with
// exitCannotRun, unless it is a usage error, -h or has its own code.
func cannotRun(err error) error {
	var ue usageError
	var ee exitError
	if errors.Is(err, flag.ErrHelp) || errors.As(err, &ue) || isFlagError(err) || errors.As(err, &ee) {
		return err
	}
	return exitError{exitCannotRun, fmt.Errorf("could not run, nothing verified: %w", err)}
}

// printVerify prints the deviations of r and a summary line, and returns
// the number of values outside their tolerance that are not known
// deviations.
func printVerify(w io.Writer, r *report.Results) int {
	if r.Audio != nil {
		return printAudioVerify(w, r)
	}
	if r.SubsetGAN != nil {
		return printSubsetGANVerify(w, r)
	}
	compared := r.Compared()
	if compared == 0 {
		fmt.Fprintf(w, "%s: nothing to verify: the config has no published values\n", r.Experiment)
		return 0
	}
	outside, known := 0, 0
	for _, d := range r.Deviations() {
		what := "OUTSIDE TOLERANCE"
		if d.Known != "" {
			what = "known: " + strings.Join(strings.Fields(d.Known), " ")
			known++
		} else {
			outside++
		}
		fmt.Fprintf(w, "%s: %s %s: reproduced %.3f, published %.3f (Δ %+.3f, tolerance %g): %s\n", r.Experiment, d.Layer, d.Set, d.Got, d.Published, d.Diff, d.Tolerance, what)
	}
	fmt.Fprintf(w, "%s: %d numbers compared: %d within tolerance, %d known deviations, %d outside tolerance\n",
		r.Experiment, compared, compared-outside-known, known, outside)
	return outside
}

func runList(ctx context.Context, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	if err := parse(fs, args); err != nil {
		return err
	}
	for _, name := range configs.Names() {
		raw, _ := configs.Read(name)
		desc := ""
		var head struct {
			Description string `yaml:"description"`
		}
		if err := yamlUnmarshal(raw, &head); err == nil {
			desc = strings.Join(strings.Fields(head.Description), " ")
		}
		def := ""
		if name == configs.Default {
			def = " (default)"
		}
		if bytes.Contains(raw, []byte("${data}")) {
			def += " (needs -data DIR)"
		}
		fmt.Fprintf(stdout, "%s%s\n    %s\n", name, def, desc)
	}
	return nil
}

func runReport(ctx context.Context, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("give at least one results directory")
	}
	for _, dir := range fs.Args() {
		r, err := report.Load(dir)
		if err != nil {
			return err
		}
		if err := report.Render(dir, r); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "%s: report re-rendered\n", dir)
	}
	return nil
}

// holdEnv is a hidden environment variable for the tests of interrupted
// runs: at the point of runner.Options.Hold it names, the run prints
// "hold: POINT" to stderr and waits until interrupted (SIGINT); with a
// trailing "!" it keeps waiting then, until the process ends.
const holdEnv = "SUBSETSCAN_TEST_HOLD"

// testHold returns the Hold function holdEnv asks for, or nil.
func testHold(stderr io.Writer) func(ctx context.Context, point string) {
	want, ok := strings.CutSuffix(os.Getenv(holdEnv), "!")
	if want == "" {
		return nil
	}
	return func(ctx context.Context, point string) {
		if point != want {
			return
		}
		fmt.Fprintf(stderr, "hold: %s\n", point)
		<-ctx.Done()
		if ok {
			time.Sleep(time.Hour)
		}
	}
}

// shippedModels extracts the weights built into the binary (configs/models)
// into the user's cache directory, or the temporary directory when there is
// none, and returns where they are.
func shippedModels() (string, error) {
	parent, err := os.UserCacheDir()
	if err != nil {
		parent = os.TempDir()
	}
	return configs.ExtractModels(filepath.Join(parent, "subsetscan"))
}
