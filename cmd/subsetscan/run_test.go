package main

import (
	"bytes"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"subsetscan/data"
)

// TestFashionMNISTNeedsData checks that the Fashion-MNIST config, run
// without its data, stops before any work with a message that says what
// to supply and where.
func TestFashionMNISTNeedsData(t *testing.T) {
	empty := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"no -data", []string{"run", "-out", t.TempDir(), "ae-fmnist"}, 1,
			[]string{"ae-fmnist", "-data DIR", "Fashion-MNIST", "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
				"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "fmnist_autoencoder.npz", "fmnist_classifier.npz"}},
		{"empty -data", []string{"run", "-out", t.TempDir(), "-data", empty, "ae-fmnist"}, 1,
			[]string{"ae-fmnist", "dataset.dir: " + empty, "train-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}},
		{"verify too", []string{"verify", "-out", t.TempDir(), "ae-fmnist"}, exitCannotRun, []string{"-data DIR"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), tc.args, &stdout, &stderr); code != tc.code {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tc.code, stderr.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr %q does not mention %q", stderr.String(), w)
				}
			}
			if strings.Contains(stderr.String(), "running") {
				t.Errorf("work started: %q", stderr.String())
			}
		})
	}
}

func TestListMarksDataConfigs(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"list"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr.String())
	}
	out := stdout.String()
	if !strings.Contains(out, "ae-fmnist (needs -data DIR)\n") {
		t.Errorf("ae-fmnist is not marked:\n%s", out)
	}
	if strings.Contains(out, "ae-mnist-recon (needs") {
		t.Errorf("ae-mnist-recon is marked:\n%s", out)
	}
}

// TestReportRerender checks that "report" re-renders a results directory,
// figures included, without the config.
func TestReportRerender(t *testing.T) {
	dir := t.TempDir()
	raw := `{"experiment":"x","config":{},"provenance":{"seed":1,"config_hash":"h","go_version":"go","revision":"r"},
"samples":{"clean":2,"a":2},"sets":["a"],"tolerances":{"a":{"value":0.01,"reason":"why"}},
"layers":[{"layer":"l1","nodes":3,"auc":{"a":0.5},"published":{"a":0.6},"scores":{"clean":[1,2],"a":[1.5,3]}}]}`
	if err := os.WriteFile(filepath.Join(dir, "results.json"), []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"report", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr.String())
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"Δ (±0.01)", "-0.100 ⚠", "| a    | 0.01      | why    |", "scores_l1.png"} {
		if !strings.Contains(string(md), w) {
			t.Errorf("report.md lacks %q:\n%s", w, md)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "scores_l1.png")); err != nil {
		t.Error(err)
	}
}

// TestFashionMNISTWithData checks that the Fashion-MNIST config is valid
// once -data holds every file it names: it starts running and then stops
// at the first file that is not what it claims to be.
func TestFashionMNISTWithData(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte.gz",
		"t10k-labels-idx1-ubyte.gz", "fmnist_autoencoder.npz", "fmnist_classifier.npz"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("not the real file"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"run", "-out", t.TempDir(), "-data", dir, "ae-fmnist"}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "ae-fmnist: running") || !strings.Contains(stderr.String(), "t10k-images-idx3-ubyte.gz") {
		t.Errorf("stderr %q: want the run to start and stop at the stub IDX file", stderr.String())
	}
}

// TestShippedModels checks where ${models} points: by default at the
// weights built into the binary, extracted into the user's cache directory;
// with -models at the given directory, whose files must exist.
func TestShippedModels(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("HOME", cache)
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	f := addRunFlags(fs)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	cfgs, err := loadConfigs([]string{"ae-mnist"}, f, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{cfgs[0].Model.Weights, cfgs[0].Classifier.Weights} {
		if !strings.HasPrefix(w, cache) {
			t.Errorf("weights %s are not in the cache directory %s", w, cache)
		}
		if _, err := os.Stat(w); err != nil {
			t.Error(err)
		}
	}

	// -models names another directory; one without the files is an error
	// naming the key.
	fs = flag.NewFlagSet("run", flag.ContinueOnError)
	f = addRunFlags(fs)
	if err := fs.Parse([]string{"-models", t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	_, err = loadConfigs([]string{"ae-mnist"}, f, "")
	if err == nil || !strings.Contains(err.Error(), "model.weights") {
		t.Errorf("ae-mnist with an empty -models directory: got %v, want an error naming model.weights", err)
	}
}

// activationsConfig writes a tiny config of kind activations into a
// temporary directory: layer l1, 40 background and 10 clean rows of
// uniform noise, and set a, 10 rows far above them (AUC 1), with the
// published section given (none when ""). It returns the config's path.
func activationsConfig(t *testing.T, published string) string {
	t.Helper()
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(1, 1))
	for name, n := range map[string]int{"background": 40, "clean": 10, "a": 10} {
		a := data.NewArray(n, 8)
		for i := range a.Data {
			a.Data[i] = r.Float32()
			if name == "a" {
				a.Data[i] += 5
			}
		}
		if err := data.WriteNPY(filepath.Join(dir, "l1", name+".npy"), a); err != nil {
			t.Fatal(err)
		}
	}
	cfg := `name: tiny
kind: activations
seed: 1
layers: [l1]
scan: {mode: individual, score: bj, tail: 1, alpha_max: 0.5}
activations: {dir: ` + dir + `, sets: [a]}
` + published
	path := filepath.Join(dir, "tiny.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestVerifyExitCodes checks verify's exit codes and what it says: 0 when
// within tolerance, 1 when outside, 3 when the config cannot run, 0 with
// "nothing to verify" when there are no published values.
func TestVerifyExitCodes(t *testing.T) {
	pub := func(auc string) string {
		return "published: {source: test, tolerance: 0.05, auc: {a: {l1: " + auc + "}}}\n"
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("name: bad\nkind: nope\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		// The set lies far above the clean rows: AUC 1.
		{"within", []string{activationsConfig(t, pub("1.0"))}, 0, "tiny: 1 numbers compared: 1 within tolerance, 0 known deviations, 0 outside tolerance", ""},
		{"outside", []string{activationsConfig(t, pub("0.5"))}, 1, "l1 a: reproduced 1.000, published 0.500 (Δ +0.500, tolerance 0.05): OUTSIDE TOLERANCE", "1 reproduced numbers outside"},
		{"nothing to verify", []string{activationsConfig(t, "")}, 0, "tiny: nothing to verify: the config has no published values", ""},
		{"bad config", []string{bad}, exitCannotRun, "", "could not run, nothing verified"},
		{"missing file", []string{filepath.Join(t.TempDir(), "none.yaml")}, exitCannotRun, "", "none.yaml"},
		{"unknown name", []string{"no-such-config"}, exitCannotRun, "", "no-such-config"},
		// The default is the parity check, which needs the authors' artefacts.
		{"default is ae-mnist-authors", []string{"-artifacts", filepath.Join(t.TempDir(), "none")}, exitCannotRun, "", "ae-mnist-authors"},
		{"usage", []string{"-workers", "-1"}, 2, "", "-workers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"verify", "-out", t.TempDir()}, tc.args...)
			if code := run(t.Context(), args, &stdout, &stderr); code != tc.code {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tc.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), tc.stdout) {
				t.Errorf("stdout %q does not contain %q", stdout.String(), tc.stdout)
			}
			if !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), tc.stderr)
			}
		})
	}
}

// TestVerifyHelp checks that verify -h documents its exit codes.
func TestVerifyHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"verify", "-h"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	for _, w := range []string{"3 a config\ncould not run", "nothing to verify", "Only ae-mnist-authors"} {
		if !strings.Contains(stderr.String(), w) {
			t.Errorf("verify -h does not say %q:\n%s", w, stderr.String())
		}
	}
}
