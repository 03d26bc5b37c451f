package configs

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"subsetscan/data"
)

// The project's own trained weights (make models), so that the default
// experiment needs no file outside the binary.
//
//go:embed models
var modelFiles embed.FS

// ModelNames returns the file names of the shipped model weights, sorted.
func ModelNames() []string {
	entries, _ := fs.ReadDir(modelFiles, "models")
	var names []string
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".npz" {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names
}

// ExtractModels writes the shipped model weights into a directory below
// parent named after a hash of their contents, unless it is already there,
// and returns that directory: the value of ${models} in the configs. Files
// are written atomically, so a directory that exists holds complete files;
// weights that change (a rebuilt binary) get a new directory.
func ExtractModels(parent string) (string, error) {
	names := ModelNames()
	h := sha256.New()
	for _, n := range names {
		b, err := modelFiles.ReadFile("models/" + n)
		if err != nil {
			return "", fmt.Errorf("configs: %w", err)
		}
		fmt.Fprintf(h, "%s %d\n", n, len(b))
		h.Write(b)
	}
	dir := filepath.Join(parent, "models-"+hex.EncodeToString(h.Sum(nil)[:6]))
	for _, n := range names {
		path := filepath.Join(dir, n)
		if _, err := os.Stat(path); err == nil {
			continue
		}
		b, _ := modelFiles.ReadFile("models/" + n)
		if err := data.WriteFileAtomic(path, func(w io.Writer) error {
			_, err := w.Write(b)
			return err
		}); err != nil {
			return "", fmt.Errorf("configs: extracting the shipped model %s: %w", n, err)
		}
	}
	return dir, nil
}
