package nn_test

import (
	"fmt"
	"strings"
	"testing"

	"subsetscan/data"
	"subsetscan/nn"
)

func TestRecipeFor(t *testing.T) {
	tests := []struct {
		arch      string
		loss      nn.Loss
		optimizer string
		classes   int
	}{
		{"autoencoder", nn.BinaryCrossEntropy, "*nn.Adadelta", 0},
		{"classifier", nn.CategoricalCrossEntropy, "*nn.Adam", 10},
	}
	x := &data.Array{Shape: []int{2, 1}, Data: []float32{0.25, 0.5}}
	for _, tc := range tests {
		r, err := nn.RecipeFor(tc.arch)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%T", r.NewOptimizer()); r.Loss != tc.loss || got != tc.optimizer || r.Classes != tc.classes {
			t.Errorf("%s: loss %v, optimizer %s, %d classes", tc.arch, r.Loss, got, r.Classes)
		}
		if r.NewOptimizer() == r.NewOptimizer() {
			t.Errorf("%s: NewOptimizer returns the same optimizer twice", tc.arch)
		}
		y, err := r.Targets(x, []int{3, 9})
		if err != nil {
			t.Fatal(err)
		}
		if tc.classes == 0 && y != x {
			t.Errorf("%s: targets are not the images", tc.arch)
		}
		if tc.classes > 0 && (y.Shape[1] != tc.classes || y.Data[3] != 1 || y.Data[tc.classes+9] != 1) {
			t.Errorf("%s: targets %v are not one-hot labels 3 and 9", tc.arch, y)
		}
	}
	if _, err := nn.RecipeFor("vae"); err == nil || !strings.Contains(err.Error(), `"vae"`) {
		t.Errorf("unknown architecture: got %v", err)
	}
	r, _ := nn.RecipeFor("classifier")
	if _, err := r.Targets(x, []int{3, 10}); err == nil || !strings.Contains(err.Error(), "sample 1") {
		t.Errorf("label 10 of 10 classes: got %v", err)
	}
	if _, err := r.Targets(x, []int{3}); err == nil {
		t.Error("1 label for 2 images: no error")
	}
}

// ExampleRecipeFor shows how this project trains its autoencoder.
func ExampleRecipeFor() {
	r, err := nn.RecipeFor("autoencoder")
	if err != nil {
		panic(err)
	}
	fmt.Printf("%v with %T, default %d epochs\n", r.Loss, r.NewOptimizer(), r.Epochs)
	// Output: binary_crossentropy with *nn.Adadelta, default 50 epochs
}
