package nn

import (
	"fmt"

	"subsetscan/data"
)

// Recipe is how this project trains a built-in architecture: the loss, the
// optimizer and the targets, the authors' choices. The command line's
// train subcommand and the experiments' train settings share it.
type Recipe struct {
	Loss Loss
	// NewOptimizer returns a fresh optimizer (an Optimizer holds state and
	// serves one model).
	NewOptimizer func() Optimizer
	// Epochs is the default number of epochs.
	Epochs int
	// Classes is the number of classes of a classifier, whose targets are
	// one-hot labels; 0 means the targets are the inputs themselves (an
	// autoencoder).
	Classes int
}

var recipes = map[string]Recipe{}

func init() {
	// The Keras blog's convolutional autoencoder, as the authors trained
	// it: Adadelta (lr 1.0), binary cross-entropy, 50 epochs of batch 128.
	RegisterRecipe("autoencoder", Recipe{Loss: BinaryCrossEntropy, NewOptimizer: func() Optimizer { return NewAdadelta() }, Epochs: 50})
	// The classifier: Adam (lr 0.001), categorical cross-entropy.
	RegisterRecipe("classifier", Recipe{Loss: CategoricalCrossEntropy, NewOptimizer: func() Optimizer { return NewAdam() }, Epochs: 12, Classes: 10})
}

// RegisterRecipe makes r the training recipe of the architecture
// registered (by RegisterArch) as name. It is meant for init functions,
// and panics if name is empty or already has a recipe, or if
// r.NewOptimizer is nil.
func RegisterRecipe(name string, r Recipe) {
	if name == "" || r.NewOptimizer == nil {
		panic("nn: RegisterRecipe: empty name or nil NewOptimizer")
	}
	if _, dup := recipes[name]; dup {
		panic(fmt.Sprintf("nn: RegisterRecipe: recipe %q registered twice", name))
	}
	recipes[name] = r
}

// RecipeFor returns the training recipe of the architecture registered as
// name: for "autoencoder", Adadelta with binary cross-entropy on the images
// themselves; for "classifier", Adam with categorical cross-entropy on
// one-hot labels of 10 classes. A name without a recipe is an error
// listing the names that have one.
func RecipeFor(name string) (Recipe, error) {
	r, ok := recipes[name]
	if !ok {
		return Recipe{}, fmt.Errorf("nn: no training recipe for architecture %q (known: %v)", name, sortedKeys(recipes))
	}
	return r, nil
}

// Targets returns the training targets of the images x with their labels:
// x itself for an autoencoder (labels unused), one-hot labels of
// r.Classes classes for a classifier. A label outside [0, Classes) is an
// error naming the sample.
func (r Recipe) Targets(x *data.Array, labels []int) (*data.Array, error) {
	if r.Classes == 0 {
		return x, nil
	}
	if len(labels) != x.Len() {
		return nil, fmt.Errorf("nn: %d labels for %d images", len(labels), x.Len())
	}
	return OneHot(labels, r.Classes)
}
