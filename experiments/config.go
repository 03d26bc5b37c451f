package experiments

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"subsetscan/attack"
	"subsetscan/data"
	"subsetscan/nn"
	"subsetscan/scan"
)

// Config is an experiment configuration. Every key is documented in
// configs/README.md.
type Config struct {
	Name        string    `yaml:"name" json:"name"`
	Description string    `yaml:"description" json:"description,omitempty"`
	Kind        string    `yaml:"kind" json:"kind"`
	Seed        uint64    `yaml:"seed" json:"seed"`
	Dataset     Dataset   `yaml:"dataset" json:"dataset"`
	Model       ModelRef  `yaml:"model" json:"model"`
	Classifier  *ModelRef `yaml:"classifier" json:"classifier,omitempty"`
	Layers      Layers    `yaml:"layers" json:"layers"`
	// Space is what is scanned: SpaceActivations (the default, the
	// outputs of Layers) or SpaceReconstructionError (the per-pixel binary
	// cross-entropy between each image and the model's reconstruction, one
	// 784-node "layer" named ReconLayer).
	Space     string     `yaml:"space" json:"space,omitempty"`
	Sets      []Set      `yaml:"sets" json:"sets"`
	Scan      Scan       `yaml:"scan" json:"scan"`
	Group     *Group     `yaml:"group" json:"group,omitempty"`
	Published *Published `yaml:"published" json:"published,omitempty"`

	// Path is the file the config was read from ("" for embedded ones),
	// and Hash the SHA-256 of its bytes; neither is a YAML key.
	Path string `yaml:"-" json:"-"`
	Hash string `yaml:"-" json:"-"`
}

// Dataset selects the images.
type Dataset struct {
	// Name is "mnist" (shipped with the GoMNIST module) or "idx" (the IDX
	// files of Dir, e.g. Fashion-MNIST).
	Name string `yaml:"name" json:"name"`
	Dir  string `yaml:"dir" json:"dir,omitempty"`
	// Source says where the files of an idx data set come from; it is
	// quoted when they are missing.
	Source string `yaml:"source" json:"source,omitempty"`
	// Split is "test" or "train".
	Split string `yaml:"split" json:"split"`
	// Background and Clean are [first, end) index ranges into the split.
	Background [2]int `yaml:"background" json:"background"`
	Clean      [2]int `yaml:"clean" json:"clean"`
	// AttackSource is the [first, end) range the attacks start from.
	AttackSource [2]int `yaml:"attack_source" json:"attack_source"`
}

// ModelRef names an architecture and either its weights or how to train
// it here (exactly one of Weights and Train).
type ModelRef struct {
	Arch    string `yaml:"arch" json:"arch"`
	Weights string `yaml:"weights" json:"weights,omitempty"`
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

// Layers is "all" or a list of layer names.
type Layers []string

// UnmarshalYAML accepts the scalar "all" (stored as nil) or a sequence.
func (l *Layers) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		if n.Value != "all" {
			return fmt.Errorf("line %d: layers must be \"all\" or a list of layer names, got %q", n.Line, n.Value)
		}
		*l = nil
		return nil
	}
	var names []string
	if err := n.Decode(&names); err != nil {
		return err
	}
	*l = names
	return nil
}

// Set is a named set of anomalous images: a file, or an attack.
type Set struct {
	Name string `yaml:"name" json:"name"`
	// File is a .npy file of images ([n, 28, 28, 1] or [n, 784]) in [0, 1].
	File string `yaml:"file" json:"file,omitempty"`
	// Attack generates the set against the classifier from the images of
	// dataset.attack_source, or of Source when it is set.
	Attack *AttackSpec `yaml:"attack" json:"attack,omitempty"`
	// Source is the [first, end) range of the split this attack starts
	// from, overriding dataset.attack_source (for a costly attack run on
	// fewer images).
	Source *[2]int `yaml:"source" json:"source,omitempty"`
	// Keep is "successful" (only the images whose prediction differs from
	// the true label, as the authors did) or "all".
	Keep string `yaml:"keep" json:"keep,omitempty"`
}

// AttackSpec configures an attack.
type AttackSpec struct {
	// Method is fgsm, bim, deepfool or hopskipjump.
	Method string `yaml:"method" json:"method"`
	// Eps is FGSM's step and BIM's L∞ radius.
	Eps float32 `yaml:"eps" json:"eps,omitempty"`
	// EpsStep is BIM's step.
	EpsStep float32 `yaml:"eps_step" json:"eps_step,omitempty"`
	// MaxIter is BIM's, DeepFool's and HopSkipJump's max_iter (DeepFool:
	// 0 means ART's default, 100; HopSkipJump: 50); Overshoot is
	// DeepFool's epsilon (0 means 1e-6).
	MaxIter   int     `yaml:"max_iter" json:"max_iter,omitempty"`
	Overshoot float32 `yaml:"overshoot" json:"overshoot,omitempty"`
	// MaxEval, InitEval and InitSize are HopSkipJump's max_eval, init_eval
	// and init_size (0 means ART's defaults 10000, 100 and 100). Its
	// random numbers come from the config's seed.
	MaxEval  int `yaml:"max_eval" json:"max_eval,omitempty"`
	InitEval int `yaml:"init_eval" json:"init_eval,omitempty"`
	InitSize int `yaml:"init_size" json:"init_size,omitempty"`
	// Clip, when set, bounds the pixels ([0, 1]); ART clips only when the
	// classifier has clip values, and the authors' had none.
	Clip *[2]float32 `yaml:"clip" json:"clip,omitempty"`
}

// Scan holds the scan settings.
type Scan struct {
	Mode     string  `yaml:"mode" json:"mode"`
	Score    string  `yaml:"score" json:"score"`
	Tail     int     `yaml:"tail" json:"tail"`
	AlphaMax float64 `yaml:"alpha_max" json:"alpha_max"`
	// Restarts and Thresholds configure group scans (default 2, reference).
	Restarts   int    `yaml:"restarts" json:"restarts,omitempty"`
	Thresholds string `yaml:"thresholds" json:"thresholds,omitempty"`
	// Conditional computes conditional p-values (individual scans only):
	// one background per class label, each image compared with the
	// background images of its class. The class of a data-set image is its
	// true label; that of an attacked image is the true label of the image
	// it was made from. Sets read from files carry no labels and are
	// rejected.
	Conditional bool `yaml:"conditional" json:"conditional,omitempty"`
}

// Group configures group-scan experiments: groups of Size images, clean
// ones and ones where a Proportion of the images is anomalous, Runs of
// each.
type Group struct {
	Size        int       `yaml:"size" json:"size"`
	Proportions []float64 `yaml:"proportions" json:"proportions"`
	Runs        int       `yaml:"runs" json:"runs"`
}

// The scan spaces of Config.Space.
const (
	SpaceActivations         = "activations"
	SpaceReconstructionError = "reconstruction_error"
	// ReconLayer names the reconstruction-error "layer" in results.
	ReconLayer = "reconstruction_error"
)

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

// ReadConfig reads and validates a config file.
func ReadConfig(path string, vars Vars) (*Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return ParseConfig(raw, path, vars)
}

// ParseConfig decodes and validates a config. path names the source in
// errors and is the base of relative paths ("" means the working
// directory). Unknown keys are errors.
func ParseConfig(raw []byte, path string, vars Vars) (*Config, error) {
	// name prefixes every error: "config FILE" or, for embedded configs
	// (which their callers name), "config".
	name := "config"
	if path != "" {
		name += " " + path
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	var c Config
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty", name)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	c.Path = path
	for _, m := range []*ModelRef{&c.Model, c.Classifier} {
		if m != nil && m.Train != nil && m.Train.Seed == nil {
			seed := c.Seed
			m.Train.Seed = &seed
		}
	}
	sum := sha256.Sum256(raw)
	c.Hash = hex.EncodeToString(sum[:6])
	base := "."
	if path != "" {
		base = filepath.Dir(path)
	}
	// needData lists the inputs read from ${data} (key and file), for the
	// message when -data is missing.
	var needData []string
	resolve := func(key, p string) string {
		if p == "" {
			return ""
		}
		if strings.Contains(p, "${data}") {
			what := strings.TrimPrefix(strings.ReplaceAll(p, "${data}", ""), "/")
			switch {
			case key == "dataset.dir":
				names := idxNames()
				what = fmt.Sprintf("the IDX files %s (each optionally gzipped)", strings.Join(names, ", "))
				if src := c.Dataset.Source; src != "" {
					what = fmt.Sprintf("the IDX files of %s: %s (each optionally gzipped)", src, strings.Join(names, ", "))
				}
				if what2 := strings.Trim(strings.ReplaceAll(p, "${data}", ""), "/"); what2 != "" {
					what += " in the subdirectory " + what2
				}
			case key == "model.weights" || key == "classifier.weights":
				arch := c.Model.Arch
				if key == "classifier.weights" && c.Classifier != nil {
					arch = c.Classifier.Arch
				}
				what = fmt.Sprintf("%s (.npz weights of the %s architecture trained on this data set)", what, arch)
			}
			needData = append(needData, fmt.Sprintf("%s for %s", what, key))
		}
		// Variables hold paths relative to the working directory; other
		// relative paths are relative to the config file.
		fromVar := strings.HasPrefix(p, "${")
		p = strings.ReplaceAll(p, "${artifacts}", vars.Artifacts)
		p = strings.ReplaceAll(p, "${data}", vars.Data)
		p = strings.ReplaceAll(p, "${models}", vars.Models)
		if !filepath.IsAbs(p) && !fromVar {
			p = filepath.Join(base, p)
		}
		return p
	}
	c.Dataset.Dir = resolve("dataset.dir", c.Dataset.Dir)
	c.Model.Weights = resolve("model.weights", c.Model.Weights)
	if c.Classifier != nil {
		c.Classifier.Weights = resolve("classifier.weights", c.Classifier.Weights)
	}
	for i := range c.Sets {
		c.Sets[i].File = resolve(fmt.Sprintf("sets[%d].file", i), c.Sets[i].File)
	}
	if len(needData) > 0 && vars.Data == "" {
		return nil, fmt.Errorf("%s: ${data} is not set: run with -data DIR, where DIR holds %s", name, strings.Join(needData, "; "))
	}
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &c, nil
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

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

func (c *Config) validateAttack(key string, s Set) error {
	bad := func(k, format string, args ...any) error {
		return fmt.Errorf("%s: %s", k, fmt.Sprintf(format, args...))
	}
	if c.Classifier == nil {
		return bad("classifier", "is required by the attack of %s", key)
	}
	if err := c.Classifier.validate("classifier"); err != nil {
		return err
	}
	if s.Source != nil {
		if r := *s.Source; r[0] < 0 || r[1] <= r[0] {
			return bad(key+".source", "must be [first, end) with 0 ≤ first < end, got %v", r)
		}
	} else if r := c.Dataset.AttackSource; r[0] < 0 || r[1] <= r[0] {
		return bad("dataset.attack_source", "must be [first, end) with 0 ≤ first < end, got %v", r)
	}
	a := s.Attack
	switch a.Method {
	case "fgsm":
		if !(a.Eps > 0) {
			return bad(key+".attack.eps", "must be > 0, got %v", a.Eps)
		}
	case "bim":
		if !(a.Eps > 0) || !(a.EpsStep > 0) || a.MaxIter < 1 {
			return bad(key+".attack", "bim needs eps > 0, eps_step > 0 and max_iter ≥ 1")
		}
	case "hopskipjump":
		if a.MaxIter < 0 || a.MaxEval < 0 || a.InitEval < 0 || a.InitSize < 0 {
			return bad(key+".attack", "hopskipjump needs max_iter, max_eval, init_eval and init_size ≥ 0 (0: ART's defaults)")
		}
		maxEval, initEval := cmp.Or(a.MaxEval, attack.HSJDefaultMaxEval), cmp.Or(a.InitEval, attack.HSJDefaultInitEval)
		if initEval > maxEval {
			return bad(key+".attack.init_eval", "%d exceeds max_eval %d", initEval, maxEval)
		}
	case "deepfool":
		if a.MaxIter < 0 || a.Overshoot < 0 {
			return bad(key+".attack", "max_iter and overshoot must be ≥ 0")
		}
	default:
		return bad(key+".attack.method", "must be fgsm, bim, deepfool or hopskipjump, got %q", a.Method)
	}
	if a.Clip != nil && !(a.Clip[0] < a.Clip[1]) {
		return bad(key+".attack.clip", "must be [low, high] with low < high, got %v", *a.Clip)
	}
	return nil
}

// trains reports whether the config trains a model or classifier.
func (c *Config) trains() bool {
	return c.Model.Train != nil || c.Classifier != nil && c.Classifier.Train != nil
}

// validate checks the model reference under key ("model" or
// "classifier"): a built-in architecture with a training recipe, and
// exactly one of weights (an existing file) and train.
func (m *ModelRef) validate(key string) error {
	if _, err := nn.ArchByName(m.Arch); err != nil {
		return fmt.Errorf("%s.arch: %w", key, err)
	}
	switch {
	case (m.Weights == "") == (m.Train == nil):
		return fmt.Errorf("%s: needs exactly one of weights and train", key)
	case m.Train == nil:
		if _, err := os.Stat(m.Weights); err != nil {
			return fmt.Errorf("%s.weights: %w", key, err)
		}
		return nil
	}
	t := m.Train
	if _, err := nn.RecipeFor(m.Arch); err != nil {
		return fmt.Errorf("%s.train: %w", key, err)
	}
	if t.Epochs < 1 {
		return fmt.Errorf("%s.train.epochs: must be ≥ 1, got %d", key, t.Epochs)
	}
	if t.Batch < 1 {
		return fmt.Errorf("%s.train.batch: must be ≥ 1, got %d", key, t.Batch)
	}
	if t.Images != nil && *t.Images < 1 {
		return fmt.Errorf("%s.train.images: must be ≥ 1 (or left out for the whole training split), got %d", key, *t.Images)
	}
	return nil
}

func (c *Config) validate() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...))
	}
	if c.Name == "" || strings.ContainsAny(c.Name, "/\\ ") {
		return bad("name", "must be a non-empty name without slashes or spaces, got %q", c.Name)
	}
	if _, ok := kinds[c.Kind]; !ok {
		return bad("kind", "unknown experiment kind %q (known: %v)", c.Kind, KindNames())
	}
	switch c.Dataset.Name {
	case "mnist":
	case "idx":
		if c.Dataset.Dir == "" {
			return bad("dataset.dir", "is required for dataset idx")
		}
		splits := []string{c.Dataset.Split}
		if c.trains() {
			splits = append(splits, "train") // the models' training split
		}
		for _, split := range splits {
			names, _ := data.IDXFiles(split)
			for _, f := range names {
				if f == "" {
					continue // an unknown split, reported below
				}
				if !fileExists(filepath.Join(c.Dataset.Dir, f)) && !fileExists(filepath.Join(c.Dataset.Dir, f+".gz")) {
					return bad("dataset.dir", "%s holds neither %s nor %s.gz: supply the IDX files %s (each optionally gzipped) there",
						c.Dataset.Dir, f, f, strings.Join(idxNames(), ", "))
				}
			}
		}
	default:
		return bad("dataset.name", "must be mnist or idx, got %q", c.Dataset.Name)
	}
	if c.Dataset.Split != "test" && c.Dataset.Split != "train" {
		return bad("dataset.split", "must be test or train, got %q", c.Dataset.Split)
	}
	for key, r := range map[string][2]int{"dataset.background": c.Dataset.Background, "dataset.clean": c.Dataset.Clean} {
		if r[0] < 0 || r[1] <= r[0] {
			return bad(key, "must be [first, end) with 0 ≤ first < end, got %v", r)
		}
	}
	if err := c.Model.validate("model"); err != nil {
		return err
	}
	if c.Classifier != nil {
		if err := c.Classifier.validate("classifier"); err != nil {
			return err
		}
	}
	arch, _ := nn.ArchByName(c.Model.Arch)
	for _, l := range c.Layers {
		if !slices.ContainsFunc(arch.Layers, func(s nn.LayerSpec) bool { return s.Name == l }) {
			return bad("layers", "%s has no layer %q", c.Model.Arch, l)
		}
	}
	switch c.Space {
	case "", SpaceActivations:
	case SpaceReconstructionError:
		if c.Layers != nil {
			return bad("layers", "must be all (or left out) with space %s, which scans the %d-pixel reconstruction error", c.Space, arch.Input[0]*arch.Input[1]*arch.Input[2])
		}
		last := arch.Layers[len(arch.Layers)-1]
		if last.Kind != nn.Conv2D || last.Activation != "sigmoid" || last.Filters != arch.Input[2] {
			return bad("space", "%s needs a model whose last layer is a sigmoid reconstruction of the input; %s ends with %s", c.Space, arch.Name, last.Name)
		}
	default:
		return bad("space", "must be %s or %s, got %q", SpaceActivations, SpaceReconstructionError, c.Space)
	}
	if len(c.Sets) == 0 {
		return bad("sets", "at least one anomalous set is required")
	}
	seen := map[string]bool{"clean": true, "background": true}
	for i, s := range c.Sets {
		if s.Name == "" || seen[s.Name] {
			return bad(fmt.Sprintf("sets[%d].name", i), "%q is empty, reserved or repeated", s.Name)
		}
		seen[s.Name] = true
		key := fmt.Sprintf("sets[%d]", i)
		switch {
		case (s.File == "") == (s.Attack == nil):
			return bad(key, "needs exactly one of file and attack")
		case s.File != "":
			if _, err := os.Stat(s.File); err != nil {
				return bad(key+".file", "%v", err)
			}
			if s.Source != nil {
				return bad(key+".source", "applies only to sets generated by an attack")
			}
		default:
			if err := c.validateAttack(key, s); err != nil {
				return err
			}
		}
		if s.Keep != "" && s.Keep != "successful" && s.Keep != "all" {
			return bad(key+".keep", "must be successful or all, got %q", s.Keep)
		}
	}
	wantMode := "individual"
	if c.Kind == "autoencoder-group" {
		wantMode = "group"
	}
	if c.Scan.Mode != wantMode {
		return bad("scan.mode", "must be %s for kind %s, got %q", wantMode, c.Kind, c.Scan.Mode)
	}
	if c.Scan.Thresholds != "" {
		if _, err := scan.ParseThresholds(c.Scan.Thresholds); err != nil {
			return bad("scan.thresholds", "%v", err)
		}
	}
	if c.Scan.Conditional {
		if wantMode != "individual" {
			return bad("scan.conditional", "applies to individual scans only (kind autoencoder-adversarial), not to kind %s", c.Kind)
		}
		for i, s := range c.Sets {
			if s.File != "" {
				return bad(fmt.Sprintf("sets[%d].file", i), "scan.conditional needs the class of every image, and the images of a file carry none "+
					"(sets generated by an attack carry the labels of their source images)")
			}
		}
	}
	if c.Scan.Restarts < 0 {
		return bad("scan.restarts", "must be ≥ 0, got %d", c.Scan.Restarts)
	}
	if wantMode == "group" {
		g := c.Group
		if g == nil {
			return bad("group", "is required for kind %s", c.Kind)
		}
		if g.Size < 2 || g.Runs < 1 || len(g.Proportions) == 0 {
			return bad("group", "needs size ≥ 2, runs ≥ 1 and at least one proportion")
		}
		for _, p := range g.Proportions {
			if !(p > 0 && p <= 1) {
				return bad("group.proportions", "must be in (0, 1], got %v", p)
			}
		}
		if n := c.Dataset.Clean[1] - c.Dataset.Clean[0]; n < g.Size {
			return bad("group.size", "%d exceeds the %d clean images", g.Size, n)
		}
	} else if c.Group != nil {
		return bad("group", "applies to group scans only")
	}
	if _, err := scan.ScorerByName(c.Scan.Score); err != nil {
		return bad("scan.score", "%v", err)
	}
	if _, err := scan.ParseTail(c.Scan.Tail); err != nil {
		return bad("scan.tail", "%v", err)
	}
	if !(c.Scan.AlphaMax > 0 && c.Scan.AlphaMax < 1) {
		return bad("scan.alpha_max", "must be in (0, 1), got %v", c.Scan.AlphaMax)
	}
	if p := c.Published; p != nil {
		if !(p.Tolerance >= 0) {
			return bad("published.tolerance", "must be ≥ 0, got %v", p.Tolerance)
		}
		if math.IsInf(p.Tolerance, 0) {
			return bad("published.tolerance", "must be finite, got %v", p.Tolerance)
		}
		layerOK := func(l string) bool {
			if c.Space == SpaceReconstructionError {
				return l == ReconLayer
			}
			return slices.ContainsFunc(arch.Layers, func(s nn.LayerSpec) bool { return s.Name == l })
		}
		// Sorted keys: the first error is the same on every run.
		for _, set := range sortedKeys(p.AUC) {
			if !seen[set] {
				return bad("published.auc", "unknown set %q", set)
			}
			layers := p.AUC[set]
			for _, l := range sortedKeys(layers) {
				if !layerOK(l) {
					return bad("published.auc."+set, "unknown layer %q", l)
				}
				if v := layers[l]; !(v >= 0 && v <= 1) {
					return bad("published.auc."+set+"."+l, "must be in [0, 1], got %v", v)
				}
			}
		}
		for _, set := range sortedKeys(p.Known) {
			for _, l := range sortedKeys(p.Known[set]) {
				if _, ok := p.AUC[set][l]; !ok {
					return bad("published.known."+set+"."+l, "names no published value")
				}
				if strings.TrimSpace(p.Known[set][l]) == "" {
					return bad("published.known."+set+"."+l, "needs an explanation")
				}
			}
		}
		for _, set := range sortedKeys(p.Tolerances) {
			t := p.Tolerances[set]
			key := "published.tolerances." + set
			if _, ok := p.AUC[set]; !ok {
				return bad(key, "names no set with published values")
			}
			if !(t.Value >= 0) || math.IsInf(t.Value, 0) {
				return bad(key+".value", "must be a finite number ≥ 0, got %v", t.Value)
			}
			if strings.TrimSpace(t.Reason) == "" {
				return bad(key+".reason", "must say why the tolerance is %v", t.Value)
			}
		}
	}
	return nil
}
