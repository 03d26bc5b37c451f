package fsdd_test

import (
	"bufio"
	"encoding/hex"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"subsetscan/data"
	"subsetscan/data/fsdd"
)

var update = flag.Bool("update", false, "rewrite manifest.txt from the shared copy of FSDD v1.0.10")

// readSums reads a sha256sum listing: name → hex digest.
func readSums(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sums := make(map[string]string)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("%s: bad line %q", path, sc.Text())
		}
		sums[name] = sum
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return sums
}

// TestReleaseManifest checks manifest.txt against the release's SHA256SUMS,
// and with -update rewrites it from the files of the shared copy.
func TestReleaseManifest(t *testing.T) {
	dir := sharedDir(t)
	m := fsdd.ReleaseManifest()
	if *update {
		var err error
		if m, err = fsdd.ManifestOf(dir); err != nil {
			t.Fatal(err)
		}
		comment := "Free Spoken Digit Dataset " + fsdd.Version + " (CC BY-SA 4.0): its SHA256SUMS and sizes;" +
			" regenerate with go test ./data/fsdd -run TestReleaseManifest -update"
		if err := data.WriteFileAtomic("manifest.txt", func(w io.Writer) error { return m.Write(w, comment) }); err != nil {
			t.Fatal(err)
		}
	}
	sums := readSums(t, filepath.Join(dir, "SHA256SUMS"))
	if len(m) != 6*fsdd.Digits*fsdd.Takes || len(sums) != len(m) {
		t.Fatalf("manifest has %d entries, SHA256SUMS %d, want %d", len(m), len(sums), 6*fsdd.Digits*fsdd.Takes)
	}
	for _, e := range m {
		if got := hex.EncodeToString(e.SHA256[:]); got != sums[e.Name] {
			t.Errorf("%s: manifest SHA-256 %s, SHA256SUMS %s", e.Name, got, sums[e.Name])
		}
		if e.Size < 44 {
			t.Errorf("%s: size %d is less than a WAV header", e.Name, e.Size)
		}
	}
}

func TestParseManifest(t *testing.T) {
	const sum = "228ab63fccdf262d2e05817b6ec918b15e7d9e4bfb6bb20183c46ae088405240"
	for _, tc := range []struct {
		name, text, want string // want: "" for success, else in the error
	}{
		{"ok", "# comment\n\n" + sum + " 10 1_a_1.wav\n" + sum + " 12 0_a_1.wav\n", ""},
		{"two fields", sum + " 1_a_1.wav\n", "line 1: 2 fields"},
		{"short sum", "228ab6 10 1_a_1.wav\n", "line 1: bad SHA-256"},
		{"not hex", strings.Repeat("z", 64) + " 10 1_a_1.wav\n", "bad SHA-256"},
		{"bad size", sum + " -1 1_a_1.wav\n", "bad size"},
		{"bad name", "#\n" + sum + " 10 a.wav\n", "line 2: fsdd: file name"},
		{"twice", sum + " 10 1_a_1.wav\n" + sum + " 10 1_a_1.wav\n", "1_a_1.wav twice"},
	} {
		m, err := fsdd.ParseManifest(strings.NewReader(tc.text))
		if tc.want == "" {
			if err != nil || len(m) != 2 || m[0].Name != "0_a_1.wav" || m[1].Size != 10 {
				t.Errorf("%s: got %+v, %v", tc.name, m, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}
