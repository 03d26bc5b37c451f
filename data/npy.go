package data

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"codeberg.org/sbinet/npyio/npy"
)

// maxElems caps the element count a header may declare, before the file
// size is checked, so that a corrupt header cannot exhaust memory.
const maxElems = 1 << 34

// ErrFormat is wrapped by errors about malformed .npy, .npz and IDX files.
var ErrFormat = errors.New("malformed file")

// ReadNPY reads a .npy file of any numeric dtype (float16 excepted) into a
// float32 Array. Fortran-ordered arrays are transposed to row-major. Errors
// name the file. NaN values are kept; see Array.CheckFinite.
func ReadNPY(path string) (*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	a, err := decodeNPY(f, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", path, err)
	}
	return a, nil
}

// DecodeNPY reads a .npy stream into a float32 Array (see ReadNPY). The
// whole stream is read into memory first so that the declared shape can be
// checked against the data size.
func DecodeNPY(r io.Reader) (*Array, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	a, err := decodeNPY(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	return a, nil
}

func decodeNPY(r io.Reader, size int64) (a *Array, err error) {
	// npyio panics on some malformed headers (one without its newline, for
	// one); turn that into an error at this boundary.
	defer func() {
		if p := recover(); p != nil {
			a, err = nil, fmt.Errorf("%w: npy header: %v", ErrFormat, p)
		}
	}()
	rd, err := npy.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	hdr := rd.Header.Descr
	n := 1
	for _, d := range hdr.Shape {
		if d < 0 || (d > 0 && n > maxElems/d) {
			return nil, fmt.Errorf("%w: bad shape %v", ErrFormat, hdr.Shape)
		}
		n *= d
	}
	kind, itemsize, err := parseDtype(hdr.Type)
	if err != nil {
		return nil, err
	}
	if int64(n)*int64(itemsize) > size {
		return nil, fmt.Errorf("%w: shape %v of %s needs %d bytes, the file has %d", ErrFormat, hdr.Shape, hdr.Type, int64(n)*int64(itemsize), size)
	}
	data := make([]float32, n)
	if n > 0 {
		if err := readAs(rd, kind, itemsize, data); err != nil {
			return nil, err
		}
	}
	shape := append([]int{}, hdr.Shape...)
	if hdr.Fortran && len(shape) > 1 {
		data = fortranToC(data, shape)
	}
	return &Array{Shape: shape, Data: data}, nil
}

// parseDtype splits a numpy type string such as "<f4" into its kind and
// item size.
func parseDtype(t string) (kind byte, size int, err error) {
	s := strings.TrimLeft(strings.Trim(t, "'\" "), "<>|=")
	if len(s) < 2 {
		return 0, 0, fmt.Errorf("%w: unsupported dtype %q", ErrFormat, t)
	}
	size, err = strconv.Atoi(s[1:])
	if err != nil {
		return 0, 0, fmt.Errorf("%w: unsupported dtype %q", ErrFormat, t)
	}
	kind = s[0]
	ok := false
	switch kind {
	case 'f':
		ok = size == 4 || size == 8
	case 'i', 'u':
		ok = size == 1 || size == 2 || size == 4 || size == 8
	case 'b':
		ok = size == 1
	}
	if !ok {
		return 0, 0, fmt.Errorf("%w: unsupported dtype %q (want a float, integer or bool array)", ErrFormat, t)
	}
	return kind, size, nil
}

// readAs reads the data as its on-disk Go type, since npyio does not
// convert between types, then converts to float32.
func readAs(rd *npy.Reader, kind byte, size int, dst []float32) error {
	read := func(ptr any) error {
		if err := rd.Read(ptr); err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("%w: reading data: %v", ErrFormat, err)
		}
		return nil
	}
	switch {
	case kind == 'f' && size == 4:
		var v []float32
		if err := read(&v); err != nil {
			return err
		}
		return convert(dst, v)
	case kind == 'f' && size == 8:
		var v []float64
		if err := read(&v); err != nil {
			return err
		}
		return convert(dst, v)
	case kind == 'i' && size == 1:
		var v []int8
		if err := read(&v); err != nil {
			return err
		}
		return convert(dst, v)
	case kind == 'i' && size == 2:
		var v []int16
		if err := read(&v); err != nil {
			return err
		}
		return convert(dst, v)
	case kind == 'i' && size == 4:
		var v []int32
		if err := read(&v); err != nil {
			return err
		}
		return convert(dst, v)
	case kind == 'i' && size == 8:
		var v []int64
		if err := read(&v); err != nil {
			return err
		}
		return convert(dst, v)
	case kind == 'u' && size == 1:
		var v []uint8
		if err := read(&v); err != nil {
			return err
		}
		return convert(dst, v)
	case kind == 'u' && size == 2:
		var v []uint16
		if err := read(&v); err != nil {
			return err
		}
		return convert(dst, v)
	case kind == 'u' && size == 4:
		var v []uint32
		if err := read(&v); err != nil {
			return err
		}
		return convert(dst, v)
	case kind == 'u' && size == 8:
		var v []uint64
		if err := read(&v); err != nil {
			return err
		}
		return convert(dst, v)
	case kind == 'b':
		var v []bool
		if err := read(&v); err != nil {
			return err
		}
		if len(v) != len(dst) {
			return fmt.Errorf("%w: got %d values, want %d", ErrFormat, len(v), len(dst))
		}
		for i, b := range v {
			if b {
				dst[i] = 1
			}
		}
		return nil
	}
	return fmt.Errorf("%w: unsupported dtype", ErrFormat)
}

type number interface {
	~float32 | ~float64 | ~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

func convert[T number](dst []float32, src []T) error {
	if len(src) != len(dst) {
		return fmt.Errorf("%w: got %d values, want %d (truncated file?)", ErrFormat, len(src), len(dst))
	}
	for i, v := range src {
		dst[i] = float32(v)
	}
	return nil
}

// fortranToC reorders column-major data of the given shape to row-major.
func fortranToC(src []float32, shape []int) []float32 {
	dst := make([]float32, len(src))
	nd := len(shape)
	idx := make([]int, nd)
	// Walk the row-major order, computing the column-major offset.
	for c := range dst {
		off, stride := 0, 1
		for d := range nd {
			off += idx[d] * stride
			stride *= shape[d]
		}
		dst[c] = src[off]
		for d := nd - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
	return dst
}

// WriteNPY writes a as a little-endian float32 .npy file, atomically.
// npyio writes only 1-d slices and 2-d float64 matrices with their shape, so
// the (simple, version 1.0) header is written here.
func WriteNPY(path string, a *Array) error {
	return WriteFileAtomic(path, func(w io.Writer) error { return EncodeNPY(w, a.Shape, a.Data) })
}

// WriteNPYFloat64 writes data with the given shape as a float64 .npy file.
func WriteNPYFloat64(path string, shape []int, data []float64) error {
	return WriteFileAtomic(path, func(w io.Writer) error { return EncodeNPY(w, shape, data) })
}

// WriteNPYInts writes v as a 1-d int64 .npy file (indices, labels).
func WriteNPYInts(path string, v []int) error {
	d := make([]int64, len(v))
	for i, x := range v {
		d[i] = int64(x)
	}
	return WriteFileAtomic(path, func(w io.Writer) error { return EncodeNPY(w, []int{len(v)}, d) })
}

// ReadNPYInts reads a 1-d integer .npy file (any numeric dtype whose values
// are whole numbers) into ints.
func ReadNPYInts(path string) ([]int, error) {
	a, err := ReadNPY(path)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(a.Data))
	for i, v := range a.Data {
		if v != float32(math.Trunc(float64(v))) {
			return nil, fmt.Errorf("data: %s: value %d (%v) is not an integer", path, i, v)
		}
		out[i] = int(v)
	}
	return out, nil
}

// EncodeNPY writes a version 1.0 .npy stream of data (float32, float64 or
// int64) with the given shape, in C order.
func EncodeNPY[T float32 | float64 | int64](w io.Writer, shape []int, data []T) error {
	n := 1
	for _, d := range shape {
		n *= d
	}
	if n != len(data) {
		return fmt.Errorf("data: shape %v does not hold %d values", shape, len(data))
	}
	var descr string
	var zero T
	switch any(zero).(type) {
	case float32:
		descr = "<f4"
	case float64:
		descr = "<f8"
	case int64:
		descr = "<i8"
	}
	if err := EncodeNPYHeader(w, descr, shape); err != nil {
		return err
	}
	// In chunks: binary.Write would copy the whole array at once.
	const chunk = 1 << 16
	for len(data) > 0 {
		m := min(len(data), chunk)
		if err := binary.Write(w, binary.LittleEndian, data[:m]); err != nil {
			return err
		}
		data = data[m:]
	}
	return nil
}

// EncodeNPYHeader writes the header of a version 1.0 .npy stream of the
// given numpy dtype ("<f4", "<f8", "<i8", ...) and shape, in C order; the
// little-endian data must follow.
func EncodeNPYHeader(w io.Writer, descr string, shape []int) error {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	sh := strings.Join(dims, ", ")
	if len(shape) == 1 {
		sh += ","
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, sh)
	// Pad so that magic (6) + version (2) + length (2) + header is a
	// multiple of 64, ending with a newline.
	total := 10 + len(dict) + 1
	pad := (64 - total%64) % 64
	hdr := dict + strings.Repeat(" ", pad) + "\n"
	if len(hdr) > math.MaxUint16 {
		return fmt.Errorf("data: npy header too long")
	}
	var pre [10]byte
	copy(pre[:], "\x93NUMPY\x01\x00")
	binary.LittleEndian.PutUint16(pre[8:], uint16(len(hdr)))
	if _, err := w.Write(pre[:]); err != nil {
		return err
	}
	_, err := io.WriteString(w, hdr)
	return err
}
