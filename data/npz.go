package data

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// ReadNPZ reads every array of a .npz archive (a zip of .npy files, as
// numpy.savez writes), keyed by name without the .npy suffix.
func ReadNPZ(path string) (map[string]*Array, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w: %v", path, ErrFormat, err)
	}
	defer zr.Close()
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	out := make(map[string]*Array, len(zr.File))
	for _, f := range zr.File {
		key := strings.TrimSuffix(f.Name, ".npy")
		// The entry's declared size sizes the array: check it is possible
		// before trusting it (deflate expands at most 1032 times).
		u, c := f.UncompressedSize64, f.CompressedSize64
		if c > uint64(fi.Size()) || (f.Method == zip.Store && u != c) || u > 1032*c+1024 {
			return nil, fmt.Errorf("data: %s: entry %q: %w: declares %d bytes, %d compressed, in a %d-byte archive",
				path, f.Name, ErrFormat, u, c, fi.Size())
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("data: %s: entry %q: %w: %v", path, f.Name, ErrFormat, err)
		}
		a, err := decodeNPY(rc, int64(f.UncompressedSize64))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("data: %s: entry %q: %w", path, f.Name, err)
		}
		out[key] = a
	}
	return out, nil
}

// WriteNPZ writes the arrays as an uncompressed .npz archive of float32
// .npy entries, in sorted key order, atomically.
func WriteNPZ(path string, arrays map[string]*Array) error {
	keys := make([]string, 0, len(arrays))
	for k := range arrays {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return WriteFileAtomic(path, func(w io.Writer) error {
		zw := zip.NewWriter(w)
		for _, k := range keys {
			// A fixed header (no timestamp) keeps the bytes reproducible.
			fw, err := zw.CreateHeader(&zip.FileHeader{Name: k + ".npy", Method: zip.Store})
			if err != nil {
				return err
			}
			a := arrays[k]
			if err := EncodeNPY(fw, a.Shape, a.Data); err != nil {
				return fmt.Errorf("entry %q: %w", k, err)
			}
		}
		return zw.Close()
	})
}
