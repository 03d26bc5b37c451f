package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"subsetscan/configs"
	"subsetscan/experiments"
	"subsetscan/runner"
)

func init() {
	register(&command{
		Name:  "merge",
		Short: "merge the part files of a config's shards (run -shard K/N) into results/<name>/ as an unsharded run writes it",
		Usage: "[flags] [CONFIG.yaml|NAME]",
		Long: `Every part results/<name>/parts/K-of-N.json, K = 1..N, must be there and
come from the same config (its hash) and code revision as this binary;
a missing or foreign part is an error naming it. The results, report and
figures written are those of an unsharded run, byte for byte, apart from
the timings. Give the flags -out, -artifacts, -data and -models the shards
had.`,
		Run: runMerge,
	})
}

// runShard runs the shard of spec (-shard) of the one config of cfgs.
func runShard(ctx context.Context, f runFlags, cfgs []*experiments.Config, spec string, stderr io.Writer) error {
	if len(cfgs) != 1 {
		return usagef("-shard takes one config, got %d", len(cfgs))
	}
	if *f.export != "" {
		return usagef("-shard and -export-activations do not go together")
	}
	k, n, err := runner.ParseShard(spec, os.Getenv)
	if err != nil {
		return usageError{err}
	}
	cfg := cfgs[0]
	path, err := runner.Shard(ctx, cfg, k, n, runner.Options{
		OutDir: *f.out, Workers: *f.workers, Revision: revision, Hold: testHold(stderr),
		Progress: func(format string, a ...any) {
			fmt.Fprintf(stderr, "%s [%d/%d]: %s\n", cfg.Name, k, n, fmt.Sprintf(format, a...))
		},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%s: shard %d of %d written to %s\n", cfg.Name, k, n, path)
	return nil
}

func runMerge(ctx context.Context, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	none, zero := "", 0
	f := runFlags{
		artifacts: fs.String("artifacts", "../shared/reference", "directory of the authors' artefacts (${artifacts} in configs)"),
		data:      fs.String("data", "", "directory of user-supplied data (${data} in configs)"),
		models:    fs.String("models", "", "directory of the project's trained weights (${models}; default: the copy built into this binary)"),
		out:       fs.String("out", "results", "parent directory of the results directories"),
		export:    &none, workers: &zero,
	}
	shards := fs.Int("shards", 0, "the number of shards N (0: that of the part files present)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usagef("merge takes one config, got %d", fs.NArg())
	}
	if *shards < 0 {
		return usagef("-shards must be ≥ 0")
	}
	cfgs, err := loadConfigs(fs.Args(), f, configs.Default)
	if err != nil {
		return err
	}
	cfg := cfgs[0]
	dir, _, err := runner.Merge(ctx, cfg, *shards, runner.Options{OutDir: *f.out, Revision: revision})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%s: parts merged, report written to %s\n", cfg.Name, dir+string(os.PathSeparator)+"report.md")
	return nil
}
