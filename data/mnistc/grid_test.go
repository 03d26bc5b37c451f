package mnistc

import (
	"bytes"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

var gridOut = flag.String("grid", "", "also write the contact sheet of the first test digit to this PNG file")

func TestWriteGrid(t *testing.T) {
	digit := testDigits(t, 1).Row(0)
	path := filepath.Join(t.TempDir(), "grid.png")
	if *gridOut != "" {
		path = *gridOut
	}
	if err := WriteGrid(path, digit, 4, 1); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b := img.Bounds()
	if want := gridHeader + len(registry)*gridStride; b.Dy() != want {
		t.Errorf("height %d, want %d", b.Dy(), want)
	}
	if want := gridLabel + 5*gridStride; b.Dx() != want {
		t.Errorf("width %d, want %d", b.Dx(), want)
	}
	if err := WriteGrid(path, digit[:10], 4, 1); err == nil {
		t.Error("a 10-pixel image: no error")
	}
}
