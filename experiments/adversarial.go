package experiments

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"subsetscan/data"
	"subsetscan/nn"
	"subsetscan/report"
	"subsetscan/scan"
)

func init() { Register("autoencoder-adversarial", runAdversarial) }

// runAdversarial scans every chosen layer of an autoencoder: the
// activations of clean and anomalous images are compared with those of a
// clean background, each image gets an individual-scan score, and the AUC
// of clean vs each set measures the layer's detection power (Cintas et al.
// 2020).
// inputs are what every autoencoder experiment starts from: the images of
// each set and the activations of every scanned layer.
type inputs struct {
	clean    *data.Array
	samples  map[string]int
	setNames []string
	warnings []string
	layers   []string
	bgActs   map[string]*data.Array
	evalActs map[string]*data.Array // clean images, then each set in order
	timings  map[string]float64
}

func prepare(ctx context.Context, cfg *Config, env Env) (*inputs, error) {
	timings := map[string]float64{}
	images, labels, err := loadImages(cfg)
	if err != nil {
		return nil, err
	}
	ds := cfg.Dataset
	for key, r := range map[string][2]int{"dataset.background": ds.Background, "dataset.clean": ds.Clean} {
		if r[1] > images.Len() {
			return nil, fmt.Errorf("%s: range %v exceeds the %d images of the %s split", key, r, images.Len(), ds.Split)
		}
	}
	bg := images.Slice(ds.Background[0], ds.Background[1])
	clean := images.Slice(ds.Clean[0], ds.Clean[1])
	parts := []*data.Array{clean}
	samples := map[string]int{"background": bg.Len(), "clean": clean.Len()}
	var setNames, warnings []string
	for _, s := range cfg.Sets {
		var a *data.Array
		var err error
		if s.Attack != nil {
			a, err = generateSet(ctx, cfg, s, images, labels, env)
		} else {
			a, err = loadSet(s.File, images)
		}
		if err != nil {
			return nil, fmt.Errorf("set %s: %w", s.Name, err)
		}
		if w := outOfRange(a); w != "" {
			warnings = append(warnings, fmt.Sprintf("set %s (%s): %s", s.Name, s.File, w))
		}
		parts = append(parts, a)
		samples[s.Name] = a.Len()
		setNames = append(setNames, s.Name)
	}
	eval, err := data.Concat(parts...)
	if err != nil {
		return nil, err
	}
	arch, err := nn.ArchByName(cfg.Model.Arch)
	if err != nil {
		return nil, err
	}
	model, err := nn.Load(arch, cfg.Model.Weights)
	if err != nil {
		return nil, err
	}
	layers := []string(cfg.Layers)
	if layers == nil {
		layers = model.LayerNames()
	}
	env.logf("activations of %d background and %d evaluation images, %d layers", bg.Len(), eval.Len(), len(layers))
	tAct := time.Now()
	bgActs, err := model.Forward(bg, layers, env.Workers)
	if err != nil {
		return nil, err
	}
	evalActs, err := model.Forward(eval, layers, env.Workers)
	if err != nil {
		return nil, err
	}
	timings["activations"] = time.Since(tAct).Seconds()
	return &inputs{clean: clean, samples: samples, setNames: setNames, warnings: warnings,
		layers: layers, bgActs: bgActs, evalActs: evalActs, timings: timings}, nil
}

func runAdversarial(ctx context.Context, cfg *Config, env Env) (*report.Results, error) {
	t0 := time.Now()
	in, err := prepare(ctx, cfg, env)
	if err != nil {
		return nil, err
	}
	timings := in.timings
	samples, setNames, warnings := in.samples, in.setNames, in.warnings
	layers, bgActs, evalActs := in.layers, in.bgActs, in.evalActs
	clean := in.clean
	score, _ := scan.ScorerByName(cfg.Scan.Score)
	tail, _ := scan.ParseTail(cfg.Scan.Tail)

	res := &report.Results{
		Experiment:  cfg.Name,
		Description: cfg.Description,
		Samples:     samples,
		Sets:        setNames,
		Warnings:    warnings,
	}
	tScan := time.Now()
	for li, name := range layers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, e := bgActs[name], evalActs[name]
		j := b.RowSize()
		back, err := scan.NewBackground(b.Data, b.Len(), j, env.Workers)
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", name, err)
		}
		ranges, err := back.PValues(e.Data, tail, env.Workers)
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", name, err)
		}
		results, err := scan.IndividualAll(ranges, score, cfg.Scan.AlphaMax, 0, env.Workers)
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", name, err)
		}
		scores := make([]float64, len(results))
		for i, r := range results {
			scores[i] = r.Score
		}
		l := report.Layer{Layer: name, Nodes: j, AUC: map[string]float64{}, Scores: map[string][]float64{}}
		off := clean.Len()
		l.Scores["clean"] = scores[:off]
		for k, s := range setNames {
			n := samples[s]
			l.Scores[s] = scores[off : off+n]
			off += n
			auc, err := scan.AUC(l.Scores["clean"], l.Scores[s])
			if err != nil {
				return nil, fmt.Errorf("layer %s, set %s: %w", name, s, err)
			}
			l.AUC[s] = auc
			_ = k
		}
		if p := cfg.Published; p != nil {
			l.Tolerance = p.Tolerance
			for s, byLayer := range p.AUC {
				if v, ok := byLayer[name]; ok {
					if l.Published == nil {
						l.Published = map[string]float64{}
					}
					l.Published[s] = v
				}
				if why, ok := p.Known[s][name]; ok {
					if l.Known == nil {
						l.Known = map[string]string{}
					}
					l.Known[s] = why
				}
			}
		}
		res.Layers = append(res.Layers, l)
		env.logf("layer %d/%d %s (%d nodes): AUC %s", li+1, len(layers), name, j, formatAUC(l.AUC, setNames))
	}
	timings["scans"] = time.Since(tScan).Seconds()
	timings["total"] = time.Since(t0).Seconds()
	res.Timings = timings
	if cfg.Published != nil {
		res.Notes = cfg.Published.Notes
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	res.Config = cfgJSON
	return res, nil
}

func formatAUC(auc map[string]float64, sets []string) string {
	s := ""
	for i, k := range sets {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s %.3f", k, auc[k])
	}
	return s
}

func loadImages(cfg *Config) (*data.Array, []int, error) {
	if cfg.Dataset.Name == "idx" {
		images, labels, err := data.LoadIDXSet(cfg.Dataset.Dir, cfg.Dataset.Split)
		if err != nil {
			names, _ := data.IDXFiles(cfg.Dataset.Split)
			return nil, nil, fmt.Errorf("dataset: %w (supply %s and %s, optionally gzipped, in the directory given by -data)", err, names[0], names[1])
		}
		return images, labels, nil
	}
	return data.LoadMNIST(cfg.Dataset.Split)
}

// outOfRange describes the pixels of a outside [0, 1], or returns "".
func outOfRange(a *data.Array) string {
	n, lo, hi := 0, float32(0), float32(1)
	for _, v := range a.Data {
		if v < 0 || v > 1 {
			n++
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d pixels outside [0, 1] (range [%.3g, %.3g]); used as they are", n, lo, hi)
}

// loadSet reads a .npy set of images shaped like the data set's.
func loadSet(path string, like *data.Array) (*data.Array, error) {
	a, err := data.ReadNPY(path)
	if err != nil {
		return nil, err
	}
	if a.Len() == 0 || a.RowSize() != like.RowSize() {
		return nil, fmt.Errorf("%s: shape %v, want [n %v]", path, a.Shape, like.Shape[1:])
	}
	if err := a.CheckFinite(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	a.Shape = append([]int{a.Len()}, like.Shape[1:]...)
	return a, nil
}
