package experiments

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"subsetscan/data"
	"subsetscan/nn"
	"subsetscan/scan"
)

// validate checks the shared keys, in the file's usual order: name, data
// set, models, layers, scan. The kind's section and the published values
// are checked after it.
func (c *Config) validate() error {
	if n := c.Name; n == "" || n == "." || n == ".." || strings.ContainsAny(n, "/\\ ") || filepath.Base(n) != n {
		return keyErr("name", "must be one path element, without slashes or spaces, not . or .., got %q", n)
	}
	if c.given("dataset") {
		if err := c.Dataset.check(c.trains()); err != nil {
			return err
		}
	}
	if c.given("model") {
		if err := c.Model.check("model"); err != nil {
			return err
		}
		arch, _ := nn.ArchByName(c.Model.Arch)
		for i, l := range c.Layers {
			if !hasLayer(arch, l) {
				return keyErr(fmt.Sprintf("layers[%d]", i), "%s has no layer %q", c.Model.Arch, l)
			}
		}
	}
	if c.Classifier != nil {
		if err := c.Classifier.check("classifier"); err != nil {
			return err
		}
	}
	return c.Scan.check()
}

// given reports whether the config file has the top-level key; true for
// a config built in code.
func (c *Config) given(key string) bool {
	return c.root == nil || mappingValue(c.root, key) != nil
}

// require returns an error naming the first of keys the config lacks,
// which kind needs.
func (c *Config) require(kind string, keys ...string) error {
	for _, k := range keys {
		if !c.given(k) {
			return keyErr(k, "is required by kind %s", kind)
		}
	}
	return nil
}

// hasLayer reports whether arch has a layer called name.
func hasLayer(arch nn.Arch, name string) bool {
	return slices.ContainsFunc(arch.Layers, func(s nn.LayerSpec) bool { return s.Name == name })
}

// trains reports whether the config trains a model or classifier.
func (c *Config) trains() bool {
	return c.Model.Train != nil || c.Classifier != nil && c.Classifier.Train != nil
}

// check validates the data set; an idx one must hold the files of its
// split, and also of the training split when a model is trained here.
func (ds *Dataset) check(trains bool) error {
	switch ds.Name {
	case "mnist":
	case "idx":
		if ds.Dir == "" {
			return keyErr("dataset.dir", "is required for dataset idx")
		}
		splits := []string{ds.Split}
		if trains {
			splits = append(splits, "train") // the models' training split
		}
		for _, split := range splits {
			names, _ := data.IDXFiles(split)
			for _, f := range names {
				if f == "" {
					continue // an unknown split, reported below
				}
				if !fileExists(filepath.Join(ds.Dir, f)) && !fileExists(filepath.Join(ds.Dir, f+".gz")) {
					return keyErr("dataset.dir", "%s holds neither %s nor %s.gz: supply the IDX files %s (each optionally gzipped) there",
						ds.Dir, f, f, strings.Join(idxNames(), ", "))
				}
			}
		}
	default:
		return keyErr("dataset.name", "must be mnist or idx, got %q", ds.Name)
	}
	if ds.Split != "test" && ds.Split != "train" {
		return keyErr("dataset.split", "must be test or train, got %q", ds.Split)
	}
	if err := checkRange("dataset.background", ds.Background); err != nil {
		return err
	}
	return checkRange("dataset.clean", ds.Clean)
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

// check validates the model reference under key ("model" or
// "classifier"): a built-in architecture with a training recipe, and
// exactly one of weights (an existing file) and train.
func (m *ModelRef) check(key string) error {
	if _, err := nn.ArchByName(m.Arch); err != nil {
		return keyErr(key+".arch", "%v", err)
	}
	switch {
	case (m.Weights == "") == (m.Train == nil):
		return keyErr(key, "needs exactly one of weights and train")
	case m.Train == nil:
		if _, err := os.Stat(m.Weights); err != nil {
			return keyErr(key+".weights", "%v", err)
		}
		return nil
	}
	t := m.Train
	if _, err := nn.RecipeFor(m.Arch); err != nil {
		return keyErr(key+".train", "%v", err)
	}
	if t.Epochs < 1 {
		return keyErr(key+".train.epochs", "must be ≥ 1, got %d", t.Epochs)
	}
	if t.Batch < 1 {
		return keyErr(key+".train.batch", "must be ≥ 1, got %d", t.Batch)
	}
	if t.Images != nil && *t.Images < 1 {
		return keyErr(key+".train.images", "must be ≥ 1 (or left out for the whole training split), got %d", *t.Images)
	}
	return nil
}

// check validates the scan settings; which mode a kind runs is the
// kind's to check (checkMode).
func (s *Scan) check() error {
	if s.Mode != "individual" && s.Mode != "group" {
		return keyErr("scan.mode", "must be individual or group, got %q", s.Mode)
	}
	if _, err := scan.ScorerByName(s.Score); err != nil {
		return keyErr("scan.score", "%v", err)
	}
	if _, err := scan.ParseTail(s.Tail); err != nil {
		return keyErr("scan.tail", "%v", err)
	}
	if !(s.AlphaMax > 0 && s.AlphaMax < 1) {
		return keyErr("scan.alpha_max", "must be in (0, 1), got %v", s.AlphaMax)
	}
	return nil
}

// checkMode checks that the config's scan mode is the one kind runs.
func (c *Config) checkMode(mode string) error {
	if c.Scan.Mode != mode {
		return keyErr("scan.mode", "must be %s for kind %s, got %q", mode, c.Kind, c.Scan.Mode)
	}
	return nil
}

// checkPublished checks the published values against the sets and layers
// the kind's settings name, in the file's order.
func (c *Config) checkPublished() error {
	p := c.Published
	if p == nil {
		return nil
	}
	if !(p.Tolerance >= 0) || math.IsInf(p.Tolerance, 0) {
		return keyErr("published.tolerance", "must be a finite number ≥ 0, got %v", p.Tolerance)
	}
	var sets, layers []string
	if c.Settings != nil {
		sets, layers = c.Settings.Names(c)
	}
	arch, _ := nn.ArchByName(c.Model.Arch)
	layerOK := func(l string) bool {
		if layers != nil {
			return slices.Contains(layers, l)
		}
		return hasLayer(arch, l)
	}
	if err := c.checkPublishedAUC(sets, layerOK); err != nil {
		return err
	}
	if err := c.checkKnown(); err != nil {
		return err
	}
	return c.checkTolerances()
}

// checkPublishedAUC checks published.auc: known sets and layers, values
// in [0, 1].
func (c *Config) checkPublishedAUC(sets []string, layerOK func(string) bool) error {
	p := c.Published
	for _, set := range orderedKeys(c, p.AUC, "published", "auc") {
		if !slices.Contains(sets, set) {
			return keyErr("published.auc", "unknown set %q (the sets are %s)", set, strings.Join(sets, ", "))
		}
		layers := p.AUC[set]
		for _, l := range orderedKeys(c, layers, "published", "auc", set) {
			if !layerOK(l) {
				return keyErr("published.auc."+set, "unknown layer %q", l)
			}
			if v := layers[l]; !(v >= 0 && v <= 1) {
				return keyErr("published.auc."+set+"."+l, "must be in [0, 1], got %v", v)
			}
		}
	}
	return nil
}

// checkKnown checks that every known deviation names a published value
// and explains it.
func (c *Config) checkKnown() error {
	p := c.Published
	for _, set := range orderedKeys(c, p.Known, "published", "known") {
		for _, l := range orderedKeys(c, p.Known[set], "published", "known", set) {
			if _, ok := p.AUC[set][l]; !ok {
				return keyErr("published.known."+set+"."+l, "names no published value")
			}
			if strings.TrimSpace(p.Known[set][l]) == "" {
				return keyErr("published.known."+set+"."+l, "needs an explanation")
			}
		}
	}
	return nil
}

// checkTolerances checks the tolerances of single sets.
func (c *Config) checkTolerances() error {
	p := c.Published
	for _, set := range orderedKeys(c, p.Tolerances, "published", "tolerances") {
		t := p.Tolerances[set]
		key := "published.tolerances." + set
		if _, ok := p.AUC[set]; !ok {
			return keyErr(key, "names no set with published values")
		}
		if !(t.Value >= 0) || math.IsInf(t.Value, 0) {
			return keyErr(key+".value", "must be a finite number ≥ 0, got %v", t.Value)
		}
		if strings.TrimSpace(t.Reason) == "" {
			return keyErr(key+".reason", "must say why the tolerance is %v", t.Value)
		}
	}
	return nil
}

// orderedKeys returns the keys of m in the order of the mapping at path
// in the config file, or sorted for a config built in code.
func orderedKeys[V any](c *Config, m map[string]V, path ...string) []string {
	if c.root != nil {
		var keys []string
		for _, k := range mappingKeys(c.root, path...) {
			if _, ok := m[k]; ok {
				keys = append(keys, k)
			}
		}
		if len(keys) == len(m) {
			return keys
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
