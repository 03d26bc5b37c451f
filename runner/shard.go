package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"subsetscan/data"
	"subsetscan/experiments"
	"subsetscan/report"
)

// Sharding: Shard runs the K-th of N disjoint parts of a config's cells
// (experiments.Sharded, experiments.Assign) and writes its part file,
// PartFile(K, N) under the results directory; Merge checks that every
// part is there, from the same config and code revision, and writes the
// results of an unsharded run.
//
// The shards share the results directory and its caches. The costly steps
// every cell needs — training the config's models, generating its attack
// sets — run under the directory's lock (LockFile): the first shard to
// take it computes them and saves them in the cache, while the others wait
// for the lock (polling every LockPoll) and then find them there. The scans
// of the cells run without the lock, in parallel; each shard writes only
// its part file, atomically.

// PartsDir is the directory of the part files in a results directory.
const PartsDir = "parts"

// LockPoll is how often a shard waiting for the results directory's lock
// tries again.
var LockPoll = time.Second

// PartFile returns the name of shard k of n's part file, relative to the
// results directory: parts/K-of-N.json.
func PartFile(k, n int) string {
	return filepath.Join(PartsDir, fmt.Sprintf("%d-of-%d.json", k, n))
}

// part is the content of a part file.
type part struct {
	Experiment string `json:"experiment"`
	Kind       string `json:"kind"`
	Shard      int    `json:"shard"`
	Shards     int    `json:"shards"`
	ConfigHash string `json:"config_hash"`
	Revision   string `json:"revision"`
	// Cells are the IDs of the shard's cells (experiments.Cell.ID).
	Cells []string `json:"cells"`
	// Results are those of the run restricted to Cells, nil when the
	// shard has no cell.
	Results *report.Results `json:"results"`
}

// shardCells returns the kind of cfg, which must be sharded, and its
// cells.
func shardCells(cfg *experiments.Config) (experiments.Sharded, []experiments.Cell, error) {
	k, ok := experiments.Lookup(cfg.Kind)
	if !ok {
		return nil, nil, fmt.Errorf("runner: unknown experiment kind %q", cfg.Kind)
	}
	sk, ok := k.(experiments.Sharded)
	if !ok {
		return nil, nil, fmt.Errorf("%s: kind %s cannot be sharded (it has no cells; run it without -shard)", cfg.Name, cfg.Kind)
	}
	cells, err := sk.Cells(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", cfg.Name, err)
	}
	return sk, cells, nil
}

// cellIDs returns the IDs of the cells of cells at idx.
func cellIDs(cells []experiments.Cell, idx []int) []string {
	ids := make([]string, len(idx))
	for i, c := range idx {
		ids[i] = cells[c].ID()
	}
	return ids
}

// Shard runs shard k of n (1 ≤ k ≤ n) of cfg, whose kind must be
// experiments.Sharded, and writes its part file; it returns the file's
// path. The shared steps (training, attacks) run first under the results
// directory's lock, waiting for it while another run holds it; a shard
// without cells (more shards than cells) skips them and writes a part
// without results. Opt.ExportActivations is not supported. A cancelled
// ctx stops the shard with an error wrapping ErrInterrupted.
func Shard(ctx context.Context, cfg *experiments.Config, k, n int, opt Options) (string, error) {
	if k < 1 || k > n {
		return "", fmt.Errorf("runner: shard %d of %d: want 1 ≤ K ≤ N", k, n)
	}
	if opt.ExportActivations != "" {
		return "", fmt.Errorf("runner: a shard cannot export activations (it computes only some layers)")
	}
	kind, cells, err := shardCells(cfg)
	if err != nil {
		return "", err
	}
	dir := resultsDir(cfg, opt)
	mine := experiments.Assign(cells, n)[k-1]
	p := part{Experiment: cfg.Name, Kind: cfg.Kind, Shard: k, Shards: n, ConfigHash: cfg.Hash, Revision: opt.Revision,
		Cells: cellIDs(cells, mine)}
	if opt.Progress != nil {
		var layers []string
		for _, c := range mine {
			if !slices.Contains(layers, cells[c].Layer) {
				layers = append(layers, cells[c].Layer)
			}
		}
		opt.Progress("shard %d of %d: %d of the %d cells, in layers %s", k, n, len(mine), len(cells), strings.Join(layers, ", "))
	}
	if len(mine) > 0 {
		t0 := time.Now()
		if err := prepareShared(ctx, kind, cfg, dir, opt); err != nil {
			return "", interrupted(ctx, cfg, dir, err)
		}
		prepare := time.Since(t0).Seconds()
		sub := make([]experiments.Cell, len(mine))
		for i, c := range mine {
			sub[i] = cells[c]
		}
		if p.Results, err = compute(ctx, kind, cfg, dir, opt, sub); err != nil {
			return "", interrupted(ctx, cfg, dir, err)
		}
		p.Results.Timings["prepare"] = prepare // the shared steps, waiting for the lock included
	}
	path := filepath.Join(dir, PartFile(k, n))
	err = data.WriteFileAtomic(path, func(w io.Writer) error { return json.NewEncoder(w).Encode(p) })
	if err != nil {
		return "", fmt.Errorf("%s: %w", cfg.Name, err)
	}
	return path, nil
}

// prepareShared trains cfg's models and runs its kind's Prepare (the
// attacks) under dir's lock, waiting for it.
func prepareShared(ctx context.Context, kind experiments.Sharded, cfg *experiments.Config, dir string, opt Options) error {
	release, err := lockWait(ctx, dir, LockPoll, opt.Progress)
	if err != nil {
		return fmt.Errorf("%s: %w", cfg.Name, err)
	}
	defer release()
	env := newEnv(dir, opt)
	trained, _, err := experiments.TrainModels(ctx, cfg, env)
	if err == nil {
		err = kind.Prepare(ctx, trained, env)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", cfg.Name, err)
	}
	return nil
}

// resultsDir returns the results directory of cfg.
func resultsDir(cfg *experiments.Config, opt Options) string {
	out := opt.OutDir
	if out == "" {
		out = "results"
	}
	return filepath.Join(out, cfg.Name)
}

// interrupted returns err, or, when ctx is cancelled, the error of an
// interrupted run saying what is kept.
func interrupted(ctx context.Context, cfg *experiments.Config, dir string, err error) error {
	if err == nil || ctx.Err() == nil {
		return err
	}
	return fmt.Errorf("%s: %w (%w); kept: the finished attack sets and the checkpoints of unfinished ones in %s, reused by the next run",
		cfg.Name, ErrInterrupted, ctx.Err(), filepath.Join(dir, "sets"))
}
