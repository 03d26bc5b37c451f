package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"subsetscan/data"
	"subsetscan/nn"
)

// TestTrainTiny trains each architecture for one epoch on a few MNIST
// images and checks the output, the weights file, the checkpoints, and
// that the weights do not depend on the number of workers.
func TestTrainTiny(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		arch string
		want []string
	}{
		{"autoencoder", []string{"binary_crossentropy, 1 epochs, batch 32", "epoch 1/1: loss ", "test binary_crossentropy on 40 images: "}},
		{"classifier", []string{"categorical_crossentropy, 1 epochs", "epoch 1: test accuracy on 40 images: ", "test accuracy on 40 images: "}},
	} {
		t.Run(tc.arch, func(t *testing.T) {
			var files [][]byte
			for _, workers := range []string{"1", "2"} {
				out := filepath.Join(dir, tc.arch+workers+".npz")
				ckpt := filepath.Join(dir, "ckpt"+workers)
				code, stdout, stderr := runCLI(t, "train", "-arch", tc.arch, "-epochs", "1", "-batch", "32",
					"-train-n", "96", "-test-n", "40", "-seed", "3", "-workers", workers, "-checkpoints", ckpt, "-o", out)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				for _, s := range tc.want {
					if !strings.Contains(stdout, s) {
						t.Errorf("stdout %q does not contain %q", stdout, s)
					}
				}
				arch, _ := nn.ArchByName(tc.arch)
				if _, err := nn.Load(arch, out); err != nil {
					t.Fatal(err)
				}
				b, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				ck, err := os.ReadFile(filepath.Join(ckpt, tc.arch+"-epoch1.npz"))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(ck, b) {
					t.Error("the epoch-1 checkpoint differs from the weights after 1 epoch")
				}
				files = append(files, b)
			}
			if !bytes.Equal(files[0], files[1]) {
				t.Error("1 and 2 workers wrote different weights")
			}
		})
	}
}

func TestTrainErrors(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "w.npz")
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"bad arch", []string{"-arch", "resnet", "-o", out}, 2, `-arch "resnet": want autoencoder or classifier`},
		{"no arch", []string{"-o", out}, 2, `-arch ""`},
		{"no output", []string{"-arch", "autoencoder"}, 2, "-o OUT.npz is required"},
		{"batch", []string{"-arch", "autoencoder", "-o", out, "-batch", "0"}, 2, "-batch 0"},
		{"epochs", []string{"-arch", "classifier", "-o", out, "-epochs", "-2"}, 2, "-epochs -2"},
		{"workers", []string{"-arch", "classifier", "-o", out, "-workers", "-1"}, 2, "-workers -1"},
		{"subset", []string{"-arch", "classifier", "-o", out, "-train-n", "-5"}, 2, "-train-n"},
		{"bad flag", []string{"-arch", "classifier", "-o", out, "-lr", "3"}, 2, "flag provided but not defined: -lr"},
		{"bad number", []string{"-arch", "classifier", "-o", out, "-seed", "x"}, 2, `invalid value "x" for flag -seed`},
		{"extra args", []string{"-arch", "classifier", "-o", out, "more"}, 2, "unexpected arguments"},
		{"thin group", []string{"-arch", "classifier", "-o", out, "-thin-group", "5"}, 2, "-thin-group 5 must be 1 to -ink-groups 4"},
		{"ink groups", []string{"-arch", "classifier", "-o", out, "-thin-group", "1", "-ink-groups", "1"}, 2, "-ink-groups 1"},
		{"thin keep", []string{"-arch", "classifier", "-o", out, "-thin-group", "1", "-thin-keep", "2"}, 2, "-thin-keep 2"},
		{"unwritable", []string{"-arch", "autoencoder", "-epochs", "1", "-train-n", "8", "-test-n", "8", "-o", filepath.Join(blocker, "w.npz")}, 1, "file/w.npz"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append([]string{"train"}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			if !strings.Contains(stderr, tc.msg) {
				t.Errorf("stderr %q does not contain %q", stderr, tc.msg)
			}
		})
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed command left %s behind (%v)", out, err)
	}
}

// TestParseDigits checks the -digits flag: distinct digits, as many as the
// architecture's classes; keepDigits relabels by position.
func TestParseDigits(t *testing.T) {
	if keep, err := parseDigits(" 3,1", 2); err != nil || len(keep) != 2 || keep[0] != 3 || keep[1] != 1 {
		t.Errorf("3,1: %v, %v", keep, err)
	}
	if keep, err := parseDigits("", 10); keep != nil || err != nil {
		t.Errorf("empty: %v, %v", keep, err)
	}
	for _, bad := range []string{"1,1", "1,x", "10,1", "1,2,3"} {
		if _, err := parseDigits(bad, 2); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	x := data.NewArray(3, 1)
	copy(x.Data, []float32{10, 11, 12})
	got, labels := keepDigits(x, []int{1, 2, 3}, []int{3, 1})
	if got.Len() != 2 || got.Data[0] != 10 || got.Data[1] != 12 || labels[0] != 1 || labels[1] != 0 {
		t.Errorf("keepDigits: %v, %v", got.Data, labels)
	}
}

// TestTrainThin trains on a thinned ink subgroup: the count kept is
// printed, the images kept and the weights depend on the seed only.
func TestTrainThin(t *testing.T) {
	dir := t.TempDir()
	var files [][]byte
	for _, name := range []string{"a", "b"} {
		out := filepath.Join(dir, name+".npz")
		code, stdout, stderr := runCLI(t, "train", "-arch", "classifier6", "-digits", "0,1,2,3,4,5", "-epochs", "1",
			"-train-n", "64", "-test-n", "16", "-thin-group", "1", "-thin-keep", "0.05", "-seed", "2", "-o", out)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		// 36017 training images of digits 0-5; the lightest quartile holds 9005.
		if want := "ink subgroup 1/4 thinned: 450 of its 9005 training images kept (fraction 0.05)"; !strings.Contains(stdout, want) {
			t.Errorf("stdout %q does not contain %q", stdout, want)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, b)
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Error("two runs with the same seed wrote different weights")
	}
}
