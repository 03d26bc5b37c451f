package experiments

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"subsetscan/data"
	"subsetscan/report"
)

func init() { Register(activationsKind{}) }

// activationsKind is the kind activations, for users with their own
// networks: it scans activations computed elsewhere, read per layer from
// .npy files (a background, the clean images and each anomalous set),
// individually (the AUC of clean vs each set, as autoencoder-adversarial)
// or in groups (as autoencoder-group). It needs no data set and no model.
type activationsKind struct{}

// activationsSettings are the section of kind activations.
type activationsSettings struct {
	// Dir holds the files of the layers without an entry in Files, by the
	// convention Dir/<layer>/background.npy, clean.npy and <set>.npy (the
	// layout "subsetscan run -export-activations DIR" writes).
	Dir string `yaml:"dir" json:"dir,omitempty" cfg:"path"`
	// Sets are the anomalous sets' names, in order: at least one, distinct,
	// not clean or background.
	Sets []string `yaml:"sets" json:"sets" cfg:"required"`
	// Files names the files of single layers explicitly.
	Files map[string]LayerFiles `yaml:"files" json:"files,omitempty"`
	// Group configures the group scans of scan.mode group (required then).
	Group *GroupSpec `yaml:"group" json:"group,omitempty"`
}

// LayerFiles are the .npy files of one layer: arrays [n, nodes...] of the
// same nodes, n samples each (the same n in every layer).
type LayerFiles struct {
	Background string            `yaml:"background" json:"background" cfg:"required,path"`
	Clean      string            `yaml:"clean" json:"clean" cfg:"required,path"`
	Sets       map[string]string `yaml:"sets" json:"sets" cfg:"required,path"` // set -> file
}

// Names returns the sets and the config's layers.
func (s *activationsSettings) Names(cfg *Config) (sets, layers []string) { return s.Sets, cfg.Layers }

func (activationsKind) Name() string { return "activations" }

func (activationsKind) Decode(cfg *Config, sec *Section) (Settings, error) {
	var s activationsSettings
	if err := sec.Decode(&s); err != nil {
		return nil, err
	}
	if err := s.check(cfg, sec.Key); err != nil {
		return nil, err
	}
	return &s, nil
}

// check validates the settings, whose key is key: a list of layers, the
// sets, every layer's files (which must exist), the group settings with
// scan.mode group only.
func (s *activationsSettings) check(cfg *Config, key string) error {
	if cfg.Layers == nil {
		return keyErr("layers", "kind %s needs the list of layers (there is no model to name them)", key)
	}
	if len(s.Sets) == 0 {
		return keyErr(key+".sets", "at least one anomalous set is required")
	}
	for i, name := range s.Sets {
		if name == "" || name == "clean" || name == "background" || slices.Contains(s.Sets[:i], name) {
			return keyErr(fmt.Sprintf("%s.sets[%d]", key, i), "%q is empty, reserved or repeated", name)
		}
	}
	for _, layer := range orderedKeys(cfg, s.Files, key, "files") {
		if !slices.Contains(cfg.Layers, layer) {
			return keyErr(key+".files."+layer, "names no layer of layers")
		}
	}
	for _, layer := range cfg.Layers {
		if err := s.checkFiles(cfg, key, layer); err != nil {
			return err
		}
	}
	switch {
	case cfg.Scan.Mode == "group" && s.Group == nil:
		return keyErr(key+".group", "is required with scan.mode group")
	case cfg.Scan.Mode == "group":
		return s.Group.check(key+".group", s.Group.Size) // the clean images are counted when read
	case s.Group != nil:
		return keyErr(key+".group", "applies to scan.mode group only")
	}
	return nil
}

// checkFiles checks that the files of layer exist.
func (s *activationsSettings) checkFiles(cfg *Config, key, layer string) error {
	f, fkey, err := s.layerFiles(key, layer)
	if err != nil {
		return err
	}
	if s.Files != nil {
		for _, set := range orderedKeys(cfg, f.Sets, key, "files", layer, "sets") {
			if !slices.Contains(s.Sets, set) {
				return keyErr(fkey+".sets."+set, "names no set of %s.sets", key)
			}
		}
	}
	for _, name := range append([]string{"background", "clean"}, s.Sets...) {
		path := f.file(name)
		if path == "" {
			return keyErr(fkey+".sets", "has no file for set %s", name)
		}
		if _, err := os.Stat(path); err != nil {
			return keyErr(fkey, "layer %s, %s: %v", layer, name, err)
		}
	}
	return nil
}

// layerFiles returns the files of layer, those of Files or by the
// convention in Dir, and the key they come from.
func (s *activationsSettings) layerFiles(key, layer string) (LayerFiles, string, error) {
	if f, ok := s.Files[layer]; ok {
		return f, key + ".files." + layer, nil
	}
	if s.Dir == "" {
		return LayerFiles{}, "", keyErr(key+".dir", "is required: layer %s has no entry in %s.files", layer, key)
	}
	d := filepath.Join(s.Dir, layer)
	f := LayerFiles{Background: filepath.Join(d, "background.npy"), Clean: filepath.Join(d, "clean.npy"), Sets: map[string]string{}}
	for _, set := range s.Sets {
		f.Sets[set] = filepath.Join(d, set+".npy")
	}
	return f, key + ".dir", nil
}

// file returns the file of "background", "clean" or a set.
func (f LayerFiles) file(name string) string {
	switch name {
	case "background":
		return f.Background
	case "clean":
		return f.Clean
	}
	return f.Sets[name]
}

func (k activationsKind) Run(ctx context.Context, cfg *Config, env Env) (*report.Results, error) {
	t0 := time.Now()
	s := cfg.Settings.(*activationsSettings)
	im, acts, err := s.read(cfg, env)
	if err != nil {
		return nil, err
	}
	res := NewResults(cfg, im)
	if s.Group == nil {
		res.Layers, err = ScanIndividual(ctx, cfg, im, acts, env, nil)
	} else if n := im.Clean(); s.Group.Size > n {
		err = fmt.Errorf("%s.group.size: %d exceeds the %d clean samples", k.Name(), s.Group.Size, n)
	} else {
		res.Group, err = ScanGroups(ctx, cfg, im, acts, *s.Group, env)
	}
	if err != nil {
		return nil, err
	}
	return res, FinishResults(res, cfg, t0)
}

// read reads every layer's files into the activations, and the sets and
// samples into im. Within a layer the files must have the same nodes, and
// a set the same number of samples in every layer; errors name the file.
func (s *activationsSettings) read(cfg *Config, env Env) (*Images, *Activations, error) {
	t0 := time.Now()
	im := &Images{Sets: slices.Clone(s.Sets), Samples: map[string]int{}, Timings: map[string]float64{}}
	acts := &Activations{Layers: slices.Clone([]string(cfg.Layers)), Background: map[string]*data.Array{}, Eval: map[string]*data.Array{}}
	names := append([]string{"background", "clean"}, s.Sets...)
	first := map[string]string{} // name -> the file that set its number of samples
	for _, layer := range acts.Layers {
		f, _, err := s.layerFiles(cfg.Kind, layer)
		if err != nil {
			return nil, nil, err
		}
		var parts []*data.Array
		for _, name := range names {
			a, err := readActivations(f.file(name), parts, f.Background)
			if err != nil {
				return nil, nil, fmt.Errorf("layer %s, %s: %w", layer, name, err)
			}
			if n, ok := im.Samples[name]; ok && n != a.Len() {
				return nil, nil, fmt.Errorf("layer %s, %s: %s has %d samples, but %s has %d", layer, name, f.file(name), a.Len(), first[name], n)
			}
			im.Samples[name], first[name] = a.Len(), f.file(name)
			parts = append(parts, a)
		}
		eval, err := data.Concat(parts[1:]...)
		if err != nil {
			return nil, nil, fmt.Errorf("layer %s: %w", layer, err)
		}
		acts.Background[layer], acts.Eval[layer] = parts[0], eval
		env.logf("layer %s: %d nodes, %d background and %d evaluation samples", layer, parts[0].RowSize(), parts[0].Len(), eval.Len())
	}
	im.Timings["activations"] = time.Since(t0).Seconds()
	return im, acts, nil
}

// readActivations reads the activations of path, [n, nodes...] with n ≥ 1
// and finite values, with the nodes of the layer's first file (bgPath,
// parts[0]) when parts has it.
func readActivations(path string, parts []*data.Array, bgPath string) (*data.Array, error) {
	a, err := data.ReadNPY(path)
	if err != nil {
		return nil, err
	}
	if len(a.Shape) < 2 || a.Len() == 0 {
		return nil, fmt.Errorf("%s: shape %v, want [samples, nodes...] with at least one sample", path, a.Shape)
	}
	if err := a.CheckFinite(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(parts) > 0 && a.RowSize() != parts[0].RowSize() {
		return nil, fmt.Errorf("%s: %d nodes (shape %v), but %s has %d (shape %v)", path, a.RowSize(), a.Shape, bgPath, parts[0].RowSize(), parts[0].Shape)
	}
	return a, nil
}

// exportActivations writes the activations of im's images under dir in
// the layout kind activations reads: dir/<layer>/background.npy,
// clean.npy and <set>.npy.
func exportActivations(dir string, im *Images, acts *Activations, env Env) error {
	for _, layer := range acts.Layers {
		d := filepath.Join(dir, layer)
		if err := data.WriteNPY(filepath.Join(d, "background.npy"), acts.Background[layer]); err != nil {
			return err
		}
		e := acts.Eval[layer]
		for _, name := range append([]string{"clean"}, im.Sets...) {
			first, end := im.rows(name)
			if err := data.WriteNPY(filepath.Join(d, name+".npy"), e.Slice(first, end)); err != nil {
				return err
			}
		}
	}
	env.logf("activations of %d layers written to %s", len(acts.Layers), dir)
	return nil
}
