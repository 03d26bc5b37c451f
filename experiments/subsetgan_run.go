package experiments

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"subsetscan/data"
	"subsetscan/nn"
	"subsetscan/nn/fake"
	"subsetscan/nn/gan"
	"subsetscan/report"
)

func (k subsetGANKind) Run(ctx context.Context, cfg *Config, env Env) (*report.Results, error) {
	t0 := time.Now()
	s := cfg.Settings.(*subsetGANSettings)
	key := k.Name()
	m, err := s.load(key)
	if err != nil {
		return nil, err
	}
	env.logf("drawing %d held-out fakes of each generator and a training pool of %d", s.Fakes.HeldOut, s.Fakes.Pool)
	d, err := s.images(m, env)
	if err != nil {
		return nil, err
	}
	timings := map[string]float64{"images": time.Since(t0).Seconds()}
	res := NewResults(cfg, &Images{Sets: []string{setTS, setAE, setMixed}, Timings: timings,
		Samples: map[string]int{"background": d.real.Background.Len(), "clean": d.real.Clean.Len(), setTS: d.ts.Len(),
			setAE: d.ae.Len(), setMixed: d.mixed.Len()}})
	res.SubsetGAN = &report.SubsetGAN{TableProportion: s.TableProportion}
	res.Notes = append(res.Notes, fmt.Sprintf("The AE edits are clipped to [0, 1], the pixel range of an image file (fake.Clipped, as for the detectors' training pools): "+
		"clipping changed the held-out edits by %.2g per pixel on average.", d.aeClipped))
	t := time.Now()
	base, err := s.baselines(m, d, res.SubsetGAN, env)
	if err != nil {
		return nil, err
	}
	timings["baselines"] = time.Since(t).Seconds()
	scans, err := s.scanAll(ctx, cfg, m, d, res, env)
	if err != nil {
		return nil, err
	}
	res.SubsetGAN.Rows = s.rows(cfg, base, scans)
	if env.Dir != "" && s.Grid > 0 {
		if err := s.grids(env.Dir, d, res.SubsetGAN); err != nil {
			return nil, err
		}
	}
	return res, FinishResults(res, cfg, t0)
}

// ganNetScan is one scanned network: its label in the results, the set
// scanned, whether its layers are also scanned individually, and the
// results.
type ganNetScan struct {
	label, set string
	model      *nn.Model
	layers     []string
	individual bool
	// indiv are the individual scans' layers; group the group scans'
	// layers (named label/layer).
	indiv []report.Layer
	group []report.GroupLayer
	// nodes is where the group scans of the table's layer and proportion
	// found the fakes, when that layer has a spatial layout.
	nodes *report.GANNodes
}

// scanAll runs the scans of the four networks: individual and group
// scans of each discriminator on its own generator's fakes, group scans
// of each fake classifier on the mixed set. The group layers go into
// res.Group, the individual scans into res.SubsetGAN.Individual.
func (s *subsetGANSettings) scanAll(ctx context.Context, cfg *Config, m *ganModels, d *ganData, res *report.Results, env Env) ([]*ganNetScan, error) {
	nets := []*ganNetScan{
		{label: s.TS.Discriminator.Arch, set: setTS, model: m.tsD, layers: s.TS.Discriminator.Layers, individual: true},
		{label: s.AE.Discriminator.Arch, set: setAE, model: m.aeD, layers: s.AE.Discriminator.Layers, individual: true},
		{label: s.ResNet.Arch, set: setMixed, model: m.resnet, layers: s.ResNet.Layers},
		{label: s.SqueezeNet.Arch, set: setMixed, model: m.squeezenet, layers: s.SqueezeNet.Layers},
	}
	fakes := map[string]*data.Array{setTS: d.ts, setAE: d.ae, setMixed: d.mixed}
	for _, n := range nets {
		if err := s.scanNet(ctx, cfg, n, d.real, fakes[n.set], res.Timings, env); err != nil {
			return nil, fmt.Errorf("%s: %w", n.label, err)
		}
		res.Group = append(res.Group, n.group...)
		if n.nodes != nil {
			res.SubsetGAN.Nodes = append(res.SubsetGAN.Nodes, *n.nodes)
		}
		if n.individual {
			sc := report.GANScan{Network: n.label, Set: n.set}
			for _, l := range n.indiv {
				sc.Layers = append(sc.Layers, report.LayerAUC{Layer: l.Layer, AUC: l.AUC, CI: l.CI})
			}
			res.SubsetGAN.Individual = append(res.SubsetGAN.Individual, sc)
		}
	}
	return nets, nil
}

// scanNet computes n's activations of the background, the clean images
// and the set's fakes, and scans them.
func (s *subsetGANSettings) scanNet(ctx context.Context, cfg *Config, n *ganNetScan, real fake.Real, fakes *data.Array,
	timings map[string]float64, env Env) error {
	eval, err := data.Concat(real.Clean, fakes)
	if err != nil {
		return err
	}
	im := &Images{Background: real.Background, Eval: eval, Sets: []string{n.set}, Timings: map[string]float64{},
		Samples: map[string]int{"background": real.Background.Len(), "clean": real.Clean.Len(), n.set: fakes.Len()}}
	t := time.Now()
	env.logf("%s: activations of %d background and %d evaluation images, %d layers", n.label, im.Background.Len(), eval.Len(), len(n.layers))
	acts := &Activations{Layers: n.layers}
	if acts.Background, err = n.model.Forward(im.Background, n.layers, env.Workers); err != nil {
		return err
	}
	if acts.Eval, err = n.model.Forward(eval, n.layers, env.Workers); err != nil {
		return err
	}
	timings[n.label+" activations"] = time.Since(t).Seconds()
	if n.individual {
		if n.indiv, err = ScanIndividual(ctx, cfg, im, acts, env, nil); err != nil {
			return err
		}
		timings[n.label+" individual scans"] = im.Timings["scans"]
	}
	if n.group, err = ScanGroups(ctx, cfg, im, acts, s.Group, env); err != nil {
		return err
	}
	timings[n.label+" group scans"] = im.Timings["scans"]
	best, err := bestGroupLayer(n, s.TableProportion)
	if err != nil {
		return err
	}
	nodes, ok, err := s.selectedNodes(cfg, n, im, acts, best, slices.Index(s.Group.Proportions, s.TableProportion), env.Workers)
	if err != nil {
		return fmt.Errorf("layer %s: %w", best, err)
	}
	if ok {
		n.nodes = &nodes
	}
	for i := range n.group {
		n.group[i].Layer = n.label + "/" + n.group[i].Layer
	}
	return nil
}

// ganBaseline is a supervised detector's results on the held-out sets.
type ganBaseline struct {
	name    string
	results []fake.Result
}

// baselines fits FakeSpotter on the training pool, loads the other
// detectors, scores the clean images and the TS and AE fakes with each,
// and says in g what each was trained on.
func (s *subsetGANSettings) baselines(m *ganModels, d *ganData, g *report.SubsetGAN, env Env) ([]ganBaseline, error) {
	env.logf("baselines: fitting FakeSpotter on %d real and %d fake training images", d.real.Train.Len(), d.pool.Len())
	fsp, err := fake.FitFakeSpotter(m.recogniser, fake.FakeSpotterLayers, d.real.Train, d.pool, env.Workers)
	if err != nil {
		return nil, fmt.Errorf("FakeSpotter: %w", err)
	}
	dets := []fake.Detector{fsp, fake.AutoGAN{Classifier: m.autogan},
		fake.Net{Label: s.ResNet.Arch, Model: m.resnet}, fake.Net{Label: s.SqueezeNet.Arch, Model: m.squeezenet}}
	sets := []fake.Set{{Name: setTS, Images: d.ts}, {Name: setAE, Images: d.ae}}
	var out []ganBaseline
	for _, det := range dets {
		r, err := fake.Evaluate(det, d.real.Clean, sets, env.Workers)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", det.Name(), err)
		}
		out = append(out, ganBaseline{name: det.Name(), results: r})
	}
	sp := s.Split
	g.Trained = []string{
		fmt.Sprintf("FakeSpotter: a logistic regression on the neuron coverage of the recogniser %s (layers %v; thresholds the layers' mean activations on the real images), "+
			"fitted here on %d real MNIST training images and a training pool of %d fakes (half TS, half AE edits of those training images), drawn from seed %d, never the held-out seed %d.",
			s.Baselines.Recogniser.Arch, fake.FakeSpotterLayers, d.real.Train.Len(), d.pool.Len(), fake.Seed(sp.Seed, fake.Training), fake.Seed(sp.Seed, fake.HeldOut)),
		fmt.Sprintf("AutoGAN: %s, a classifier of log-magnitude spectra trained (weights %s) on real MNIST training images against the reproductions of AutoGAN's GAN simulator (autogan-sim); it never saw a GAN's fakes.",
			s.Baselines.AutoGAN.Arch, filepath.Base(s.Baselines.AutoGAN.Weights)),
		fmt.Sprintf("%s and %s (scanned in group mode; their own supervised scores are extra rows): trained by train-fake (weights %s, %s) on real MNIST training images "+
			"of the split with seed %d against its training pool of generated fakes (fake seed %d; configs/models/README.md says of which generators); the held-out fakes here come from seed %d.",
			s.ResNet.Arch, s.SqueezeNet.Arch, filepath.Base(s.ResNet.Weights), filepath.Base(s.SqueezeNet.Weights), sp.Seed, fake.Seed(sp.Seed, fake.Training), fake.Seed(sp.Seed, fake.HeldOut)),
		fmt.Sprintf("The discriminators %s and %s: trained with their generators on the MNIST training set; scanned here without any example of the fakes.",
			s.TS.Discriminator.Arch, s.AE.Discriminator.Arch),
	}
	return out, nil
}

// grids writes the sample grids into dir: the first s.Grid TS fakes, and
// the first s.Grid AE sources above their edits.
func (s *subsetGANSettings) grids(dir string, d *ganData, g *report.SubsetGAN) error {
	n := min(s.Grid, d.ts.Len())
	g.TSGrid, g.AEGrid = "samples_ts.png", "pairs_ae.png"
	if err := gan.WriteGrid(filepath.Join(dir, g.TSGrid), d.ts.Slice(0, n), n); err != nil {
		return err
	}
	pairs, err := data.Concat(d.aeSources.Slice(0, n), d.ae.Slice(0, n))
	if err != nil {
		return err
	}
	return gan.WriteGrid(filepath.Join(dir, g.AEGrid), pairs, n)
}
