package asr_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"subsetscan/nn/asr"
)

// TestTargets checks that each target has its source's length, differs
// from it, is made of digits, that the draw repeats, that the first
// targets do not depend on how many follow, that the seed matters, and
// that all 10 digits and single-digit sources get targets.
func TestTargets(t *testing.T) {
	var src [][]int
	for i := range 200 {
		s := make([]int, 1+i%5)
		for j := range s {
			s[j] = (i + 3*j) % 10
		}
		src = append(src, s)
	}
	got, err := asr.Targets(src, 4)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for i, tg := range got {
		if len(tg) != len(src[i]) || slices.Equal(tg, src[i]) {
			t.Errorf("utterance %d: target %v for source %v", i, tg, src[i])
		}
		for _, d := range tg {
			if d < 0 || d > 9 {
				t.Errorf("utterance %d: target %v has a non-digit", i, tg)
			}
			seen[d] = true
		}
	}
	if len(seen) != 10 {
		t.Errorf("targets use %d of the 10 digits", len(seen))
	}
	again, _ := asr.Targets(src, 4)
	first, _ := asr.Targets(src[:50], 4)
	other, _ := asr.Targets(src, 5)
	if fmt.Sprint(again) != fmt.Sprint(got) || fmt.Sprint(first) != fmt.Sprint(got[:50]) {
		t.Error("the same seed gave other targets")
	}
	if fmt.Sprint(other) == fmt.Sprint(got) {
		t.Error("seeds 4 and 5 gave the same targets")
	}
}

func TestTargetsBad(t *testing.T) {
	for name, src := range map[string][][]int{
		"empty":     {{1, 2}, {}},
		"non-digit": {{1, 2}, {3, 10}},
	} {
		if _, err := asr.Targets(src, 1); err == nil {
			t.Errorf("%s: no error", name)
		} else if !strings.Contains(err.Error(), "utterance 1") {
			t.Errorf("%s: error %q does not name utterance 1", name, err)
		}
	}
}

// Targets draws, for each source string, another string of as many
// digits.
func ExampleTargets() {
	targets, err := asr.Targets([][]int{{3, 1, 4}, {1, 5}}, 9)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range targets {
		fmt.Println(len(t))
	}
	// Output:
	// 3
	// 2
}
