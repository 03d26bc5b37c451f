package fsdd

import (
	"bufio"
	"cmp"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"subsetscan/internal/par"
)

// Version is the FSDD release whose recordings ReleaseManifest lists.
const Version = "v1.0.10"

// Entry is one file of a manifest.
type Entry struct {
	Name   string   // file name in DIR/recordings, {digit}_{speaker}_{index}.wav
	Size   int64    // size in bytes
	SHA256 [32]byte // SHA-256 of the contents
}

// Manifest lists the recordings of a release, sorted by Name (byte order),
// each name once.
type Manifest []Entry

//go:embed manifest.txt
var releaseText string

var release = sync.OnceValue(func() Manifest {
	m, err := ParseManifest(strings.NewReader(releaseText))
	if err != nil {
		panic("fsdd: embedded manifest.txt: " + err.Error())
	}
	return m
})

// ReleaseManifest returns the manifest of the 3000 recordings of FSDD
// v1.0.10, embedded from manifest.txt (derived from the release's
// SHA256SUMS and file sizes). The caller must not modify it.
func ReleaseManifest() Manifest { return release() }

// ParseManifest reads a manifest in the text format of Manifest.Write: one
// line per file, "SHA256HEX SIZE NAME" separated by spaces; empty lines and
// lines starting with # are ignored. Lines may come in any order. A
// malformed line, a name outside the recordings' pattern or a name given
// twice is an error naming the line.
func ParseManifest(r io.Reader) (Manifest, error) {
	var m Manifest
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' {
			continue
		}
		e, err := parseEntry(text)
		if err != nil {
			return nil, fmt.Errorf("fsdd: manifest line %d: %w", line, err)
		}
		m = append(m, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("fsdd: reading manifest: %w", err)
	}
	slices.SortFunc(m, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	for i := 1; i < len(m); i++ {
		if m[i].Name == m[i-1].Name {
			return nil, fmt.Errorf("fsdd: manifest lists %s twice", m[i].Name)
		}
	}
	return m, nil
}

func parseEntry(text string) (Entry, error) {
	f := strings.Fields(text)
	if len(f) != 3 {
		return Entry{}, fmt.Errorf("%d fields, want 3 (SHA256HEX SIZE NAME)", len(f))
	}
	var e Entry
	if n, err := hex.Decode(e.SHA256[:], []byte(f[0])); err != nil || n != len(e.SHA256) || len(f[0]) != 2*len(e.SHA256) {
		return Entry{}, fmt.Errorf("bad SHA-256 %q", f[0])
	}
	size, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil || size < 0 {
		return Entry{}, fmt.Errorf("bad size %q", f[1])
	}
	if _, err := ParseName(f[2]); err != nil {
		return Entry{}, err
	}
	e.Size, e.Name = size, f[2]
	return e, nil
}

// Write writes m in the text format read by ParseManifest, one line per
// entry in the order of m, after a comment line naming what it lists.
func (m Manifest) Write(w io.Writer, comment string) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# %s\n# SHA-256, size in bytes, file name in recordings/\n", comment)
	for _, e := range m {
		fmt.Fprintf(bw, "%x %d %s\n", e.SHA256, e.Size, e.Name)
	}
	return bw.Flush()
}

// ManifestOf hashes the recordings of dir (the .wav files of
// dir/recordings, as Open lists them) on GOMAXPROCS goroutines and returns
// their manifest.
func ManifestOf(dir string) (Manifest, error) {
	recs, err := Open(dir)
	if err != nil {
		return nil, err
	}
	paths := make([]string, len(recs))
	for i, r := range recs {
		paths[i] = r.Path
	}
	sums, err := hashFiles(paths)
	if err != nil {
		return nil, err
	}
	m := make(Manifest, len(recs))
	for i, r := range recs {
		m[i] = Entry{Name: r.Name(), Size: sums[i].size, SHA256: sums[i].sha}
	}
	slices.SortFunc(m, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	return m, nil
}

// fileSum is the size and SHA-256 of a file.
type fileSum struct {
	size int64
	sha  [32]byte
}

// hashFiles hashes the files on GOMAXPROCS goroutines. It returns the error
// of the first failing file in the order of paths.
func hashFiles(paths []string) ([]fileSum, error) {
	sums := make([]fileSum, len(paths))
	errs := make([]error, len(paths))
	type scratch struct {
		h   hash.Hash
		buf []byte
	}
	newScratch := func() *scratch { return &scratch{sha256.New(), make([]byte, 64<<10)} }
	par.For(len(paths), 0, newScratch, func(s *scratch, i int) {
		sums[i], errs[i] = hashFile(paths[i], s.h, s.buf)
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return sums, nil
}

func hashFile(path string, h hash.Hash, buf []byte) (fileSum, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileSum{}, fmt.Errorf("fsdd: %w", err)
	}
	defer f.Close()
	h.Reset()
	n, err := io.CopyBuffer(h, f, buf)
	if err != nil {
		return fileSum{}, fmt.Errorf("fsdd: reading %s: %w", path, err)
	}
	var s fileSum
	s.size = n
	h.Sum(s.sha[:0])
	return s, nil
}

// VerifyError lists the files of a directory that do not match a manifest,
// each list sorted by name.
type VerifyError struct {
	Dir     string   // the directory verified
	Missing []string // in the manifest, not in Dir/recordings
	Extra   []string // .wav files of Dir/recordings not in the manifest
	Altered []string // in both, with another size or SHA-256
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("fsdd: %s does not match the manifest: %s", filepath.Join(e.Dir, "recordings"), e.problems())
}

// problems lists the files of e, at most 5 of each kind.
func (e *VerifyError) problems() string {
	var parts []string
	for _, l := range []struct {
		what  string
		names []string
	}{{"missing", e.Missing}, {"extra", e.Extra}, {"altered", e.Altered}} {
		if len(l.names) > 0 {
			parts = append(parts, l.what+" "+listNames(l.names, 5))
		}
	}
	return strings.Join(parts, "; ")
}

// listNames joins the first max names and says how many more there are.
func listNames(names []string, max int) string {
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:max], ", "), len(names)-max)
}

// Verify checks the recordings of dir against m: every file of m must be in
// dir/recordings with its size and SHA-256, and no other file ending in
// .wav, in any case, may be there (other files are ignored, as by Open). Files are
// hashed on GOMAXPROCS goroutines. A mismatch is a *VerifyError naming
// every missing, extra and altered file; a missing directory or a file that
// cannot be read is an error naming it.
func (m Manifest) Verify(dir string) error {
	rdir := filepath.Join(dir, "recordings")
	entries, err := os.ReadDir(rdir)
	if err != nil {
		return fmt.Errorf("fsdd: FSDD directory %s: %w", dir, err)
	}
	ve := &VerifyError{Dir: dir}
	present := make(map[string]bool, len(entries))
	for _, e := range entries {
		if name := e.Name(); isWAVName(name) {
			present[name] = true
			if _, ok := slices.BinarySearchFunc(m, name, func(e Entry, n string) int { return cmp.Compare(e.Name, n) }); !ok {
				ve.Extra = append(ve.Extra, name)
			}
		}
	}
	var want []Entry
	var paths []string
	for _, e := range m {
		if !present[e.Name] {
			ve.Missing = append(ve.Missing, e.Name)
			continue
		}
		want = append(want, e)
		paths = append(paths, filepath.Join(rdir, e.Name))
	}
	sums, err := hashFiles(paths)
	if err != nil {
		return err
	}
	for i, e := range want {
		if sums[i] != (fileSum{e.Size, e.SHA256}) {
			ve.Altered = append(ve.Altered, e.Name)
		}
	}
	if len(ve.Missing)+len(ve.Extra)+len(ve.Altered) > 0 {
		return ve
	}
	return nil
}

// Verify checks the recordings of dir against the manifest of FSDD v1.0.10
// (ReleaseManifest().Verify).
func Verify(dir string) error { return ReleaseManifest().Verify(dir) }
