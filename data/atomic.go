package data

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFileAtomic writes a file through write into a temporary file in the
// same directory, syncs and closes it, then renames it to path, so that
// readers see either the old file or the complete new one. On any error the
// temporary file is removed and path is untouched. The parent directory is
// created if needed. Errors name path.
func WriteFileAtomic(path string, write func(w io.Writer) error) error {
	f, err := CreateAtomic(path)
	if err != nil {
		return err
	}
	return f.Commit(write)
}

// AtomicFile is a file being written under a temporary name in the
// directory of its target, and renamed to the target when complete
// (WriteFileAtomic in two steps). Creating it first checks, before any work
// is done, that the target can be written.
type AtomicFile struct {
	path string
	tmp  *os.File // nil once committed or aborted
}

// CreateAtomic creates the parent directory of path if needed and a
// temporary file beside path. It returns an error naming path if path is a
// directory or another file that is not a regular one (a device, a pipe:
// renaming over it would replace it), or if the directory cannot be
// written. The caller must Commit or Abort the file.
func CreateAtomic(path string) (*AtomicFile, error) {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		what := "is a directory"
		if !fi.IsDir() {
			what = "is not a regular file (" + fi.Mode().Type().String() + ")"
		}
		return nil, fmt.Errorf("data: cannot write %s: it %s", path, what)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("data: cannot write %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		// The error names the temporary file: name the target instead.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = fmt.Errorf("cannot create a file in %s: %w", dir, pe.Err)
		}
		return nil, fmt.Errorf("data: cannot write %s: %w", path, err)
	}
	return &AtomicFile{path: path, tmp: f}, nil
}

// Commit writes the file through write (buffered), syncs and closes it,
// and renames it to its target. On any error the temporary file is removed
// and the target is untouched; errors name the target.
func (a *AtomicFile) Commit(write func(w io.Writer) error) (err error) {
	f := a.tmp
	if f == nil {
		panic("data: AtomicFile committed or aborted twice")
	}
	a.tmp = nil
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := write(bw); err != nil {
		return fmt.Errorf("data: writing %s: %w", a.path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("data: writing %s: %w", a.path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("data: writing %s: %w", a.path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("data: writing %s: %w", a.path, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("data: writing %s: %w", a.path, err)
	}
	if err := os.Rename(f.Name(), a.path); err != nil {
		return fmt.Errorf("data: writing %s: %w", a.path, err)
	}
	return nil
}

// Abort removes the temporary file, leaving the target untouched. It does
// nothing after Commit or a first Abort, or on a nil *AtomicFile, so that
// it can be deferred.
func (a *AtomicFile) Abort() {
	if a == nil || a.tmp == nil {
		return
	}
	a.tmp.Close()
	os.Remove(a.tmp.Name())
	a.tmp = nil
}
