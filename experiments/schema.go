package experiments

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	"gopkg.in/yaml.v3"
)

// Config is an experiment configuration: the keys every kind has. What
// only one kind needs is in the section named after the kind, which the
// kind decodes into Settings. Every key is documented in configs/README.md.
//
// The tag `cfg:"required"` marks keys that must be given, `cfg:"path"`
// paths resolved against the config file and the ${...} variables.
type Config struct {
	Name        string `yaml:"name" json:"name" cfg:"required"`
	Description string `yaml:"description" json:"description,omitempty"`
	Kind        string `yaml:"kind" json:"kind" cfg:"required"`
	Seed        uint64 `yaml:"seed" json:"seed" cfg:"required"`
	// Dataset and Model are required by the kinds that read images and
	// run a model (the autoencoder kinds), not by all.
	Dataset    Dataset   `yaml:"dataset" json:"dataset"`
	Model      ModelRef  `yaml:"model" json:"model"`
	Classifier *ModelRef `yaml:"classifier" json:"classifier,omitempty"`
	Layers     Layers    `yaml:"layers" json:"layers"`
	Scan       Scan      `yaml:"scan" json:"scan" cfg:"required"`
	// Published holds published values to compare with, never results.
	Published *Published `yaml:"published" json:"published,omitempty"`

	// Settings are the kind's own settings, decoded by the kind from the
	// section named after it (Kind.Decode); the config echo of the
	// results holds them under that name.
	Settings Settings `yaml:"-" json:"-"`

	// Path is the file the config was read from ("" for embedded ones),
	// and Hash the SHA-256 of its bytes; neither is a YAML key.
	Path string `yaml:"-" json:"-"`
	Hash string `yaml:"-" json:"-"`

	// root is the decoded document, for the keys' order in the file; nil
	// for a Config built in code.
	root *yaml.Node
}

// MarshalJSON encodes the config as its YAML reads: the shared keys, then
// the kind's settings under the kind's name.
func (c *Config) MarshalJSON() ([]byte, error) {
	type plain Config // without this method
	b, err := json.Marshal((*plain)(c))
	if err != nil || c.Settings == nil {
		return b, err
	}
	s, err := json.Marshal(c.Settings)
	if err != nil {
		return nil, err
	}
	name, err := json.Marshal(c.Kind)
	if err != nil {
		return nil, err
	}
	out := append(b[:len(b)-1:len(b)-1], ',')
	out = append(append(append(out, name...), ':'), s...)
	return append(out, '}'), nil
}

// Dataset selects the images.
type Dataset struct {
	// Name is "mnist" (shipped with the GoMNIST module) or "idx" (the IDX
	// files of Dir, e.g. Fashion-MNIST).
	Name string `yaml:"name" json:"name" cfg:"required"`
	Dir  string `yaml:"dir" json:"dir,omitempty" cfg:"path"`
	// Source says where the files of an idx data set come from; it is
	// quoted when they are missing.
	Source string `yaml:"source" json:"source,omitempty"`
	// Split is "test" or "train".
	Split string `yaml:"split" json:"split" cfg:"required"`
	// Background and Clean are [first, end) index ranges into the split.
	Background [2]int `yaml:"background" json:"background" cfg:"required"`
	Clean      [2]int `yaml:"clean" json:"clean" cfg:"required"`
}

// ModelRef names an architecture and either its weights or how to train
// it here (exactly one of Weights and Train).
type ModelRef struct {
	Arch    string `yaml:"arch" json:"arch" cfg:"required"`
	Weights string `yaml:"weights" json:"weights,omitempty" cfg:"path"`
	// Train trains the model on the data set's training split with the
	// architecture's recipe (nn.RecipeFor); the weights are cached as
	// results/<name>/models/<model|classifier>.npz. Before a run,
	// TrainModels sets Weights to that file.
	Train *TrainSpec `yaml:"train" json:"train,omitempty"`
}

// TrainSpec configures the training of a model by this project.
type TrainSpec struct {
	// Epochs and Batch are the number of epochs and the mini-batch size,
	// each ≥ 1.
	Epochs int `yaml:"epochs" json:"epochs"`
	Batch  int `yaml:"batch" json:"batch"`
	// Seed seeds the initialisation (Glorot uniform) and the shuffling;
	// when left out, the config's seed (ParseConfig fills it in).
	Seed *uint64 `yaml:"seed" json:"seed"`
	// Images is the number of training images used, the first ones of the
	// training split; left out, the whole split. It must lie in
	// [1, size of the split], checked when the split is loaded.
	Images *int `yaml:"images" json:"images,omitempty"`
}

// Layers is "all" (nil) or a list of layer names.
type Layers []string

// decodeNode accepts the scalar "all" (stored as nil) or a non-empty list
// of distinct names.
func (l *Layers) decodeNode(n *yaml.Node, key string, d *decoder) error {
	if n.Kind == yaml.ScalarNode && n.Value == "all" {
		*l = nil
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		return nodeErr(n, key, "must be \"all\" or a list of layer names, got %s", describe(n))
	}
	if len(n.Content) == 0 {
		return nodeErr(n, key, "is empty: list at least one layer, or write all")
	}
	var names []string
	if err := d.seqValue(n, key, reflect.ValueOf(&names).Elem()); err != nil {
		return err
	}
	for i, name := range names {
		if j := slices.Index(names[:i], name); j >= 0 {
			return nodeErr(n.Content[i], fmt.Sprintf("%s[%d]", key, i), "%s is listed twice (also %s[%d])", name, key, j)
		}
	}
	*l = names
	return nil
}

// Scan holds the scan settings every kind has.
type Scan struct {
	// Mode is individual or group; each kind says which it runs.
	Mode string `yaml:"mode" json:"mode" cfg:"required"`
	// Score is bj, hc or ks.
	Score string `yaml:"score" json:"score" cfg:"required"`
	// Tail is 1 or 2.
	Tail int `yaml:"tail" json:"tail" cfg:"required"`
	// AlphaMax is the largest p-value threshold, in (0, 1).
	AlphaMax float64 `yaml:"alpha_max" json:"alpha_max" cfg:"required"`
}

// Published holds published numbers to compare with, never results.
type Published struct {
	Source string `yaml:"source" json:"source,omitempty"`
	// Tolerance is the largest |reproduced − published| accepted for the
	// sets without an entry in Tolerances, and ToleranceReason why.
	Tolerance       float64 `yaml:"tolerance" json:"tolerance"`
	ToleranceReason string  `yaml:"tolerance_reason" json:"tolerance_reason,omitempty"`
	// Tolerances overrides Tolerance for the named sets; each entry states
	// its reason.
	Tolerances map[string]Tolerance          `yaml:"tolerances" json:"tolerances,omitempty"`
	Notes      []string                      `yaml:"notes" json:"notes,omitempty"`
	AUC        map[string]map[string]float64 `yaml:"auc" json:"auc,omitempty"` // set -> layer -> AUC
	// Known lists deviations that are understood and explained: set ->
	// layer -> explanation. The report shows them; verify accepts them.
	Known map[string]map[string]string `yaml:"known" json:"known,omitempty"`
}

// Tolerance is a set's allowed |reproduced − published| and the reason
// for that value.
type Tolerance struct {
	Value  float64 `yaml:"value" json:"value"`
	Reason string  `yaml:"reason" json:"reason"`
}

// ToleranceFor returns the tolerance of set: its entry in Tolerances, or
// the default Tolerance with ToleranceReason.
func (p *Published) ToleranceFor(set string) Tolerance {
	if t, ok := p.Tolerances[set]; ok {
		return t
	}
	return Tolerance{Value: p.Tolerance, Reason: p.ToleranceReason}
}

// Vars are the values of the ${...} variables of a config.
type Vars struct {
	// Artifacts is the directory of the authors' artefacts (${artifacts}).
	Artifacts string
	// Data is the directory of user-supplied IDX files (${data}).
	Data string
	// Models is the directory of the project's own trained weights
	// (${models}; see configs.ExtractModels).
	Models string
}
