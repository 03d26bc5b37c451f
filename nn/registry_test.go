package nn

import (
	"slices"
	"strings"
	"testing"
)

// panics reports whether fn panics.
func panics(fn func()) (panicked bool) {
	defer func() { panicked = recover() != nil }()
	fn()
	return false
}

func TestRegisterPanics(t *testing.T) {
	tests := []struct {
		name string
		fn   func()
	}{
		{"empty kind", func() { register("", newFlatten) }},
		{"nil constructor", func() { register("nothing", nil) }},
		{"duplicate kind", func() { register(Conv2D, newConv2D) }},
		{"empty arch", func() { RegisterArch("", ClassifierArch) }},
		{"duplicate arch", func() { RegisterArch("classifier", ClassifierArch) }},
		{"empty recipe", func() { RegisterRecipe("", Recipe{NewOptimizer: func() Optimizer { return NewAdam() }}) }},
		{"nil optimizer", func() { RegisterRecipe("x", Recipe{}) }},
		{"duplicate recipe", func() { RegisterRecipe("autoencoder", Recipe{NewOptimizer: func() Optimizer { return NewAdam() }}) }},
	}
	for _, tc := range tests {
		if !panics(tc.fn) {
			t.Errorf("%s: no panic", tc.name)
		}
	}
	if _, ok := kinds["nothing"]; ok {
		t.Error("a nil constructor was registered")
	}
}

func TestArchRegistry(t *testing.T) {
	if got := ArchNames(); !slices.Equal(got, []string{"autoencoder", "classifier"}) {
		t.Errorf("ArchNames() = %v", got)
	}
	a, err := ArchByName("classifier")
	if err != nil {
		t.Fatal(err)
	}
	a.Input[0] = 5
	a.Layers[0].Filters = 1
	b, _ := ArchByName("classifier")
	if b.Input[0] != 28 || b.Layers[0].Filters != 32 {
		t.Errorf("changing a returned architecture changed the registry: %v, %+v", b.Input, b.Layers[0])
	}
	if _, err := ArchByName("vae"); err == nil || !strings.Contains(err.Error(), "autoencoder classifier") {
		t.Errorf("unknown architecture: got %v", err)
	}
}

// TestStepPanics checks that Step refuses gradients that do not match the
// params.
func TestStepPanics(t *testing.T) {
	m, err := New(tinyAutoencoder())
	if err != nil {
		t.Fatal(err)
	}
	_, g := m.newGrads()
	if !panics(func() { m.Step(NewAdam(), g[1:]) }) {
		t.Error("too few gradients: no panic")
	}
	g[0] = g[0][1:]
	if !panics(func() { m.Step(NewAdam(), g) }) {
		t.Error("a short gradient: no panic")
	}
}
