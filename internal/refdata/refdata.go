// Package refdata locates the authors' reference artefacts in
// ../shared/reference for parity tests.
//
// The artefacts are never part of the project: tests read them in place. On
// a machine without them a parity test skips with a message, except when the
// environment variable CI is "true", where a missing directory fails the test.
package refdata

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// EnvDir is the environment variable that overrides the reference directory.
const EnvDir = "SUBSETSCAN_REFERENCE"

// Dir returns the reference directory: $SUBSETSCAN_REFERENCE if set, else
// ../shared/reference relative to the project root. The second result is
// false when the directory does not exist.
func Dir() (string, bool) {
	dir := os.Getenv(EnvDir)
	if dir == "" {
		dir = filepath.Join(Root(), "..", "shared", "reference")
	}
	fi, err := os.Stat(dir)
	return dir, err == nil && fi.IsDir()
}

// Root returns the project root (the directory holding go.mod), found from
// this source file's location.
func Root() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "."
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Path returns the path of a reference file, given relative to the reference
// directory (for example "golden/scan_reference.json"). When the reference
// directory is missing it skips the test, or fails it when CI=true.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	dir, ok := Dir()
	if !ok {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("reference directory %s is missing; CI=true requires ../shared/reference beside the project", dir)
		}
		tb.Skipf("reference directory %s is missing; skipping parity test", dir)
	}
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("reference file: %v", err)
	}
	return p
}
