package main

import (
	"path/filepath"
	"strings"
	"testing"

	"subsetscan/internal/refdata"
	"subsetscan/nn"
	"subsetscan/nn/asr"
)

func TestTrainASRUsage(t *testing.T) {
	out := filepath.Join(t.TempDir(), "w.npz")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-h"}, 0, ""},
		{[]string{}, 2, "-o OUT.npz is required"},
		{[]string{"-o", out, "-epochs", "0"}, 2, "-epochs 0"},
		{[]string{"-o", out, "-lr", "-1"}, 2, "-lr"},
		{[]string{"-o", out, "-arch", "nope"}, 2, "unknown architecture"},
		{[]string{"-o", out, "-arch", "classifier"}, 2, "log_mel"},
		{[]string{"-o", out, "-data", t.TempDir()}, 1, "not an FSDD directory"},
		{[]string{"-o", out, "extra"}, 2, "unexpected arguments"},
	} {
		code, _, stderr := runCLI(t, append([]string{"train-asr"}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("train-asr %q: exit %d, stderr %q; want exit %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}

// TestTrainASRTiny trains ds-fsdd for one epoch of 8 strings of the shared
// FSDD copy and checks the output and the weights file.
func TestTrainASRTiny(t *testing.T) {
	dir := refdata.FSDD(t)
	out := filepath.Join(t.TempDir(), "ds.npz")
	code, stdout, stderr := runCLI(t, "train-asr", "-data", dir, "-epochs", "1", "-epoch-size", "8", "-batch", "8",
		"-test-n", "4", "-beam", "4", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, s := range []string{"1980 recordings (pool training)", "epoch 1/1: loss ", "beam 4: WER "} {
		if !strings.Contains(stdout, s) {
			t.Errorf("stdout %q does not contain %q", stdout, s)
		}
	}
	if _, err := nn.Load(asr.DSArch, out); err != nil {
		t.Fatal(err)
	}
}
