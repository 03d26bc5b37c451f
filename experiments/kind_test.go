package experiments_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"subsetscan/configs"
	"subsetscan/data"
	"subsetscan/experiments"
	"subsetscan/report"
	"subsetscan/runner"
)

// noiseKind is a toy kind, the example of "Adding a kind" in doc.go: the
// clean images against the same images with Gaussian noise added, scanned
// individually with the shared pipeline. Its section:
//
//	toy-noise:
//	  sigma: 0.3
type noiseKind struct{}

// noiseSettings are the section of kind toy-noise.
type noiseSettings struct {
	// Sigma is the standard deviation of the noise, > 0.
	Sigma float64 `yaml:"sigma" json:"sigma" cfg:"required"`
}

// Names returns the one set; the layers are the model's.
func (*noiseSettings) Names(*experiments.Config) (sets, layers []string) {
	return []string{"noisy"}, nil
}

func init() { experiments.Register(noiseKind{}) }

func (noiseKind) Name() string { return "toy-noise" }

func (noiseKind) Decode(cfg *experiments.Config, sec *experiments.Section) (experiments.Settings, error) {
	if cfg.Scan.Mode != "individual" {
		return nil, &experiments.KeyError{Key: "scan.mode", Msg: "must be individual for kind " + sec.Key}
	}
	var s noiseSettings
	if err := sec.Decode(&s); err != nil {
		return nil, err
	}
	if !(s.Sigma > 0) {
		return nil, &experiments.KeyError{Key: sec.Key + ".sigma", Msg: fmt.Sprintf("must be > 0, got %v", s.Sigma)}
	}
	return &s, nil
}

func (noiseKind) Run(ctx context.Context, cfg *experiments.Config, env experiments.Env) (*report.Results, error) {
	t0 := time.Now()
	s := cfg.Settings.(*noiseSettings)
	im, err := experiments.LoadImages(cfg, false)
	if err != nil {
		return nil, err
	}
	clean := im.Eval.Slice(0, im.Clean())
	noisy := &data.Array{Shape: slices.Clone(clean.Shape), Data: slices.Clone(clean.Data)}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0))
	for i := range noisy.Data {
		noisy.Data[i] += float32(s.Sigma * rng.NormFloat64())
	}
	if err := im.AddSet("noisy", fmt.Sprintf("clean images with noise of σ %g", s.Sigma), noisy, nil); err != nil {
		return nil, err
	}
	acts, err := experiments.ComputeActivations(cfg, im, experiments.SpaceActivations, env)
	if err != nil {
		return nil, err
	}
	res := experiments.NewResults(cfg, im)
	if res.Layers, err = experiments.ScanIndividual(ctx, cfg, im, acts, env, nil); err != nil {
		return nil, err
	}
	return res, experiments.FinishResults(res, cfg, t0)
}

// TestToyKind runs the toy kind end to end through runner.Run.
func TestToyKind(t *testing.T) {
	models, err := configs.ExtractModels(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := experiments.ReadConfig(filepath.Join("testdata", "toy-noise.yaml"), experiments.Vars{Models: models})
	if err != nil {
		t.Fatal(err)
	}
	dir, res, err := runner.Run(t.Context(), cfg, runner.Options{OutDir: t.TempDir(), Revision: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Layers) != 1 || res.Samples["noisy"] != 100 || res.CIMethod == "" {
		t.Fatalf("got %d layers, samples %v, CI method %q", len(res.Layers), res.Samples, res.CIMethod)
	}
	// Noise of σ 0.3 on every pixel is plain in the first layer.
	l := res.Layers[0]
	if auc, ci := l.AUC["noisy"], l.CI["noisy"]; auc < 0.9 || !(ci[0] <= auc && auc <= ci[1]) || l.Published["noisy"] != 1 {
		t.Errorf("AUC %v, CI %v, published %v", auc, ci, l.Published)
	}
	if !strings.Contains(string(res.Config), `"toy-noise":{"sigma":0.3}`) {
		t.Errorf("config echo %s lacks the kind's settings", res.Config)
	}
	if _, err := os.Stat(filepath.Join(dir, "report.md")); err != nil {
		t.Error(err)
	}
}

// TestToyKindSection checks that the toy kind's section is decoded
// strictly, with errors naming the full key.
func TestToyKindSection(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "toy-noise.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	models, err := configs.ExtractModels(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	checkErrors(t, string(raw), "toy.yaml", experiments.Vars{Models: models}, []errorCase{
		{"unknown key", "sigma: 0.3", "sigma: 0.3\n  sigmaa: 1", "line 13: toy-noise.sigmaa: unknown key (known: sigma)"},
		{"negative", "sigma: 0.3", "sigma: -1", "toy-noise.sigma: must be > 0, got -1"},
		{"not a number", "sigma: 0.3", "sigma: loud", "toy-noise.sigma: loud is not a number"},
		{"no section", "toy-noise:\n  sigma: 0.3\n", "", "toy-noise: is required"},
		{"published set", "{noisy:", "{clean:", `published.auc: unknown set "clean" (the sets are noisy)`},
	})
}

// TestRegisterPanics checks that a kind without a name, with the name of
// a shared key or of a registered kind is refused.
func TestRegisterPanics(t *testing.T) {
	for _, name := range []string{"", "scan", "autoencoder-group", "toy-noise"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q) did not panic", name)
				}
			}()
			experiments.Register(namedKind(name))
		}()
	}
}

// namedKind is a kind that only has a name.
type namedKind string

func (k namedKind) Name() string { return string(k) }
func (namedKind) Decode(*experiments.Config, *experiments.Section) (experiments.Settings, error) {
	return nil, nil
}
func (namedKind) Run(context.Context, *experiments.Config, experiments.Env) (*report.Results, error) {
	return nil, nil
}
