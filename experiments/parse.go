package experiments

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"

	"subsetscan/data"
)

// configType is the type of the shared keys.
var configType = reflect.TypeFor[Config]()

// ReadConfig reads and validates a config file.
func ReadConfig(path string, vars Vars) (*Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return ParseConfig(raw, path, vars)
}

// ParseConfig decodes and validates a config: one YAML document, decoded
// strictly (unknown keys, a key given twice, a float in an integer field
// and a missing required key are errors). path names the source in errors
// and is the base of relative paths ("" means the working directory).
//
// The steps, each stopping at its first error: the ${data} check (a
// config that reads ${data} without vars.Data set gets one message
// listing every file it needs from there), the kind, the shared keys in
// the file's order, their checks, the kind's section (Kind.Decode) and
// last the published values, which name the kind's sets, in the file's
// order.
func ParseConfig(raw []byte, path string, vars Vars) (*Config, error) {
	c, err := parseConfig(raw, path, vars)
	if err != nil {
		// "config FILE" or, for embedded configs (which their callers
		// name), "config".
		name := "config"
		if path != "" {
			name += " " + path
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return c, nil
}

func parseConfig(raw []byte, path string, vars Vars) (*Config, error) {
	root, err := readDocument(raw)
	if err != nil {
		return nil, err
	}
	if err := checkDataVar(root, vars); err != nil {
		return nil, err
	}
	kind, err := kindOf(root)
	if err != nil {
		return nil, err
	}
	shared, section, err := splitSection(root, kind.Name())
	if err != nil {
		return nil, err
	}
	d := &decoder{resolve: resolver(path, vars)}
	c := &Config{Path: path, root: root}
	if err := d.decode(shared, "", c); err != nil {
		return nil, err
	}
	c.fillDefaults(raw)
	if err := c.validate(); err != nil {
		return nil, err
	}
	if c.Settings, err = kind.Decode(c, &Section{Key: kind.Name(), node: section, dec: d}); err != nil {
		return nil, err
	}
	if err := c.checkPublished(); err != nil {
		return nil, err
	}
	return c, nil
}

// readDocument returns the root mapping of the one YAML document of raw.
func readDocument(raw []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty")
		}
		return nil, err
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("line %d: a second YAML document: a config is one document", next.Line)
	}
	if len(doc.Content) == 0 || doc.Content[0].ShortTag() == "!!null" {
		return nil, errors.New("empty")
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: a config is a mapping of keys (name, kind, ...), got %s", root.Line, describe(root))
	}
	return root, nil
}

// kindOf returns the registered kind the config's kind key names.
func kindOf(root *yaml.Node) (Kind, error) {
	n := mappingValue(root, "kind")
	if n == nil {
		return nil, nodeErr(root, "kind", "is required (known kinds: %s)", strings.Join(KindNames(), ", "))
	}
	k, ok := kinds[n.Value]
	if !ok || n.Kind != yaml.ScalarNode {
		return nil, nodeErr(n, "kind", "unknown experiment kind %q (known: %s)", n.Value, strings.Join(KindNames(), ", "))
	}
	return k, nil
}

// splitSection returns the shared keys of root and the section of kind
// name (nil when there is none or it is empty). Another kind's section is
// an error.
func splitSection(root *yaml.Node, name string) (shared, section *yaml.Node, err error) {
	shared = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: root.Line, Column: root.Column}
	seen := false
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch {
		case k.Value == name && seen:
			return nil, nil, nodeErr(k, name, "given twice")
		case k.Value == name:
			seen = true
			if v.Kind == yaml.AliasNode {
				v = v.Alias
			}
			if v.ShortTag() != "!!null" {
				section = v
			}
		case kinds[k.Value] != nil:
			return nil, nil, nodeErr(k, k.Value, "is the section of kind %s, but this config's kind is %s", k.Value, name)
		default:
			shared.Content = append(shared.Content, k, v)
		}
	}
	return shared, section, nil
}

// fillDefaults sets the training seeds left out to the config's seed and
// the config's hash, the first 12 hex digits of the SHA-256 of raw.
func (c *Config) fillDefaults(raw []byte) {
	for _, m := range []*ModelRef{&c.Model, c.Classifier} {
		if m != nil && m.Train != nil && m.Train.Seed == nil {
			seed := c.Seed
			m.Train.Seed = &seed
		}
	}
	sum := sha256.Sum256(raw)
	c.Hash = hex.EncodeToString(sum[:6])
}

// resolver returns the function that resolves the paths of a config read
// from path: the variables are replaced by their values (paths relative
// to the working directory), and other relative paths are made relative
// to the config file's directory.
func resolver(path string, vars Vars) func(key, p string) string {
	base := "."
	if path != "" {
		base = filepath.Dir(path)
	}
	return func(key, p string) string {
		if p == "" {
			return ""
		}
		fromVar := strings.HasPrefix(p, "${")
		p = strings.ReplaceAll(p, "${artifacts}", vars.Artifacts)
		p = strings.ReplaceAll(p, "${data}", vars.Data)
		p = strings.ReplaceAll(p, "${models}", vars.Models)
		if !filepath.IsAbs(p) && !fromVar {
			p = filepath.Join(base, p)
		}
		return p
	}
}

// checkDataVar returns, when vars.Data is not set and the config reads
// ${data}, an error listing every input read from there (key and file),
// in the file's order.
func checkDataVar(root *yaml.Node, vars Vars) error {
	if vars.Data != "" {
		return nil
	}
	var need []string
	walkScalars(root, "", func(key string, n *yaml.Node) {
		if strings.Contains(n.Value, "${data}") {
			need = append(need, fmt.Sprintf("%s for %s", describeData(root, key, n.Value), key))
		}
	})
	if len(need) == 0 {
		return nil
	}
	return fmt.Errorf("${data} is not set: run with -data DIR, where DIR holds %s", strings.Join(need, "; "))
}

// describeData says what the value p of key, which reads ${data}, is.
func describeData(root *yaml.Node, key, p string) string {
	what := strings.TrimPrefix(strings.ReplaceAll(p, "${data}", ""), "/")
	scalar := func(path ...string) string {
		n := root
		for _, k := range path {
			n = mappingValue(n, k)
		}
		if n == nil {
			return ""
		}
		return n.Value
	}
	switch key {
	case "dataset.dir":
		names := strings.Join(idxNames(), ", ")
		what = fmt.Sprintf("the IDX files %s (each optionally gzipped)", names)
		if src := scalar("dataset", "source"); src != "" {
			what = fmt.Sprintf("the IDX files of %s: %s (each optionally gzipped)", src, names)
		}
		if subdir := strings.Trim(strings.ReplaceAll(p, "${data}", ""), "/"); subdir != "" {
			what += " in the subdirectory " + subdir
		}
	case "activations.dir":
		what = "the activations of every layer, <layer>/background.npy, clean.npy and <set>.npy (subsetscan run -export-activations DIR writes them)"
		if subdir := strings.Trim(strings.ReplaceAll(p, "${data}", ""), "/"); subdir != "" {
			what += " in the subdirectory " + subdir
		}
	case "model.weights", "classifier.weights":
		arch := scalar(strings.TrimSuffix(key, ".weights"), "arch")
		what = fmt.Sprintf("%s (.npz weights of the %s architecture trained on this data set)", what, arch)
	}
	return what
}

// walkScalars calls f with every scalar of n and its key, in the file's
// order.
func walkScalars(n *yaml.Node, key string, f func(key string, n *yaml.Node)) {
	switch n.Kind {
	case yaml.ScalarNode:
		f(key, n)
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			walkScalars(n.Content[i+1], sub(key, n.Content[i].Value), f)
		}
	case yaml.SequenceNode:
		for i, e := range n.Content {
			walkScalars(e, fmt.Sprintf("%s[%d]", key, i), f)
		}
	}
}

// idxNames returns the four IDX file names of an MNIST-style data set.
func idxNames() []string {
	var names []string
	for _, split := range []string{"train", "test"} {
		f, _ := data.IDXFiles(split)
		names = append(names, f[0], f[1])
	}
	return names
}
