package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTrainFakeTiny trains each detector architecture for one epoch on 32
// real and 32 fake images, then runs eval-fake on the weights, on 50
// clean real images against 20 held-out TS fakes.
func TestTrainFakeTiny(t *testing.T) {
	dir := t.TempDir()
	const ts, ae = "../../configs/models/gan_g.npz", "../../configs/models/stargan_g.npz"
	small := []string{"-ts", ts, "-ae", ae, "-n-real", "32", "-n-fake", "32", "-n-heldout", "20", "-n-clean", "50", "-epochs", "1", "-batch", "16"}
	for _, c := range []struct{ arch, want string }{
		{"fake-resnet", "fake-resnet      50 clean real vs 20 held-out TS: AUC "},
		{"fake-squeezenet", "held-out TS: AUC"},
		{"autogan-sim", "held-out reconstruction (binary cross-entropy) on 50 clean real test images"},
		{"autogan-cls", "AutoGAN          50 clean real vs 20 held-out TS: AUC "},
	} {
		out := filepath.Join(dir, c.arch+".npz")
		args := append([]string{"train-fake", "-arch", c.arch, "-o", out, "-sim", filepath.Join(dir, "autogan-sim.npz")}, small...)
		code, stdout, stderr := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.arch, code, stderr)
		}
		if !strings.Contains(stdout, c.want) || !strings.Contains(stdout, "epoch 1/1: loss") {
			t.Errorf("%s: stdout %q does not contain %q", c.arch, stdout, c.want)
		}
	}
	abs, err := filepath.Abs("../../configs/models/classifier.npz")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(abs, filepath.Join(dir, "classifier.npz")); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, append([]string{"eval-fake", "-models", dir}, small[:12]...)...)
	if code != 0 {
		t.Fatalf("eval-fake: exit %d: %s", code, stderr)
	}
	for _, det := range []string{"fake-resnet ", "fake-squeezenet ", "FakeSpotter ", "AutoGAN ", "no GAN fakes", "held-out autogan-sim(eval): AUC", "vs 20 held-out AE: AUC", "training fakes (TS, AE)"} {
		if !strings.Contains(stdout, det) {
			t.Errorf("eval-fake stdout %q has no %q", stdout, det)
		}
	}
}

// TestTrainFakeErrors checks the usage errors (exit 2) and a missing
// weights file, named in the message (exit 1).
func TestTrainFakeErrors(t *testing.T) {
	for _, args := range [][]string{
		{"train-fake", "-arch", "fake-resnet"},
		{"train-fake", "-arch", "classifier", "-o", "x.npz"},
		{"train-fake", "-arch", "fake-resnet", "-o", "x.npz", "-n-real", "0"},
		{"eval-fake", "extra"},
	} {
		if code, _, _ := runCLI(t, args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
	missing := filepath.Join(t.TempDir(), "none")
	code, _, stderr := runCLI(t, "eval-fake", "-models", missing, "-ts", "../../configs/models/gan_g.npz", "-ae", "", "-n-real", "8", "-n-fake", "8", "-n-heldout", "4", "-n-clean", "4")
	if code != 1 || !strings.Contains(stderr, filepath.Join(missing, "classifier.npz")) {
		t.Errorf("missing weights: exit %d, stderr %q; want 1 naming the file", code, stderr)
	}
	code, _, stderr = runCLI(t, "train-fake", "-arch", "fake-resnet", "-o", filepath.Join(t.TempDir(), "r.npz"), "-ts", "../../configs/models/gan_g.npz", "-ae", missing+".npz", "-n-real", "8")
	if code != 1 || !strings.Contains(stderr, missing+".npz") {
		t.Errorf("missing AE weights: exit %d, stderr %q; want 1 naming the file", code, stderr)
	}
	code, _, stderr = runCLI(t, "train-fake", "-arch", "autogan-cls", "-o", filepath.Join(t.TempDir(), "c.npz"), "-sim", missing+".npz", "-n-real", "8")
	if code != 1 || !strings.Contains(stderr, missing+".npz") {
		t.Errorf("missing simulator: exit %d, stderr %q; want 1 naming the file", code, stderr)
	}
}
