package fsdd

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ArchiveURL is GitHub's archive of git tag v1.0.10 of
// Jakobovski/free-spoken-digit-dataset, a .tar.gz whose files are under one
// top-level directory, free-spoken-digit-dataset-1.0.10/.
const ArchiveURL = "https://github.com/Jakobovski/free-spoken-digit-dataset/archive/refs/tags/v1.0.10.tar.gz"

// DirName is the directory of the release within a cache directory.
const DirName = "fsdd-" + Version

// CloneHint says how to get the data set without Fetch; errors of Fetch and
// Locate end with it.
const CloneHint = "without internet access, run `git clone --branch v1.0.10 https://github.com/Jakobovski/free-spoken-digit-dataset DIR` and pass -data DIR"

// maxRecordingBytes caps the size of an archive entry extracted by Fetch
// (the largest v1.0.10 recording has 36 kB).
const maxRecordingBytes = 1 << 20

// CacheDir returns the cache directory of subsetscan, os.UserCacheDir()
// followed by "subsetscan" ($XDG_CACHE_HOME/subsetscan or
// ~/.cache/subsetscan on Linux). It does not create it.
func CacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("fsdd: %w", err)
	}
	return filepath.Join(dir, "subsetscan"), nil
}

// Locate returns the FSDD directory to read. A non-empty dir is returned
// as it is if dir/recordings is a directory (its contents are not checked:
// see Verify), and is an error otherwise. An empty dir means the copy in
// CacheDir()/fsdd-v1.0.10, fetched from ArchiveURL by Fetch when it is not
// there; errors then end with CloneHint.
func Locate(ctx context.Context, dir string) (string, error) {
	if dir != "" {
		if !isDir(filepath.Join(dir, "recordings")) {
			return "", fmt.Errorf("fsdd: %s is not an FSDD directory (no recordings/ in it)", dir)
		}
		return dir, nil
	}
	cache, err := CacheDir()
	if err != nil {
		return "", fmt.Errorf("%w; %s", err, CloneHint)
	}
	return Fetch(ctx, cache, ArchiveURL)
}

// Fetch downloads FSDD v1.0.10 into cacheDir/fsdd-v1.0.10 and returns that
// directory, checking the recordings against ReleaseManifest; see
// Manifest.Fetch.
func Fetch(ctx context.Context, cacheDir, url string) (string, error) {
	return ReleaseManifest().Fetch(ctx, cacheDir, url)
}

// Fetch returns cacheDir/fsdd-v1.0.10 holding the recordings of m,
// downloading them from url (a .tar.gz in the layout of ArchiveURL) unless
// that directory already holds a recordings directory, which is then
// returned as it is, without a download or check.
//
// Fetch extracts only the regular files TOP/recordings/*.wav of the archive
// (TOP being any one directory) into a new temporary directory in
// cacheDir, checks them with m.Verify, and renames the directory into
// place, so that cacheDir/fsdd-v1.0.10 appears complete or not at all. On
// any error (no network, an HTTP status other than 200, a truncated or
// malformed archive, an entry over 1 MiB, a file that differs from m: the
// error names it, or the context's end) the temporary directory is removed,
// nothing is left in place, and the error ends with CloneHint.
func (m Manifest) Fetch(ctx context.Context, cacheDir, url string) (string, error) {
	dest := filepath.Join(cacheDir, DirName)
	if isDir(filepath.Join(dest, "recordings")) {
		return dest, nil
	}
	if err := m.fetch(ctx, cacheDir, dest, url); err != nil {
		return "", fmt.Errorf("fsdd: fetching FSDD %s from %s: %w; %s", Version, url, err, CloneHint)
	}
	return dest, nil
}

func (m Manifest) fetch(ctx context.Context, cacheDir, dest, url string) error {
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(cacheDir, "."+DirName+".tmp*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := download(ctx, url, filepath.Join(tmp, "recordings")); err != nil {
		return err
	}
	if err := m.Verify(tmp); err != nil {
		var ve *VerifyError
		if errors.As(err, &ve) { // the temporary directory is about to go
			return fmt.Errorf("the archive's recordings do not match the manifest: %s", ve.problems())
		}
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := os.Rename(tmp, dest); err != nil {
		if isDir(filepath.Join(dest, "recordings")) {
			return nil // placed meanwhile by another process
		}
		return err
	}
	return nil
}

// download gets the archive at url and extracts its recordings into rdir.
func download(ctx context.Context, url, rdir string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP status %s", resp.Status)
	}
	return extract(resp.Body, rdir)
}

// extract writes the regular files TOP/recordings/*.wav of the .tar.gz
// stream r into the new directory rdir.
func extract(r io.Reader, rdir string) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	if err := os.Mkdir(rdir, 0o755); err != nil {
		return err
	}
	tr := tar.NewReader(zr)
	n := 0
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("archive: %w", err)
		}
		name, ok := recordingEntry(hdr)
		if !ok {
			continue
		}
		if hdr.Size > maxRecordingBytes {
			return fmt.Errorf("archive: %s has %d bytes, more than a recording can (%d)", hdr.Name, hdr.Size, maxRecordingBytes)
		}
		if err := writeNew(filepath.Join(rdir, name), tr); err != nil {
			return fmt.Errorf("archive: %s: %w", hdr.Name, err)
		}
		n++
	}
	// Read to the end of the gzip stream, so that its checksum is checked.
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	if n == 0 {
		return errors.New("archive: no recordings/*.wav in it")
	}
	return nil
}

// recordingEntry returns the file name of an archive entry
// TOP/recordings/NAME.wav that is a regular file.
func recordingEntry(hdr *tar.Header) (string, bool) {
	if hdr.Typeflag != tar.TypeReg {
		return "", false
	}
	parts := strings.Split(path.Clean(hdr.Name), "/")
	if len(parts) != 3 || parts[0] == ".." || parts[1] != "recordings" || !isWAVName(parts[2]) {
		return "", false
	}
	return parts[2], true
}

// writeNew writes r into a new file (an existing file is an error: an
// archive naming a file twice).
func writeNew(path string, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
