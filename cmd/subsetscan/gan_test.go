package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTrainGANTiny trains the GAN for one epoch of 64 MNIST images (2
// steps), checks the output and the checkpoints, then evaluates the
// generator on 20 samples per set and writes its sample grid.
func TestTrainGANTiny(t *testing.T) {
	dir := t.TempDir()
	g, d := filepath.Join(dir, "g.npz"), filepath.Join(dir, "d.npz")
	code, stdout, stderr := runCLI(t, "train-gan", "-epochs", "1", "-batch", "32", "-train-n", "64", "-every", "1",
		"-checkpoints", dir, "-g", g, "-d", d)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"on 64 MNIST images", "epoch 1/1: D loss ", "weights written to"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout %q does not contain %q", stdout, want)
		}
	}
	if !strings.Contains(stderr, "epoch 1/1 step 2/2: D loss") {
		t.Errorf("stderr %q: no progress of step 2", stderr)
	}
	for _, f := range [][2]string{{g, "gan_g-epoch1.npz"}, {d, "gan_d-epoch1.npz"}} {
		final, err1 := os.ReadFile(f[0])
		ckpt, err2 := os.ReadFile(filepath.Join(dir, f[1]))
		if err1 != nil || err2 != nil || !bytes.Equal(final, ckpt) {
			t.Errorf("%s differs from the weights after 1 epoch (%v, %v)", f[1], err1, err2)
		}
	}
	png := filepath.Join(dir, "samples.png")
	code, stdout, stderr = runCLI(t, "eval-gan", "-g", filepath.Join(dir, "gan_g-epoch1.npz"),
		"-classifier", "../../configs/models/classifier.npz", "-n", "20", "-png", png)
	if code != 0 {
		t.Fatalf("eval-gan: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"20 samples per set", "real vs real (disjoint, floor)", "labels of the generated digits"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("eval-gan stdout %q does not contain %q", stdout, want)
		}
	}
	for _, args := range [][]string{{"train-gan", "-g", g}, {"train-gan", "-g", g, "-d", d, "-epochs", "0"}, {"eval-gan", "-n", "1"}} {
		if code, _, _ := runCLI(t, args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}
