package experiments

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"subsetscan/internal/par"
	"subsetscan/report"
	"subsetscan/scan"
)

func init() { Register(groupKind{}) }

// groupKind is the kind autoencoder-group: it measures the detection power
// of group scans per layer: groups of group.size images, clean ones and
// ones where a proportion of the images comes from an anomalous set, the
// same number of each (with groups of unequal sizes, as in ART, the AUC
// reads about 0.75 even without anomalies). Each group gets its
// group-scan score; the AUC of clean vs contaminated groups, with its
// confidence interval, and the precision and recall of the images the
// scan found, are reported against the proportion.
type groupKind struct{}

// groupSettings are the section of kind autoencoder-group.
type groupSettings struct {
	autoencoderSettings `yaml:",inline"`
	Group               GroupSpec `yaml:"group" json:"group" cfg:"required"`
}

// GroupSpec configures group scans: groups of Size images, clean ones and
// ones where a Proportion of the images is anomalous, Runs of each.
type GroupSpec struct {
	// Size is the number of images of every group, ≥ 2 and at most the
	// number of clean images.
	Size int `yaml:"size" json:"size" cfg:"required"`
	// Proportions are the shares of anomalous images in the contaminated
	// groups, each in (0, 1]; a group has at least one anomalous image.
	Proportions []float64 `yaml:"proportions" json:"proportions" cfg:"required"`
	// Runs is the number of groups of each kind per set and proportion, ≥ 1.
	Runs int `yaml:"runs" json:"runs" cfg:"required"`
	// Restarts are the scan's random restarts (0: 2).
	Restarts int `yaml:"restarts" json:"restarts,omitempty"`
	// Thresholds are the candidate thresholds: reference (the default,
	// the authors'), exact or grid.
	Thresholds string `yaml:"thresholds" json:"thresholds,omitempty"`
}

// check validates the group settings under key; nClean is the number of
// clean images.
func (g *GroupSpec) check(key string, nClean int) error {
	if g.Size < 2 || g.Runs < 1 || len(g.Proportions) == 0 {
		return keyErr(key, "needs size ≥ 2, runs ≥ 1 and at least one proportion")
	}
	for i, p := range g.Proportions {
		if !(p > 0 && p <= 1) {
			return keyErr(fmt.Sprintf("%s.proportions[%d]", key, i), "must be in (0, 1], got %v", p)
		}
	}
	if g.Size > nClean {
		return keyErr(key+".size", "%d exceeds the %d clean images", g.Size, nClean)
	}
	if g.Restarts < 0 {
		return keyErr(key+".restarts", "must be ≥ 0, got %d", g.Restarts)
	}
	if g.Thresholds != "" {
		if _, err := scan.ParseThresholds(g.Thresholds); err != nil {
			return keyErr(key+".thresholds", "%v", err)
		}
	}
	return nil
}

// options returns the group-scan options of g.
func (g *GroupSpec) options(cfg *Config) scan.GroupOptions {
	score, _ := scan.ScorerByName(cfg.Scan.Score)
	th := scan.Reference
	if g.Thresholds != "" {
		th, _ = scan.ParseThresholds(g.Thresholds)
	}
	return scan.GroupOptions{Score: score, AlphaMax: cfg.Scan.AlphaMax, Restarts: g.Restarts, Thresholds: th}
}

func (groupKind) Name() string { return "autoencoder-group" }

// Decode decodes and checks the section: group scans of the sets.
func (groupKind) Decode(cfg *Config, sec *Section) (Settings, error) {
	return decodeChecked[groupSettings](cfg, sec, "group")
}

// check checks the settings, whose key is key.
func (s *groupSettings) check(cfg *Config, key string) error {
	if err := s.autoencoderSettings.check(cfg, key, false); err != nil {
		return err
	}
	return s.Group.check(key+".group", cfg.Dataset.Clean[1]-cfg.Dataset.Clean[0])
}

func (k groupKind) Run(ctx context.Context, cfg *Config, env Env) (*report.Results, error) {
	t0 := time.Now()
	s := cfg.Settings.(*groupSettings)
	im, acts, err := s.prepare(ctx, cfg, k.Name(), false, env)
	if err != nil {
		return nil, err
	}
	res := NewResults(cfg, im)
	if res.Group, err = ScanGroups(ctx, cfg, im, acts, s.Group, env); err != nil {
		return nil, err
	}
	return res, FinishResults(res, cfg, t0)
}

// ScanGroups runs the group scans of g in every layer of acts: for each
// set of im and proportion, g.Runs clean and g.Runs contaminated groups
// (groupPoint), the same groups in every layer (drawn from a stream that
// depends on the seed, the set's index and the proportion's only). The
// time taken goes into im.Timings["scans"].
func ScanGroups(ctx context.Context, cfg *Config, im *Images, acts *Activations, g GroupSpec, env Env) ([]report.GroupLayer, error) {
	tail, _ := scan.ParseTail(cfg.Scan.Tail)
	opts := g.options(cfg)
	t0 := time.Now()
	var buf pvalueBuffers
	var out []report.GroupLayer
	for li, name := range acts.Layers {
		ranges, err := buf.pvalues(acts.Background[name], acts.Eval[name], tail, env.Workers)
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", name, err)
		}
		gl := report.GroupLayer{Layer: name}
		for si, set := range im.Sets {
			for pi, prop := range g.Proportions {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				if !env.hasGroupCell(name, set, prop) {
					continue // another shard's (Env.Cells)
				}
				rng := rand.New(rand.NewPCG(cfg.Seed, uint64(si*1000+pi)))
				p, err := groupPoint(ranges, im, set, prop, g, rng, opts, env.Workers)
				if err != nil {
					return nil, fmt.Errorf("layer %s, set %s, proportion %v: %w", name, set, prop, err)
				}
				gl.Points = append(gl.Points, p)
			}
		}
		out = append(out, gl)
		env.logf("layer %d/%d %s: %d group points", li+1, len(acts.Layers), name, len(gl.Points))
	}
	im.Timings["scans"] = time.Since(t0).Seconds()
	return out, nil
}

// groupPoint scans g.Runs clean and g.Runs contaminated groups drawn from
// rng, where a proportion prop of the images (at least one) comes from
// set, and returns the AUC of clean against contaminated groups with its
// confidence interval and the mean precision and recall of the anomalous
// images found.
func groupPoint(ranges *scan.Ranges, im *Images, set string, prop float64, g GroupSpec, rng *rand.Rand,
	opts scan.GroupOptions, workers int) (report.GroupPoint, error) {
	nAnom := max(1, int(math.Round(prop*float64(g.Size))))
	nAnom = min(nAnom, im.Samples[set], g.Size)
	first, _ := im.rows(set)
	groups := drawGroups(rng, im.Clean(), im.Samples[set], first, nAnom, g)
	results, err := groupScans(ranges, groups, opts, workers)
	if err != nil {
		return report.GroupPoint{}, err
	}
	var cleanScores, contScores []float64
	var prec, rec float64
	truth := make([]int, nAnom)
	for i := range truth {
		truth[i] = i
	}
	for k := 0; k < len(results); k += 2 {
		cleanScores = append(cleanScores, results[k].Score)
		contScores = append(contScores, results[k+1].Score)
		p, rc := scan.PrecisionRecall(results[k+1].Samples, truth)
		prec += p
		rec += rc
	}
	auc, ci, err := aucCI(cleanScores, contScores)
	if err != nil {
		return report.GroupPoint{}, err
	}
	return report.GroupPoint{Set: set, Proportion: prop, Runs: g.Runs, AUC: auc, CI: &ci,
		Precision: prec / float64(g.Runs), Recall: rec / float64(g.Runs)}, nil
}

// drawGroups draws g.Runs pairs of groups from rng, in the order of the
// stream: a clean group of g.Size of the nClean clean rows, then a
// contaminated one, nAnom of the set's nSet rows (which start at row
// first) followed by clean rows. Each group gets the seed of its
// restarts. The anomalous rows are a contaminated group's first nAnom.
func drawGroups(rng *rand.Rand, nClean, nSet, first, nAnom int, g GroupSpec) []group {
	groups := make([]group, 0, 2*g.Runs)
	for range g.Runs {
		rows := rng.Perm(nClean)[:g.Size]
		groups = append(groups, group{rows: rows, seed: rng.Uint64()})
		anom := rng.Perm(nSet)[:nAnom]
		rows = rng.Perm(nClean)[:g.Size-nAnom]
		grp := make([]int, 0, g.Size)
		for _, a := range anom {
			grp = append(grp, first+a)
		}
		grp = append(grp, rows...)
		groups = append(groups, group{rows: grp, seed: rng.Uint64()})
	}
	return groups
}

// group is one group of eval rows to scan, with the seed of its restarts.
type group struct {
	rows []int
	seed uint64
}

// groupScans scans the groups with opts (its Seed replaced by each
// group's) on up to workers goroutines (0 means GOMAXPROCS) and returns
// their results in order: each scan is serial and independent, so the
// results do not depend on the number of workers.
func groupScans(r *scan.Ranges, groups []group, opts scan.GroupOptions, workers int) ([]scan.Result, error) {
	results := make([]scan.Result, len(groups))
	errs := make([]error, len(groups))
	par.For(len(groups), workers, func() *scan.Ranges { return new(scan.Ranges) }, func(sub *scan.Ranges, k int) {
		results[k], errs[k] = groupScan(r, groups[k], sub, opts)
	})
	return results, errors.Join(errs...)
}

// groupScan scans the group's eval rows; the result's samples index them.
// The rows' upper bounds are gathered into sub, whose memory is reused
// from call to call: pmax is all that a group scan reads, so the lower
// bounds are left out (sub.Min is nil).
func groupScan(r *scan.Ranges, g group, sub *scan.Ranges, opts scan.GroupOptions) (scan.Result, error) {
	n := len(g.rows) * r.J
	if cap(sub.Max) < n {
		sub.Max = make([]float64, n)
	}
	sub.N, sub.J, sub.Denom, sub.Min, sub.Max = len(g.rows), r.J, r.Denom, nil, sub.Max[:n]
	for k, i := range g.rows {
		copy(sub.Max[k*r.J:(k+1)*r.J], r.Max[i*r.J:(i+1)*r.J])
	}
	opts.Seed = g.seed
	return scan.Group(sub, opts)
}
