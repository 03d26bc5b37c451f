package data

import (
	"slices"
	"testing"
)

// inkImages returns n one-pixel images of ink mass 0, 1, …, n−1.
func inkImages(n int) *Array {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(i)
	}
	return &Array{Data: v, Shape: []int{n, 1}}
}

// TestThinInkGroup checks the counts kept, that the other subgroups are
// untouched, that the kept images belong to the thinned subgroup, and that
// the draw depends on the seed only.
func TestThinInkGroup(t *testing.T) {
	x := inkImages(400) // quartiles: 0–99, 100–199, 200–299, 300–399
	idx, before, after, err := ThinInkGroup(x, 4, 1, 0.05, 7)
	if err != nil {
		t.Fatal(err)
	}
	if before != 100 || after != 5 || len(idx) != 305 {
		t.Fatalf("before %d, after %d, kept %d; want 100, 5, 305", before, after, len(idx))
	}
	if !slices.IsSorted(idx) {
		t.Error("indices not ascending")
	}
	var thinned []int
	for _, i := range idx {
		if i >= 100 && i < 200 {
			thinned = append(thinned, i)
		}
	}
	if len(thinned) != 5 {
		t.Errorf("%d images of subgroup 1 kept, want 5", len(thinned))
	}
	again, _, _, _ := ThinInkGroup(x, 4, 1, 0.05, 7)
	if !slices.Equal(idx, again) {
		t.Error("same seed, different draw")
	}
	other, _, _, _ := ThinInkGroup(x, 4, 1, 0.05, 8)
	if slices.Equal(idx, other) {
		t.Error("seeds 7 and 8 drew the same images")
	}
	all, _, n, _ := ThinInkGroup(x, 4, 3, 1, 7)
	if len(all) != 400 || n != 100 {
		t.Errorf("keep 1: %d images, %d of the subgroup; want 400, 100", len(all), n)
	}
	for _, bad := range [][2]int{{1, 0}, {4, 4}, {4, -1}} {
		if _, _, _, err := ThinInkGroup(x, bad[0], bad[1], 0.5, 1); err == nil {
			t.Errorf("k %d, g %d: no error", bad[0], bad[1])
		}
	}
	if _, _, _, err := ThinInkGroup(x, 4, 0, 1.5, 1); err == nil {
		t.Error("frac 1.5: no error")
	}
}
