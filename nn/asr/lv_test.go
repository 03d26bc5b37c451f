package asr_test

import (
	"slices"
	"testing"

	"subsetscan/nn"
	"subsetscan/nn/asr"
)

// TestLVArch checks the shapes of lv-fsdd's scanned layers (time ×
// frequency × channels, as the experiment's config lists them) and that
// its logits keep DSArch's frames, so that Frames and Decode apply.
func TestLVArch(t *testing.T) {
	arch, err := nn.ArchByName("lv-fsdd")
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.New(arch)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{
		"conv2d_1": {179, 40, 32},
		"conv2d_2": {179, 20, 32},
		"conv2d_3": {179, 10, 32},
		"conv2d_4": {179, 5, 32},
		"logits":   {179, asr.Classes},
	}
	for _, name := range append(slices.Clone(asr.LVScannedLayers), "logits") {
		got, ok := m.OutputShape(name)
		if !ok || !slices.Equal(got, want[name]) {
			t.Errorf("layer %s: shape %v, want %v", name, got, want[name])
		}
	}
	ds, err := nn.New(asr.DSArch)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := m.Arch.Layers[0], ds.Arch.Layers[0]; a.Mel != b.Mel {
		t.Errorf("front end %+v, ds-fsdd's %+v", a.Mel, b.Mel)
	}
}
