package mem_test

import (
	"slices"
	"testing"
	"unsafe"

	"subsetscan/internal/mem"
)

// Populate leaves the values as they were, at any alignment and size.
func TestPopulateKeepsValues(t *testing.T) {
	for _, n := range []int{0, 100, 1 << 18, 1<<18 + 3, 3 << 20} {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(i)
		}
		want := slices.Clone(s)
		for _, off := range []int{0, 1, 1023} {
			if off > len(s) {
				continue
			}
			mem.Populate(s[off:])
		}
		if !slices.Equal(s, want) {
			t.Errorf("n=%d: values changed", n)
		}
	}
	b := make([]byte, 2<<20)
	b[5] = 7
	mem.Populate(b[1:]) // not aligned to a page nor to 8 bytes
	if b[5] != 7 || unsafe.Sizeof(b[0]) != 1 {
		t.Errorf("values changed")
	}
}
