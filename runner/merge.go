package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"subsetscan/experiments"
	"subsetscan/report"
)

// Merge puts together the part files of cfg's shards (Shard) into the
// results of an unsharded run and writes them, results.json, report.md and
// the figures, with the code of Run: they are those of an unsharded run
// byte for byte, apart from the timings (each the longest shard's, plus
// the merge's own). n is the number of shards, or 0 to take it from the
// part files present (an error when they are of several splits).
//
// Every part 1..n must be there, name cfg's experiment, have cfg's hash
// and opt.Revision, and hold the cells experiments.Assign gives its
// shard; and the parts must agree on everything outside their cells.
// Otherwise the error names the part file. The results directory is
// locked while Merge writes it.
func Merge(ctx context.Context, cfg *experiments.Config, n int, opt Options) (string, *report.Results, error) {
	t0 := time.Now()
	_, cells, err := shardCells(cfg)
	if err != nil {
		return "", nil, err
	}
	dir := resultsDir(cfg, opt)
	release, err := lock(dir)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", cfg.Name, err)
	}
	defer release()
	if n == 0 {
		if n, err = partCount(dir); err != nil {
			return "", nil, fmt.Errorf("%s: %w", cfg.Name, err)
		}
	}
	parts, err := readParts(dir, cfg, cells, n, opt.Revision)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", cfg.Name, err)
	}
	results := make([]*report.Results, n)
	for i, p := range parts {
		results[i] = p.Results
	}
	res, err := experiments.AssembleCells(cells, results)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", cfg.Name, err)
	}
	res.Timings = mergedTimings(results, t0)
	if err := write(ctx, dir, res, opt); err != nil {
		return "", nil, interrupted(ctx, cfg, dir, err)
	}
	return dir, res, nil
}

// partName matches the name of a part file.
var partName = regexp.MustCompile(`^([1-9][0-9]*)-of-([1-9][0-9]*)\.json$`)

// partCount returns the N of the part files K-of-N.json in dir's parts
// directory: an error when there are none, or when they are of several
// splits.
func partCount(dir string) (int, error) {
	ents, err := os.ReadDir(filepath.Join(dir, PartsDir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return 0, err
	}
	byN := map[int][]string{}
	for _, e := range ents {
		if m := partName.FindStringSubmatch(e.Name()); m != nil {
			n, _ := strconv.Atoi(m[2])
			byN[n] = append(byN[n], filepath.Join(PartsDir, e.Name()))
		}
	}
	switch len(byN) {
	case 0:
		return 0, fmt.Errorf("no part files %s in %s: run the shards first (run -shard K/N)", PartFile(1, 1), dir)
	case 1:
		for n := range byN {
			return n, nil
		}
	}
	var splits []string
	for _, n := range slices.Sorted(maps.Keys(byN)) {
		splits = append(splits, fmt.Sprintf("%d shards (%s)", n, strings.Join(byN[n], ", ")))
	}
	return 0, fmt.Errorf("the part files in %s are of several splits: %s; give the number of shards (-shards N) or remove the stale ones",
		dir, strings.Join(splits, "; "))
}

// readParts reads and checks the n part files of cfg in dir. Missing
// parts are one error naming them all.
func readParts(dir string, cfg *experiments.Config, cells []experiments.Cell, n int, revision string) ([]*part, error) {
	assigned := experiments.Assign(cells, n)
	parts := make([]*part, n)
	var missing []string
	var first *part
	firstName := ""
	for k := 1; k <= n; k++ {
		name := PartFile(k, n)
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			missing = append(missing, name)
			continue
		}
		if err != nil {
			return nil, err
		}
		p, err := checkPart(raw, name, cfg, k, n, revision, cellIDs(cells, assigned[k-1]))
		if err != nil {
			return nil, err
		}
		if p.Results != nil && first == nil {
			first, firstName = p, name
		} else if p.Results != nil {
			if err := sameOutsideCells(first.Results, p.Results, firstName, name); err != nil {
				return nil, err
			}
		}
		parts[k-1] = p
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing part files in %s: %s (shards that did not finish)", dir, strings.Join(missing, ", "))
	}
	return parts, nil
}

// checkPart decodes the part file name and checks that it is shard k of n
// of cfg, made by revision, with the cells want.
func checkPart(raw []byte, name string, cfg *experiments.Config, k, n int, revision string, want []string) (*part, error) {
	var p part
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("part file %s: %w", name, err)
	}
	switch {
	case p.Experiment != cfg.Name || p.Kind != cfg.Kind:
		return nil, fmt.Errorf("part file %s is of experiment %s (kind %s), not %s (kind %s)", name, p.Experiment, p.Kind, cfg.Name, cfg.Kind)
	case p.ConfigHash != cfg.Hash:
		return nil, fmt.Errorf("part file %s is of another config: config hash %s, this config's is %s", name, p.ConfigHash, cfg.Hash)
	case p.Revision != revision:
		return nil, fmt.Errorf("part file %s was made by code revision %s, this is revision %s", name, p.Revision, revision)
	case p.Shard != k || p.Shards != n:
		return nil, fmt.Errorf("part file %s says it is shard %d of %d", name, p.Shard, p.Shards)
	case !slices.Equal(p.Cells, want):
		return nil, fmt.Errorf("part file %s holds the cells %v, but shard %d of %d has %v", name, p.Cells, k, n, want)
	case (p.Results == nil) != (len(want) == 0):
		return nil, fmt.Errorf("part file %s: results for %d cells", name, len(want))
	}
	return &p, nil
}

// sameOutsideCells checks that a and b, the results of the parts named
// na and nb, agree on everything but their cells' results (layers, group
// points, pixel maps) and their timings; an error names the first field
// that differs.
func sameOutsideCells(a, b *report.Results, na, nb string) error {
	fa, err := commonFields(a)
	if err != nil {
		return err
	}
	fb, err := commonFields(b)
	if err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(fa)) {
		if !bytes.Equal(fa[k], fb[k]) {
			return fmt.Errorf("part files %s and %s differ in %s", na, nb, k)
		}
	}
	return nil
}

// commonFields returns the JSON fields of r that every part shares.
func commonFields(r *report.Results) (map[string]json.RawMessage, error) {
	c := *r
	c.Layers, c.Group, c.PixelMaps, c.Timings = nil, nil, nil, nil
	raw, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	err = json.Unmarshal(raw, &m)
	return m, err
}

// mergedTimings returns, for each timing of the parts, the longest; and
// the merge's own time since t0.
func mergedTimings(parts []*report.Results, t0 time.Time) map[string]float64 {
	t := map[string]float64{}
	for _, p := range parts {
		if p == nil {
			continue
		}
		for k, v := range p.Timings {
			t[k] = max(t[k], v)
		}
	}
	t["merge"] = time.Since(t0).Seconds()
	return t
}
