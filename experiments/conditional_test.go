package experiments

import (
	"strings"
	"testing"

	"subsetscan/data"
	"subsetscan/scan"
)

// TestConditionalPValues checks that conditional scans compare each image
// with the background images of its own class only: class 0's background
// holds small values and class 1's large ones, so a middling value is
// extreme for class 0 and ordinary for class 1.
func TestConditionalPValues(t *testing.T) {
	bg := &data.Array{Shape: []int{6, 1}, Data: []float32{0, 1, 2, 10, 11, 12}}
	bgLabels := []int{0, 0, 0, 1, 1, 1}
	eval := &data.Array{Shape: []int{2, 1}, Data: []float32{5, 5}}
	evalLabels := []int{0, 1}
	im := &Images{bgLabels: bgLabels, evalLabels: evalLabels}
	r, err := im.pvalues(bg, eval, scan.Upper, 1, new(pvalueBuffers))
	if err != nil {
		t.Fatal(err)
	}
	// Against its class's 3 values: class 0 has none ≥ 5, pmax = 1/4;
	// class 1 has 3, pmax = 4/4.
	if got0, got1 := r.Max[0], r.Max[1]; got0 != 0.25 || got1 != 1 {
		t.Errorf("conditional pmax %v and %v, want 0.25 and 1", got0, got1)
	}
	// Unconditionally both compare with all 6 values: pmax = 4/7.
	r, err = (&Images{}).pvalues(bg, eval, scan.Upper, 1, new(pvalueBuffers))
	if err != nil {
		t.Fatal(err)
	}
	if got0, got1 := r.Max[0], r.Max[1]; got0 != 4.0/7 || got1 != 4.0/7 {
		t.Errorf("unconditional pmax %v and %v, want 4/7", got0, got1)
	}
}

func TestCheckClasses(t *testing.T) {
	bgLabels := []int{0, 0, 1, 1, 1, 2}
	samples := map[string]int{"clean": 2, "fgsm": 2, "bim": 3}
	sets := []string{"fgsm", "bim"}
	tests := []struct {
		name   string
		labels []int
		msg    string
	}{
		{"all present", []int{0, 1, 1, 0, 0, 1, 1}, ""},
		{"clean image of a class with 1 background image", []int{0, 2, 1, 0, 0, 1, 1}, "image 1 of set clean has class 2, which has 1 background images"},
		{"set image of an absent class", []int{0, 1, 1, 0, 0, 9, 1}, "image 1 of set bim has class 9, which has 0 background images in dataset.background [0, 6)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			im := &Images{Sets: sets, Samples: samples, bgLabels: bgLabels, evalLabels: tc.labels}
			err := im.checkClasses([2]int{0, 6})
			if tc.msg == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), "conditional p-values") {
				t.Errorf("got %v, want %q", err, tc.msg)
			}
		})
	}
}
