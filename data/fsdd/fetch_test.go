package fsdd_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"subsetscan/data/fsdd"
)

func TestVerifyShared(t *testing.T) {
	dir := sharedDir(t)
	start := time.Now()
	if err := fsdd.Verify(dir); err != nil {
		t.Fatal(err)
	}
	t.Logf("verified %d files in %v", len(fsdd.ReleaseManifest()), time.Since(start))
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

// TestVerifyCopy verifies a temporary copy of a few recordings of the shared
// copy against their entries of the release manifest, then with one byte of
// one of them changed.
func TestVerifyCopy(t *testing.T) {
	shared := filepath.Join(sharedDir(t), "recordings")
	var m fsdd.Manifest
	files := make(map[string][]byte)
	for i, e := range fsdd.ReleaseManifest() {
		if i%600 == 0 { // 5 files
			b, err := os.ReadFile(filepath.Join(shared, e.Name))
			must(t, err)
			files[e.Name], m = b, append(m, e)
		}
	}
	dir := writeFiles(t, t.TempDir(), files)
	if err := m.Verify(dir); err != nil {
		t.Fatal(err)
	}
	altered := m[3].Name
	files[altered][100] ^= 1
	writeFiles(t, dir, map[string][]byte{altered: files[altered]})
	var ve *fsdd.VerifyError
	if err := m.Verify(dir); !errors.As(err, &ve) || !slices.Equal(ve.Altered, []string{altered}) || len(ve.Missing)+len(ve.Extra) > 0 {
		t.Errorf("one byte of %s changed: got %v", altered, err)
	}
}

// tarGz builds a .tar.gz in the layout of GitHub's archives: a pax global
// header, then every file under the top directory
// free-spoken-digit-dataset-1.0.10/, recordings as recordings/NAME. Names
// are written in sorted order.
func tarGz(t *testing.T, recordings map[string][]byte) []byte {
	t.Helper()
	const top = "free-spoken-digit-dataset-1.0.10/"
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	add := func(hdr *tar.Header, body []byte) {
		hdr.Size = int64(len(body))
		must(t, tw.WriteHeader(hdr))
		_, err := tw.Write(body)
		must(t, err)
	}
	add(&tar.Header{Typeflag: tar.TypeXGlobalHeader, Name: "pax_global_header", PAXRecords: map[string]string{"comment": "26eb9aa"}}, nil)
	add(&tar.Header{Typeflag: tar.TypeDir, Name: top, Mode: 0o755}, nil)
	add(&tar.Header{Typeflag: tar.TypeReg, Name: top + "README.md", Mode: 0o644}, []byte("# FSDD\n"))
	add(&tar.Header{Typeflag: tar.TypeReg, Name: top + "acquire_data/recordings/9_x_9.wav", Mode: 0o644}, []byte("ignored"))
	add(&tar.Header{Typeflag: tar.TypeDir, Name: top + "recordings/", Mode: 0o755}, nil)
	names := make([]string, 0, len(recordings))
	for name := range recordings {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		add(&tar.Header{Typeflag: tar.TypeReg, Name: top + "recordings/" + name, Mode: 0o644}, recordings[name])
	}
	must(t, tw.Close())
	must(t, zw.Close())
	return buf.Bytes()
}

// readRecordings reads the files of dir/recordings.
func readRecordings(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	rdir := filepath.Join(dir, "recordings")
	entries, err := os.ReadDir(rdir)
	must(t, err)
	files := make(map[string][]byte)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(rdir, e.Name()))
		must(t, err)
		files[e.Name()] = b
	}
	return files
}

// serve serves body at /fsdd.tar.gz and 404 elsewhere, counting requests.
func serve(t *testing.T, body []byte) (string, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.URL.Path != "/fsdd.tar.gz" {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/fsdd.tar.gz", &n
}

func TestFetch(t *testing.T) {
	src := t.TempDir()
	m := smallSet(t, src)
	url, requests := serve(t, tarGz(t, readRecordings(t, src)))
	cache := filepath.Join(t.TempDir(), "cache")
	dir, err := m.Fetch(t.Context(), cache, url)
	if err != nil {
		t.Fatal(err)
	}
	if dir != filepath.Join(cache, fsdd.DirName) {
		t.Errorf("got %s, want %s", dir, filepath.Join(cache, fsdd.DirName))
	}
	if err := m.Verify(dir); err != nil {
		t.Error(err)
	}
	assertEntries(t, cache, fsdd.DirName)
	if _, err := m.Fetch(t.Context(), cache, url); err != nil || requests.Load() != 1 {
		t.Errorf("second Fetch: %v after %d requests, want no error and no new request", err, requests.Load())
	}
}

// assertEntries checks that dir holds exactly the entries want.
func assertEntries(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s holds %v, want %v", dir, got, want)
	}
}

func TestFetchBad(t *testing.T) {
	src := t.TempDir()
	m := smallSet(t, src)
	files := readRecordings(t, src)
	good := tarGz(t, files)
	altered := map[string][]byte{}
	for name, b := range files {
		altered[name] = b
	}
	altered["1_ann_0.wav"] = fsddSpec(-7).bytes()
	for _, tc := range []struct {
		name string
		body []byte
		path string // requested instead of /fsdd.tar.gz when set
		want string
	}{
		{"altered file", tarGz(t, altered), "", "altered 1_ann_0.wav"},
		{"404", good, "/missing.tar.gz", "HTTP status 404"},
		{"truncated archive", good[:len(good)/2], "", "unexpected EOF"},
		{"not gzip", []byte("<html>rate limited</html>"), "", "archive: gzip: invalid header"},
		{"no recordings", tarGz(t, nil), "", "no recordings/*.wav"},
	} {
		url, _ := serve(t, tc.body)
		if tc.path != "" {
			url = strings.TrimSuffix(url, "/fsdd.tar.gz") + tc.path
		}
		cache := t.TempDir()
		dir, err := m.Fetch(t.Context(), cache, url)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasSuffix(err.Error(), fsdd.CloneHint) {
			t.Errorf("%s: got %q, %v; want an error containing %q and ending with the clone hint", tc.name, dir, err, tc.want)
		}
		t.Logf("%s: %v", tc.name, err)
		assertEntries(t, cache) // nothing in place, no temporary directory left
	}
}

func TestFetchCancelled(t *testing.T) {
	src := t.TempDir()
	m := smallSet(t, src)
	url, _ := serve(t, tarGz(t, readRecordings(t, src)))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	cache := t.TempDir()
	if _, err := m.Fetch(ctx, cache, url); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("got %v, want a context error", err)
	}
	assertEntries(t, cache)
}

func TestLocate(t *testing.T) {
	xdg := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", xdg) // os.UserCacheDir on Linux and BSDs, not macOS or Windows
	given := t.TempDir()
	smallSet(t, given)
	if dir, err := fsdd.Locate(t.Context(), given); err != nil || dir != given {
		t.Errorf("given directory: got %s, %v", dir, err)
	}
	if _, err := fsdd.Locate(t.Context(), filepath.Join(given, "nowhere")); err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Errorf("missing directory: got %v", err)
	}
	// A copy already in the cache is used without a download.
	cache, err := fsdd.CacheDir()
	must(t, err)
	if cache != filepath.Join(xdg, "subsetscan") {
		t.Skipf("the cache directory %s ignores XDG_CACHE_HOME; not writing a fake copy there", cache)
	}
	cached := filepath.Join(cache, fsdd.DirName)
	smallSet(t, cached)
	if dir, err := fsdd.Locate(t.Context(), ""); err != nil || dir != cached {
		t.Errorf("cached copy: got %s, %v; want %s", dir, err, cached)
	}
}
