package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"subsetscan/data"
)

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
