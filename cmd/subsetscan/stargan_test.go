package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStarGANTiny trains the StarGAN for one epoch of 64 MNIST images (2
// steps), evaluates it on 40 test images into a directory, and checks the
// errors for missing or mismatched weights and bad flags.
func TestStarGANTiny(t *testing.T) {
	dir := t.TempDir()
	g, d := filepath.Join(dir, "g.npz"), filepath.Join(dir, "d.npz")
	code, stdout, stderr := runCLI(t, "train-stargan", "-epochs", "1", "-batch", "32", "-train-n", "64", "-every", "1", "-g", g, "-d", d)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"on 64 MNIST images", "epoch 1/1: D loss ", "weights written to"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout %q does not contain %q", stdout, want)
		}
	}
	out := filepath.Join(dir, "eval")
	code, stdout, stderr = runCLI(t, "eval-stargan", "-g", g, "-d", d, "-classifier", "../../configs/models/classifier.npz", "-n", "40", "-out", out)
	if code != 0 {
		t.Fatalf("eval-stargan: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"| thin → thick |", "| thick → thin |", "reconstruction error", "classifier's accuracy"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("eval-stargan stdout %q does not contain %q", stdout, want)
		}
	}
	report, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil || string(report) != stdout {
		t.Errorf("report.md (%v) differs from stdout", err)
	}
	if _, err := os.Stat(filepath.Join(out, "pairs.png")); err != nil {
		t.Error(err)
	}
	missing := filepath.Join(dir, "missing.npz")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-g", missing, "-d", d}, "missing.npz"},
		{[]string{"-g", g, "-d", "../../configs/models/gan_d.npz"}, "gan_d.npz"}, // the TS GAN's D: no domain logits
	} {
		code, _, stderr := runCLI(t, append([]string{"eval-stargan", "-n", "4"}, tc.args...)...)
		if code != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("eval-stargan %q: exit %d, stderr %q; want 1 and an error naming %s", tc.args, code, stderr, tc.want)
		}
	}
	for _, args := range [][]string{{"train-stargan", "-g", g}, {"train-stargan", "-g", g, "-d", d, "-epochs", "0"}, {"eval-stargan", "-n", "1"}} {
		if code, _, _ := runCLI(t, args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}

// TestEvalStarGANCommitted evaluates the committed StarGAN (make models)
// on 200 MNIST test digits: its weights load into the registered
// architectures and it edits most digits into their target domain (by
// the rule 88.5 % of all 10000 when committed: results/gan-ae/report.md).
func TestEvalStarGANCommitted(t *testing.T) {
	code, stdout, stderr := runCLI(t, "eval-stargan", "-g", "../../configs/models/stargan_g.npz", "-d", "../../configs/models/stargan_d.npz",
		"-classifier", "", "-n", "200")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rule, byD float64
	for _, line := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(line, "| all | 200 |") {
			if _, err := fmt.Sscanf(line, "| all | 200 | %f %% | %f %% |", &rule, &byD); err != nil {
				t.Fatalf("%q: %v", line, err)
			}
		}
	}
	if rule < 60 || byD < 60 {
		t.Errorf("committed StarGAN: %.1f %% of edits reach the target by the rule, %.1f %% by D; want at least 60 %%\n%s", rule, byD, stdout)
	}
}
