package data

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"strconv"
	"strings"
	"unsafe"

	"codeberg.org/sbinet/npyio/npy"

	"subsetscan/internal/mem"
)

// maxElems caps the element count a header may declare, before the file
// size is checked, so that a corrupt header cannot exhaust memory.
const maxElems = 1 << 34

// ErrFormat is wrapped by errors about malformed .npy, .npz and IDX files.
var ErrFormat = errors.New("malformed file")

// ReadNPY reads a .npy file of any numeric dtype (float16 excepted),
// little- or big-endian, into a float32 Array. Fortran-ordered arrays are
// reordered to row-major as they are read. The file's size must be exactly
// that of its header and of the data its shape and dtype declare: a
// truncated file, or one with trailing bytes, is an error. Errors name the
// file and wrap ErrFormat when the file is malformed. NaN values are kept;
// see Array.CheckFinite.
//
// The data is read in one read into the Array's memory (native-order
// float32), or through a small buffer for the other dtypes: memory use is
// that of the Array.
func ReadNPY(path string) (*Array, error) {
	f, size, err := openFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var a *Array
	if size >= 0 {
		a, err = decodeNPY(f, size)
	} else {
		// A pipe or a device: its size is known only once read.
		a, err = decodeNPYAll(f)
	}
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", path, err)
	}
	return a, nil
}

// ReadNPYShape returns the shape of the array in a .npy file, reading only
// its header: it makes ReadNPY's checks of the header, the dtype and the
// file's size, not of the values. Errors are ReadNPY's.
func ReadNPYShape(path string) ([]int, error) {
	f, size, err := openFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if size < 0 {
		return nil, fmt.Errorf("data: %s: not a regular file: its size is not known before reading it", path)
	}
	h, err := readNPYHeader(f, size)
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", path, err)
	}
	return h.shape, nil
}

// openFile opens path for reading and returns its size, or -1 if it is not
// a regular file (a pipe, a device). Errors are wrapped as ReadNPY's.
func openFile(path string) (f *os.File, size int64, err error) {
	f, err = os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("data: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("data: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return f, -1, nil
	}
	return f, fi.Size(), nil
}

// DecodeNPY reads a .npy stream into a float32 Array (see ReadNPY). The
// whole stream is read into memory first so that the declared shape can be
// checked against the data size.
func DecodeNPY(r io.Reader) (*Array, error) {
	a, err := decodeNPYAll(r)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	return a, nil
}

func decodeNPYAll(r io.Reader) (*Array, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return decodeNPY(bytes.NewReader(raw), int64(len(raw)))
}

// maxHeaderLen caps the header length a .npy preamble may declare. numpy
// writes a few hundred bytes at most for an array's dtype and shape.
const maxHeaderLen = 1 << 20

// npyHeader is what decodeNPY needs of a .npy header.
type npyHeader struct {
	shape    []int
	n        int    // elements, the product of shape
	dtype    string // as written: "<f4"
	kind     byte   // 'f', 'i', 'u' or 'b'
	itemsize int
	swap     bool // the data's byte order is not the machine's
	fortran  bool // column-major data of more than one dimension
	hdrSize  int64
}

// decodeNPY reads a .npy stream that holds size bytes in all.
func decodeNPY(r io.Reader, size int64) (*Array, error) {
	h, err := readNPYHeader(r, size)
	if err != nil {
		return nil, err
	}
	return h.readArray(r)
}

// checkSize returns an error unless a file of size bytes holds exactly the
// header and the data it declares.
func (h *npyHeader) checkSize(size int64) error {
	want := h.hdrSize + int64(h.n)*int64(h.itemsize)
	if size == want {
		return nil
	}
	what := fmt.Sprintf("%d bytes missing", want-size)
	if size > want {
		what = fmt.Sprintf("%d trailing bytes", size-want)
	}
	return fmt.Errorf("%w: shape %v of %s takes %d bytes with the %d-byte header, the file has %d (%s)",
		ErrFormat, h.shape, h.dtype, want, h.hdrSize, size, what)
}

// readArray reads the data that follows the header into a new Array and
// checks that the stream ends there.
func (h *npyHeader) readArray(r io.Reader) (*Array, error) {
	a := &Array{Shape: h.shape, Data: make([]float32, h.n)}
	mem.PopulateHuge(a.Data)
	if err := h.readData(r, a.Data); err != nil {
		return nil, err
	}
	// Reading to the end also has a .npz entry checked against its CRC.
	var probe [1]byte
	switch _, err := io.ReadFull(r, probe[:]); {
	case err == nil:
		return nil, fmt.Errorf("%w: trailing bytes after the %d values of shape %v", ErrFormat, h.n, h.shape)
	case !errors.Is(err, io.EOF):
		return nil, fmt.Errorf("%w: after the data: %v", ErrFormat, err)
	}
	return a, nil
}

// readNPYHeader reads and checks the preamble (magic, version, header
// length) and the header of a .npy stream of size bytes, and checks that
// size is that of the header and the data it declares. The header's
// dictionary is parsed by npyio, handed only complete headers.
func readNPYHeader(r io.Reader, size int64) (h *npyHeader, err error) {
	const magic = "\x93NUMPY"
	var pre [12]byte
	plen := 10 // magic, version, uint16 length; 12 with a uint32 length
	if size < int64(plen) {
		return nil, fmt.Errorf("%w: truncated header: the file has %d bytes, a .npy preamble takes %d", ErrFormat, size, plen)
	}
	if _, err := io.ReadFull(r, pre[:plen]); err != nil {
		return nil, fmt.Errorf("%w: truncated header: %v", ErrFormat, err)
	}
	if string(pre[:6]) != magic {
		return nil, fmt.Errorf("%w: not a .npy file: it starts with %q, not %q", ErrFormat, pre[:6], magic)
	}
	var hlen int64
	switch major := pre[6]; major {
	case 1:
		hlen = int64(binary.LittleEndian.Uint16(pre[8:]))
	case 2, 3:
		plen = 12
		if size < int64(plen) {
			return nil, fmt.Errorf("%w: truncated header: the file has %d bytes, a version %d preamble takes %d", ErrFormat, size, major, plen)
		}
		if _, err := io.ReadFull(r, pre[10:12]); err != nil {
			return nil, fmt.Errorf("%w: truncated header: %v", ErrFormat, err)
		}
		hlen = int64(binary.LittleEndian.Uint32(pre[8:]))
		// Version 3 differs from 2 only in an UTF-8 header (structured
		// dtypes' field names), which npyio does not know: it is read as 2.
		pre[6] = 2
	default:
		return nil, fmt.Errorf("%w: unsupported .npy version %d.%d", ErrFormat, major, pre[7])
	}
	if int64(plen)+hlen > size {
		return nil, fmt.Errorf("%w: truncated header: the preamble declares a %d-byte header after its %d bytes, the file has %d in all", ErrFormat, hlen, plen, size)
	}
	if hlen > maxHeaderLen {
		return nil, fmt.Errorf("%w: a %d-byte header is too long (at most %d)", ErrFormat, hlen, maxHeaderLen)
	}
	hdr := make([]byte, hlen)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, fmt.Errorf("%w: truncated header: %v", ErrFormat, err)
	}
	if bytes.IndexByte(hdr, '\n') < 0 {
		return nil, fmt.Errorf("%w: header %q does not end with a newline", ErrFormat, hdr)
	}
	// npyio panics on some malformed dictionaries (one without its closing
	// brace, for one); turn that into an error at this boundary.
	defer func() {
		if p := recover(); p != nil {
			h, err = nil, fmt.Errorf("%w: bad header %q: %v", ErrFormat, hdr, p)
		}
	}()
	rd, err := npy.NewReader(io.MultiReader(bytes.NewReader(pre[:plen]), bytes.NewReader(hdr)))
	if err != nil {
		return nil, fmt.Errorf("%w: bad header %q: %v", ErrFormat, hdr, err)
	}
	d := rd.Header.Descr
	h = &npyHeader{shape: append([]int{}, d.Shape...), n: 1, dtype: strings.Trim(d.Type, "'\" "), hdrSize: int64(plen) + hlen}
	for _, k := range d.Shape {
		if k < 0 || (k > 0 && h.n > maxElems/k) {
			return nil, fmt.Errorf("%w: bad shape %v", ErrFormat, d.Shape)
		}
		h.n *= k
	}
	var big bool
	if h.kind, h.itemsize, big, err = parseDtype(d.Type); err != nil {
		return nil, err
	}
	h.swap = h.itemsize > 1 && big != nativeBigEndian
	h.fortran = d.Fortran && len(d.Shape) > 1
	if err := h.checkSize(size); err != nil {
		return nil, err
	}
	return h, nil
}

// nativeBigEndian says whether this machine is big-endian.
var nativeBigEndian = binary.NativeEndian.Uint16([]byte{0, 1}) == 1

// parseDtype splits a numpy type string such as "<f4" into its kind, item
// size and byte order: big is false for "<", true for ">", and that of the
// machine for "=", "|" (one-byte types) and no order.
func parseDtype(t string) (kind byte, size int, big bool, err error) {
	s := strings.Trim(t, "'\" ")
	big = nativeBigEndian
	if s != "" {
		switch s[0] {
		case '<':
			big, s = false, s[1:]
		case '>':
			big, s = true, s[1:]
		case '|', '=':
			s = s[1:]
		}
	}
	bad := fmt.Errorf("%w: unsupported dtype %q (want a float, integer or bool array)", ErrFormat, t)
	if len(s) < 2 {
		return 0, 0, false, bad
	}
	size, err = strconv.Atoi(s[1:])
	if err != nil {
		return 0, 0, false, bad
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
		return 0, 0, false, bad
	}
	return kind, size, big, nil
}

// readChunk is the number of values converted at a time from a buffer.
const readChunk = 1 << 16

// readData reads the h.n values that follow the header into dst, converting
// them to float32 and, for column-major data, reordering them. Native-order
// float32 data in row-major order is read straight into dst, in one read;
// other data through a buffer of readChunk values.
func (h *npyHeader) readData(r io.Reader, dst []float32) error {
	if len(dst) == 0 {
		return nil
	}
	if h.kind == 'f' && h.itemsize == 4 && !h.fortran {
		raw := asBytes(dst)
		if _, err := io.ReadFull(r, raw); err != nil {
			return fmt.Errorf("%w: reading the data: %v", ErrFormat, err)
		}
		if h.swap {
			swapBytes(raw, 4)
		}
		return nil
	}
	// A []uint64 buffer keeps the views of any item size aligned.
	buf := asBytes(make([]uint64, readChunk*h.itemsize/8+1))[:readChunk*h.itemsize]
	var tmp []float32
	var cur *fortranCursor
	if h.fortran {
		tmp = make([]float32, readChunk)
		cur = newFortranCursor(h.shape)
	}
	for off := 0; off < len(dst); off += readChunk {
		m := min(readChunk, len(dst)-off)
		raw := buf[:m*h.itemsize]
		if _, err := io.ReadFull(r, raw); err != nil {
			return fmt.Errorf("%w: reading the data: %v", ErrFormat, err)
		}
		if h.swap {
			swapBytes(raw, h.itemsize)
		}
		if cur == nil {
			decodeValues(dst[off:off+m], raw, h.kind, h.itemsize)
			continue
		}
		decodeValues(tmp[:m], raw, h.kind, h.itemsize)
		cur.scatter(dst, tmp[:m])
	}
	return nil
}

// asBytes returns the memory of s as bytes.
func asBytes[T any](s []T) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(*new(T))))
}

// view returns the bytes b, aligned for T, as values of T.
func view[T any](b []byte) []T {
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/int(unsafe.Sizeof(*new(T))))
}

// swapBytes reverses the byte order of each size-byte item of b, aligned
// for its size.
func swapBytes(b []byte, size int) {
	switch size {
	case 2:
		s := view[uint16](b)
		for i, v := range s {
			s[i] = bits.ReverseBytes16(v)
		}
	case 4:
		s := view[uint32](b)
		for i, v := range s {
			s[i] = bits.ReverseBytes32(v)
		}
	case 8:
		s := view[uint64](b)
		for i, v := range s {
			s[i] = bits.ReverseBytes64(v)
		}
	}
}

type number interface {
	~float32 | ~float64 | ~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// decodeValues converts the native-order values in raw, of the given kind
// and item size (a supported dtype), to dst.
func decodeValues(dst []float32, raw []byte, kind byte, size int) {
	switch {
	case kind == 'f' && size == 4:
		copy(dst, view[float32](raw))
	case kind == 'f' && size == 8:
		convert(dst, view[float64](raw))
	case kind == 'i' && size == 1:
		convert(dst, view[int8](raw))
	case kind == 'i' && size == 2:
		convert(dst, view[int16](raw))
	case kind == 'i' && size == 4:
		convert(dst, view[int32](raw))
	case kind == 'i' && size == 8:
		convert(dst, view[int64](raw))
	case kind == 'u' && size == 1:
		convert(dst, raw)
	case kind == 'u' && size == 2:
		convert(dst, view[uint16](raw))
	case kind == 'u' && size == 4:
		convert(dst, view[uint32](raw))
	case kind == 'u' && size == 8:
		convert(dst, view[uint64](raw))
	case kind == 'b':
		for i, v := range raw {
			dst[i] = 0
			if v != 0 {
				dst[i] = 1
			}
		}
	default:
		panic("data: unsupported dtype")
	}
}

func convert[T number](dst []float32, src []T) {
	for i, v := range src {
		dst[i] = float32(v)
	}
}

// fortranCursor walks a row-major array in column-major order: the first
// index varies fastest.
type fortranCursor struct {
	shape, idx, stride []int // stride: row-major strides
	off                int
}

func newFortranCursor(shape []int) *fortranCursor {
	c := &fortranCursor{shape: shape, idx: make([]int, len(shape)), stride: make([]int, len(shape))}
	s := 1
	for d := len(shape) - 1; d >= 0; d-- {
		c.stride[d] = s
		s *= shape[d]
	}
	return c
}

// scatter stores the next len(src) values of the column-major order in
// their row-major places in dst.
func (c *fortranCursor) scatter(dst, src []float32) {
	for _, v := range src {
		dst[c.off] = v
		for d := range c.idx {
			c.idx[d]++
			c.off += c.stride[d]
			if c.idx[d] < c.shape[d] {
				break
			}
			c.off -= c.idx[d] * c.stride[d]
			c.idx[d] = 0
		}
	}
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
