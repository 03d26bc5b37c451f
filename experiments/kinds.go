package experiments

import (
	"context"
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"

	"subsetscan/report"
)

// Env is what an experiment gets from its runner besides its config.
type Env struct {
	// Workers bounds the parallelism; 0 means all cores.
	Workers int
	// Progress receives one line per step; nil discards them.
	Progress func(format string, args ...any)
	// Dir is the experiment's results directory, where generated sets are
	// saved and reused; "" disables that.
	Dir string
	// ExportActivations, when not "", is a directory where the
	// autoencoder kinds write the values they scan, in the layout kind
	// activations reads (DIR/<layer>/{background,clean,<set>}.npy).
	ExportActivations string
	// Hold, when not nil, is called at the points where a run may be
	// stopped without losing work ("set NAME batch K" after a checkpoint,
	// "set NAME saved", "layer NAME scanned"), for the tests of
	// interrupted runs; nil means none.
	Hold func(ctx context.Context, point string)
	// Cells, when not nil, restricts the run of a Sharded kind to these
	// of its cells: the results hold theirs only, the same numbers as in
	// an unrestricted run (AssembleCells puts parts together).
	Cells []Cell
}

func (e Env) hold(ctx context.Context, point string) {
	if e.Hold != nil {
		e.Hold(ctx, point)
	}
}

func (e Env) logf(format string, args ...any) {
	if e.Progress != nil {
		e.Progress(format, args...)
	}
}

// Kind is one kind of experiment. A config names it in its kind key and
// gives its own settings in the section of the same name:
//
//	kind: autoencoder-group
//	...
//	autoencoder-group:
//	  sets: [...]
//	  group: {size: 100, proportions: [0.01, 0.1], runs: 25}
type Kind interface {
	// Name returns the kind's name: the value of the config's kind key
	// and the key of its section. It is not empty and not a key of
	// Config.
	Name() string
	// Decode decodes the kind's section with sec.Decode (strictly: unknown
	// keys are errors) and checks it against the shared keys of cfg,
	// which are decoded and checked already. Errors name the full key
	// (with the section's, e.g. "autoencoder-group.group.size"). The
	// settings it returns become cfg.Settings.
	Decode(cfg *Config, sec *Section) (Settings, error)
	// Run runs the experiment of cfg, whose Settings are those Decode
	// returned, and returns its results; the runner adds the provenance
	// and writes them. Helpers for the common steps are in pipeline.go.
	Run(ctx context.Context, cfg *Config, env Env) (*report.Results, error)
}

// Settings are a kind's decoded settings. They are echoed in the results
// as JSON under the kind's name.
type Settings interface {
	// Names returns the names of the anomalous sets, in order, and those
	// of the scanned layers when they are not the model's (nil: any layer
	// of the model): the names the published values may use.
	Names(cfg *Config) (sets, layers []string)
}

// Section is the section of a config named after its kind.
type Section struct {
	// Key is the section's key, the kind's name.
	Key  string
	node *yaml.Node
	dec  *decoder
}

// Decode decodes the section into v, a pointer to a struct, strictly:
// every key must name a field by its yaml tag, integer fields take
// integers only, fields tagged `cfg:"required"` must be given, string
// fields tagged `cfg:"path"` are resolved like the config's other paths.
// Errors are *KeyError values naming the full key and its line. A config
// without the section is an error.
func (s *Section) Decode(v any) error {
	if s.node == nil {
		return keyErr(s.Key, "is required: the settings of kind %s", s.Key)
	}
	return s.dec.decode(s.node, s.Key, v)
}

// Present reports whether the config has the section.
func (s *Section) Present() bool { return s.node != nil }

// decodeChecked is the Decode of a kind that runs scans of the given mode
// and whose settings S check themselves: it checks the config's scan
// mode, decodes the section into a new S and checks it.
func decodeChecked[S any, P interface {
	*S
	Settings
	check(cfg *Config, key string) error
}](cfg *Config, sec *Section, mode string) (Settings, error) {
	if err := cfg.checkMode(mode); err != nil {
		return nil, err
	}
	p := P(new(S))
	if err := sec.Decode(p); err != nil {
		return nil, err
	}
	if err := p.check(cfg, sec.Key); err != nil {
		return nil, err
	}
	return p, nil
}

var kinds = map[string]Kind{}

// Register makes an experiment kind available to configs under its name.
// It panics if the name is empty, a key of Config, or already registered.
func Register(k Kind) {
	name := k.Name()
	switch {
	case name == "":
		panic("experiments: Register of a kind with an empty name")
	case slices.Contains(fieldKeys(configType), name):
		panic(fmt.Sprintf("experiments: Register of kind %q, a key of every config", name))
	case kinds[name] != nil:
		panic(fmt.Sprintf("experiments: Register called twice for kind %q", name))
	}
	kinds[name] = k
}

// Lookup returns the kind called name.
func Lookup(name string) (Kind, bool) {
	k, ok := kinds[name]
	return k, ok
}

// KindNames returns the registered kind names, sorted.
func KindNames() []string {
	var names []string
	for n := range kinds {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
