package data

import (
	"slices"
	"testing"
)

// TestClassInkDomains checks the per-class thin/thick rule on constructed
// 2×2 images: class 0's images hold 1 to 4 lit pixels, class 1's 2 to 4
// pixels at 0.5 (ink 1 to 2), so a stroke thick for class 1 may be thin
// for class 0; the medians (rank ⌈n/2⌉) are 2 and 1.5 (see QuantileEdges).
func TestClassInkDomains(t *testing.T) {
	img := func(lit int, v float32) []float32 {
		p := make([]float32, 4)
		for i := range lit {
			p[i] = v
		}
		return p
	}
	var pix []float32
	for _, im := range [][]float32{img(1, 1), img(2, 1), img(3, 1), img(4, 1), img(2, .5), img(3, .5), img(4, .5)} {
		pix = append(pix, im...)
	}
	x := &Array{Shape: []int{7, 2, 2, 1}, Data: pix}
	labels := []int{0, 0, 0, 0, 1, 1, 1}
	edges, err := ClassInkEdges(x, labels, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(edges[0], []float64{2}) || !slices.Equal(edges[1], []float64{1.5}) {
		t.Fatalf("edges %v, want [[2] [1.5]]", edges)
	}
	got, err := ClassInkGroups(x, labels, edges)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{0, 0, 1, 1, 0, 0, 1}; !slices.Equal(got, want) {
		t.Errorf("domains %v, want %v", got, want)
	}
	// Relabelled as class 0, the thickest class-1 image (ink 2) is thin.
	if got, _ := ClassInkGroups(x.Slice(6, 7), []int{0}, edges); got[0] != 0 {
		t.Errorf("ink 2 in class 0: domain %d, want 0 (thin)", got[0])
	}
	for name, f := range map[string]func() error{
		"label out of range":  func() error { _, err := ClassInkEdges(x, []int{0, 0, 0, 0, 1, 1, 2}, 2, 2); return err },
		"class with 1 image":  func() error { _, err := ClassInkEdges(x, []int{0, 0, 0, 0, 0, 0, 1}, 2, 2); return err },
		"labels too short":    func() error { _, err := ClassInkEdges(x, labels[:3], 2, 2); return err },
		"groups: no edges":    func() error { _, err := ClassInkGroups(x, []int{0, 0, 0, 0, 1, 1, 5}, edges); return err },
		"groups: short label": func() error { _, err := ClassInkGroups(x, labels[:2], edges); return err },
	} {
		if f() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
