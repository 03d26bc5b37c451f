package experiments_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"subsetscan/data"
	"subsetscan/experiments"
)

// activationsConfig is a config of kind activations over the files of
// writeActivations; each case below breaks it.
const activationsConfig = `
name: own
kind: activations
seed: 1
layers: [l1, l2]
scan: {mode: individual, score: bj, tail: 1, alpha_max: 0.5}
activations:
  dir: acts
  sets: [a, b]
`

// writeActivations writes dir/acts/<layer>/{background,clean,a,b}.npy for
// layers l1 (3 nodes) and l2 (2 nodes): 20 background, 8 clean, 5 and 6
// anomalous samples, the anomalous ones larger.
func writeActivations(t *testing.T, dir string) {
	t.Helper()
	for layer, nodes := range map[string]int{"l1": 3, "l2": 2} {
		for name, n := range map[string]int{"background": 20, "clean": 8, "a": 5, "b": 6} {
			a := data.NewArray(n, nodes)
			for i := range a.Data {
				a.Data[i] = float32(i%7) / 7
				if name == "a" || name == "b" {
					a.Data[i] += 1
				}
			}
			if err := data.WriteNPY(filepath.Join(dir, "acts", layer, name+".npy"), a); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestActivationsConfig(t *testing.T) {
	dir := t.TempDir()
	writeActivations(t, dir)
	path := filepath.Join(dir, "own.yaml")
	cfg, err := experiments.ParseConfig([]byte(activationsConfig), path, experiments.Vars{})
	if err != nil {
		t.Fatal(err)
	}
	if s := settings(t, cfg); s["dir"] != filepath.Join(dir, "acts") {
		t.Errorf("settings %v", s)
	}
	l2 := filepath.Join(dir, "acts", "l2")
	explicit := "  files:\n    l2: {background: acts/l2/background.npy, clean: acts/l2/clean.npy, sets: {a: acts/l2/a.npy, b: acts/l2/b.npy}}\n"
	if _, err := experiments.ParseConfig([]byte(activationsConfig+explicit), path, experiments.Vars{}); err != nil {
		t.Errorf("explicit files: %v", err)
	}
	checkErrors(t, activationsConfig, path, experiments.Vars{}, []errorCase{
		{"layers all", "layers: [l1, l2]", "layers: all", "layers: kind activations needs the list of layers"},
		{"set reserved", "sets: [a, b]", "sets: [a, clean]", "activations.sets[1]"},
		{"no dir", "  dir: acts\n", "", "activations.dir: is required: layer l1 has no entry in activations.files"},
		{"files of no layer", "sets: [a, b]", "sets: [a]\n  files: {l3: {background: x, clean: y, sets: {}}}", "activations.files.l3: names no layer of layers"},
		{"files without a set", "sets: [a, b]", "sets: [a]\n  files: {l2: {background: acts/l2/background.npy, clean: acts/l2/clean.npy, sets: {}}}", "activations.files.l2.sets: has no file for set a"},
		{"files of an unknown set", "sets: [a, b]", "sets: [a]\n  files: {l2: {background: acts/l2/background.npy, clean: acts/l2/clean.npy, sets: {a: acts/l2/a.npy, c: x.npy}}}", "activations.files.l2.sets.c: names no set of activations.sets"},
		{"group without settings", "mode: individual", "mode: group", "activations.group: is required with scan.mode group"},
		{"group settings in individual mode", "sets: [a, b]", "sets: [a]\n  group: {size: 4, proportions: [0.5], runs: 2}", "activations.group: applies to scan.mode group only"},
	})
	// A set missing in one layer.
	if err := os.Remove(filepath.Join(l2, "b.npy")); err != nil {
		t.Fatal(err)
	}
	_, err = experiments.ParseConfig([]byte(activationsConfig), path, experiments.Vars{})
	if want := "activations.dir: layer l2, b: stat " + filepath.Join(l2, "b.npy"); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want %q", err, want)
	}
}

// TestActivationsRunErrors checks the errors found when the files are
// read: node counts that differ within a layer, sample counts that differ
// between layers; each names the file.
func TestActivationsRunErrors(t *testing.T) {
	for _, tc := range []struct {
		name, layer, file string
		shape             []int
		msg               string
	}{
		{"nodes", "l1", "a", []int{5, 4}, "layer l1, a: %s/acts/l1/a.npy: 4 nodes (shape [5 4]), but %s/acts/l1/background.npy has 3"},
		{"samples", "l2", "b", []int{7, 2}, "layer l2, b: %s/acts/l2/b.npy has 7 samples, but %s/acts/l1/b.npy has 6"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeActivations(t, dir)
			if err := data.WriteNPY(filepath.Join(dir, "acts", tc.layer, tc.file+".npy"), data.NewArray(tc.shape...)); err != nil {
				t.Fatal(err)
			}
			cfg, err := experiments.ParseConfig([]byte(activationsConfig), filepath.Join(dir, "own.yaml"), experiments.Vars{})
			if err != nil {
				t.Fatal(err)
			}
			kind, _ := experiments.Lookup("activations")
			_, err = kind.Run(t.Context(), cfg, experiments.Env{})
			want := strings.ReplaceAll(tc.msg, "%s", dir)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("got %v, want %q", err, want)
			}
		})
	}
}
