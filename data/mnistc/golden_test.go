package mnistc

import (
	"flag"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"subsetscan/data"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenTol is the largest difference allowed from the golden values: the
// corruptions compute in float64 and round to float32 once, so only fused
// multiply-adds on other architectures could move a value, by far less.
const goldenTol = 1e-5

// TestGolden compares the 15 corruptions of the first MNIST test digit (a
// 7), with seed 1, to testdata/seed1.npy: a [16, 28, 28] array holding the
// clean digit then the corruptions in the order of Names, as Apply makes
// them. Run with -update to rewrite it after an intended change; on a
// mismatch the output is written to testdata/seed1.npy.got.
func TestGolden(t *testing.T) {
	digit := testDigits(t, 1)
	got := data.NewArray(1+len(registry), Side, Side)
	copy(got.Row(0), digit.Row(0))
	for k, name := range Names() {
		out, err := Apply(name, digit, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		copy(got.Row(k+1), out.Data)
	}
	path := filepath.Join("testdata", "seed1.npy")
	if *update {
		if err := data.WriteNPY(path, got); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := data.ReadNPY(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(want.Shape, got.Shape) {
		t.Fatalf("golden shape %v, want %v", want.Shape, got.Shape)
	}
	bad := false
	for k := range got.Len() {
		name := "clean"
		if k > 0 {
			name = registry[k-1].name
		}
		if n := countDiff(got.Row(k), want.Row(k)); n > 0 {
			t.Errorf("%s: %d pixels differ from the golden file by more than %g", name, n, goldenTol)
			bad = true
		}
	}
	if bad {
		gotPath := filepath.Join("testdata", "seed1.npy.got")
		if err := data.WriteNPY(gotPath, got); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s; run with -update if the change is intended", gotPath)
	}
}

func countDiff(a, b []float32) int {
	n := 0
	for i := range a {
		if !(math.Abs(float64(a[i]-b[i])) <= goldenTol) {
			n++
		}
	}
	return n
}
