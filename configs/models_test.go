package configs_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"subsetscan/configs"
	"subsetscan/experiments"
)

func TestExtractModels(t *testing.T) {
	names := configs.ModelNames()
	for _, want := range []string{"autoencoder.npz", "classifier.npz"} {
		if !slices.Contains(names, want) {
			t.Fatalf("shipped models %v lack %s", names, want)
		}
	}
	parent := t.TempDir()
	dir, err := configs.ExtractModels(parent)
	if err != nil {
		t.Fatal(err)
	}
	first := map[string][]byte{}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		first[n] = b
	}
	// A second call finds the same directory and leaves the files alone.
	again, err := configs.ExtractModels(parent)
	if err != nil {
		t.Fatal(err)
	}
	if again != dir {
		t.Errorf("second extraction went to %s, first to %s", again, dir)
	}
	for _, n := range names {
		b, _ := os.ReadFile(filepath.Join(again, n))
		if !bytes.Equal(b, first[n]) {
			t.Errorf("%s changed between extractions", n)
		}
	}
	// Only the .npz files (and no temporary ones) are written.
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(names) {
		t.Errorf("%d files in %s, want %d", len(entries), dir, len(names))
	}
}

// TestShippedConfigs checks that every shipped config that needs no
// outside file parses with the shipped models; the default must be one.
func TestShippedConfigs(t *testing.T) {
	dir, err := configs.ExtractModels(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(configs.Names(), configs.Default) {
		t.Fatalf("default config %q is not shipped", configs.Default)
	}
	for _, name := range configs.Names() {
		raw, _ := configs.Read(name)
		if bytes.Contains(raw, []byte("${artifacts}")) || bytes.Contains(raw, []byte("${data}")) {
			continue
		}
		if _, err := experiments.ParseConfig(raw, "", experiments.Vars{Models: dir}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	raw, _ := configs.Read(configs.Default)
	if bytes.Contains(raw, []byte("${artifacts}")) || bytes.Contains(raw, []byte("${data}")) {
		t.Errorf("the default config %s reads files from outside the repository", configs.Default)
	}
}
