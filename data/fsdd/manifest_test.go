package fsdd_test

import (
	"bufio"
	"encoding/hex"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

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

func TestVerifyShared(t *testing.T) {
	dir := sharedDir(t)
	start := time.Now()
	if err := fsdd.Verify(dir); err != nil {
		t.Fatal(err)
	}
	t.Logf("verified %d files in %v", len(fsdd.ReleaseManifest()), time.Since(start))
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

// smallSet writes a few valid recordings into dir and returns their
// manifest.
func smallSet(t *testing.T, dir string) fsdd.Manifest {
	t.Helper()
	writeFiles(t, dir, map[string][]byte{
		"0_ann_0.wav": fsddSpec(1, 2, 3).bytes(), "0_ann_1.wav": fsddSpec(4, 5).bytes(),
		"1_ann_0.wav": fsddSpec(-6).bytes(), "1_bob_0.wav": fsddSpec(7, 8, 9, 10).bytes(),
	})
	m, err := fsdd.ManifestOf(dir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestVerify(t *testing.T) {
	src := t.TempDir()
	m := smallSet(t, src)
	if err := m.Verify(src); err != nil {
		t.Fatalf("unchanged copy: %v", err)
	}
	rdir := filepath.Join(src, "recordings")
	must(t, os.WriteFile(filepath.Join(rdir, "1_ann_0.wav"), fsddSpec(-7).bytes(), 0o644)) // same size
	must(t, os.Remove(filepath.Join(rdir, "0_ann_1.wav")))
	must(t, os.WriteFile(filepath.Join(rdir, "2_ann_0.wav"), fsddSpec(1).bytes(), 0o644))
	must(t, os.WriteFile(filepath.Join(rdir, "README"), nil, 0o644)) // ignored
	err := m.Verify(src)
	var ve *fsdd.VerifyError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want a *VerifyError", err)
	}
	if !slices.Equal(ve.Missing, []string{"0_ann_1.wav"}) || !slices.Equal(ve.Extra, []string{"2_ann_0.wav"}) ||
		!slices.Equal(ve.Altered, []string{"1_ann_0.wav"}) {
		t.Errorf("got missing %v, extra %v, altered %v", ve.Missing, ve.Extra, ve.Altered)
	}
	want := "recordings does not match the manifest: missing 0_ann_1.wav; extra 2_ann_0.wav; altered 1_ann_0.wav"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("got %q, want it to contain %q", err, want)
	}
	if err := m.Verify(filepath.Join(src, "nowhere")); err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Errorf("missing directory: got %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
