package experiments

import (
	"context"
	"fmt"
	"slices"

	"subsetscan/nn"
)

// The cells of the autoencoder kinds (Sharded). Their cost model counts
// the values each step reads, rows × nodes: the p-values of a layer read
// its background and clean images' activations, an individual scan each
// clean image's, a group scan its group's for each restart. The sets'
// sizes are unknown before their attacks run, and the same for every
// layer, so they are left out; what matters to Assign is how the layers
// compare, and that is their node counts.

// Cells returns one cell per scanned layer: its p-values and the
// individual scans of every image, whose clean scores all sets share.
func (adversarial) Cells(cfg *Config) ([]Cell, error) {
	s := cfg.Settings.(*adversarialSettings)
	layers, nodes, err := scannedLayers(cfg, s.recon())
	if err != nil {
		return nil, err
	}
	ds := cfg.Dataset
	rows := float64(ds.Background[1] - ds.Background[0] + ds.Clean[1] - ds.Clean[0])
	cells := make([]Cell, len(layers))
	for i, l := range layers {
		cells[i] = Cell{Layer: l, Cost: rows * float64(nodes[i])}
	}
	return cells, nil
}

// Prepare generates the attack sets (or finds them in the cache).
func (k adversarial) Prepare(ctx context.Context, cfg *Config, env Env) error {
	return cfg.Settings.(*adversarialSettings).prepareSets(ctx, cfg, k.Name(), env)
}

// Cells returns one cell per layer, set and proportion, in the order of
// the results (ScanGroups): layer by layer, then set by set. A layer's
// p-values are the cells' Shared cost. Repeated proportions are an error:
// they would give two cells one name.
func (groupKind) Cells(cfg *Config) ([]Cell, error) {
	s := cfg.Settings.(*groupSettings)
	g := s.Group
	for i, p := range g.Proportions {
		if slices.Index(g.Proportions, p) < i {
			return nil, keyErr(fmt.Sprintf("autoencoder-group.group.proportions[%d]", i), "repeats %v: sharding needs distinct proportions", p)
		}
	}
	layers, nodes, err := scannedLayers(cfg, s.recon())
	if err != nil {
		return nil, err
	}
	ds := cfg.Dataset
	rows := float64(ds.Background[1] - ds.Background[0] + ds.Clean[1] - ds.Clean[0])
	restarts := float64(g.options(cfg).Restarts)
	if restarts == 0 {
		restarts = 2 // scan.GroupOptions' default
	}
	var cells []Cell
	for i, l := range layers {
		for _, set := range s.ImageSets.Names() {
			for _, p := range g.Proportions {
				cells = append(cells, Cell{Layer: l, Set: set, Proportion: p,
					Cost: float64(2*g.Runs*g.Size) * restarts * float64(nodes[i]), Shared: rows * float64(nodes[i])})
			}
		}
	}
	return cells, nil
}

// Prepare loads the sets, running their attacks if any (or finding them
// in the cache).
func (k groupKind) Prepare(ctx context.Context, cfg *Config, env Env) error {
	return cfg.Settings.(*groupSettings).prepareSets(ctx, cfg, k.Name(), env)
}

// prepareSets loads every set of a, generating those of attacks and
// saving them in env.Dir's cache, or reusing them from there.
func (a *autoencoderSettings) prepareSets(ctx context.Context, cfg *Config, key string, env Env) error {
	im, err := LoadImages(cfg, false)
	if err != nil {
		return err
	}
	return a.load(ctx, cfg, key, im, env)
}

// scannedLayers returns the layers cfg scans, in order, and their node
// counts: the reconstruction error's pixels with recon, else the
// config's layers (all the model's when it lists none). It needs the
// model's architecture only.
func scannedLayers(cfg *Config, recon bool) ([]string, []int, error) {
	arch, err := nn.ArchByName(cfg.Model.Arch)
	if err != nil {
		return nil, nil, err
	}
	if recon {
		return []string{ReconLayer}, []int{arch.Input[0] * arch.Input[1] * arch.Input[2]}, nil
	}
	m, err := nn.New(arch)
	if err != nil {
		return nil, nil, err
	}
	layers := slices.Clone([]string(cfg.Layers))
	if layers == nil {
		layers = m.LayerNames()
	}
	nodes := make([]int, len(layers))
	for i, l := range layers {
		shape, ok := m.OutputShape(l)
		if !ok {
			return nil, nil, keyErr("layers", "%s has no layer %q", arch.Name, l)
		}
		nodes[i] = 1
		for _, d := range shape {
			nodes[i] *= d
		}
	}
	return layers, nodes, nil
}
