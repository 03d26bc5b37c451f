package experiments

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"subsetscan/report"
	"subsetscan/scan"
)

func init() { Register("autoencoder-group", runGroup) }

// runGroup measures the detection power of group scans per layer: groups
// of group.size images, clean ones and ones where a proportion of the
// images comes from an anomalous set, the same number of each (with groups
// of unequal sizes, as in ART, the AUC reads about 0.75 even without
// anomalies). Each group gets its group-scan score; the AUC of clean vs
// contaminated groups, and the precision and recall of the images the scan
// found, are reported against the proportion.
func runGroup(ctx context.Context, cfg *Config, env Env) (*report.Results, error) {
	t0 := time.Now()
	in, err := prepare(ctx, cfg, env)
	if err != nil {
		return nil, err
	}
	score, _ := scan.ScorerByName(cfg.Scan.Score)
	tail, _ := scan.ParseTail(cfg.Scan.Tail)
	th := scan.Reference
	if cfg.Scan.Thresholds != "" {
		th, _ = scan.ParseThresholds(cfg.Scan.Thresholds)
	}
	g := cfg.Group
	nClean := in.clean.Len()
	offsets := map[string]int{}
	off := nClean
	for _, s := range in.setNames {
		offsets[s] = off
		off += in.samples[s]
	}
	res := &report.Results{Experiment: cfg.Name, Description: cfg.Description, Samples: in.samples,
		Sets: in.setNames, Warnings: in.warnings, Notes: nil}
	tScan := time.Now()
	var buf pvalueBuffers
	for li, name := range in.layers {
		ranges, err := buf.pvalues(in.bgActs[name], in.evalActs[name], tail, env.Workers)
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", name, err)
		}
		gl := report.GroupLayer{Layer: name}
		for si, set := range in.setNames {
			for pi, prop := range g.Proportions {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				// The same groups for every layer: the stream depends on the
				// set and proportion only.
				rng := rand.New(rand.NewPCG(cfg.Seed, uint64(si*1000+pi)))
				nAnom := max(1, int(math.Round(prop*float64(g.Size))))
				nAnom = min(nAnom, in.samples[set], g.Size)
				var cleanScores, contScores []float64
				var prec, rec float64
				for range g.Runs {
					// A clean group.
					rows := rng.Perm(nClean)[:g.Size]
					r, err := groupScan(ranges, rows, score, cfg, th, rng.Uint64())
					if err != nil {
						return nil, err
					}
					cleanScores = append(cleanScores, r.Score)
					// A contaminated group: anomalous images first.
					anom := rng.Perm(in.samples[set])[:nAnom]
					rows = rng.Perm(nClean)[:g.Size-nAnom]
					grp := make([]int, 0, g.Size)
					for _, a := range anom {
						grp = append(grp, offsets[set]+a)
					}
					grp = append(grp, rows...)
					r, err = groupScan(ranges, grp, score, cfg, th, rng.Uint64())
					if err != nil {
						return nil, err
					}
					contScores = append(contScores, r.Score)
					truth := make([]int, nAnom)
					for i := range truth {
						truth[i] = i
					}
					p, rc := scan.PrecisionRecall(r.Samples, truth)
					prec += p
					rec += rc
				}
				auc, err := scan.AUC(cleanScores, contScores)
				if err != nil {
					return nil, err
				}
				gl.Points = append(gl.Points, report.GroupPoint{Set: set, Proportion: prop, Runs: g.Runs,
					AUC: auc, Precision: prec / float64(g.Runs), Recall: rec / float64(g.Runs)})
			}
		}
		res.Group = append(res.Group, gl)
		env.logf("layer %d/%d %s: %d group points", li+1, len(in.layers), name, len(gl.Points))
	}
	in.timings["scans"] = time.Since(tScan).Seconds()
	in.timings["total"] = time.Since(t0).Seconds()
	res.Timings = in.timings
	if cfg.Published != nil {
		res.Notes = cfg.Published.Notes
	}
	if res.Config, err = json.Marshal(cfg); err != nil {
		return nil, err
	}
	return res, nil
}

// groupScan scans the group of eval rows; the result's samples index rows.
func groupScan(r *scan.Ranges, rows []int, score scan.Scorer, cfg *Config, th scan.Thresholds, seed uint64) (scan.Result, error) {
	sub := scan.NewRanges(len(rows), r.J)
	sub.Denom = r.Denom
	for k, i := range rows {
		copy(sub.Min[k*r.J:(k+1)*r.J], r.Min[i*r.J:(i+1)*r.J])
		copy(sub.Max[k*r.J:(k+1)*r.J], r.Max[i*r.J:(i+1)*r.J])
	}
	return scan.Group(sub, scan.GroupOptions{Score: score, AlphaMax: cfg.Scan.AlphaMax,
		Restarts: cfg.Scan.Restarts, Thresholds: th, Seed: seed})
}
