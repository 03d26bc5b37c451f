package refdata

import (
	"os"
	"path/filepath"
	"testing"
)

// EnvDatasets is the environment variable that overrides the directory of
// the shared public data sets.
const EnvDatasets = "SUBSETSCAN_DATASETS"

// FSDDDir returns the shared copy of the Free Spoken Digit Dataset
// (v1.0.10): $SUBSETSCAN_DATASETS/free-spoken-digit-dataset if set, else
// ../shared/datasets/free-spoken-digit-dataset beside the project. The
// second result is false when it has no recordings directory.
func FSDDDir() (string, bool) {
	root := os.Getenv(EnvDatasets)
	if root == "" {
		root = filepath.Join(Root(), "..", "shared", "datasets")
	}
	dir := filepath.Join(root, "free-spoken-digit-dataset")
	fi, err := os.Stat(filepath.Join(dir, "recordings"))
	return dir, err == nil && fi.IsDir()
}

// FSDD returns FSDDDir's directory. When it is missing it skips the test,
// or fails it when CI=true, as Path does for the reference artefacts.
func FSDD(tb testing.TB) string {
	tb.Helper()
	dir, ok := FSDDDir()
	if !ok {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("data set %s is missing; CI=true requires ../shared/datasets beside the project", dir)
		}
		tb.Skipf("data set %s is missing; skipping", dir)
	}
	return dir
}
