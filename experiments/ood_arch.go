package experiments

import "subsetscan/nn"

// Classifier6Arch is the MNIST classifier (nn.ClassifierArch) with a 6-way
// softmax head: the classifier of kind ood, trained on six known digits
// (0–5 in configs/ood-mnist.yaml) and blind to the others. It is
// registered as "classifier6", with the classifier's recipe (Adam,
// categorical cross-entropy) on 6 classes.
var Classifier6Arch = classifierArch("mnist_cnn6", 6)

// classifierArch returns nn.ClassifierArch with a k-way output layer.
func classifierArch(name string, k int) nn.Arch {
	a, err := nn.ArchByName("classifier")
	if err != nil {
		panic(err)
	}
	a.Name = name
	a.Layers[len(a.Layers)-1].Units = k
	return a
}

func init() {
	nn.RegisterArch("classifier6", Classifier6Arch)
	r, err := nn.RecipeFor("classifier")
	if err != nil {
		panic(err)
	}
	r.Classes = 6
	r.Epochs = 3
	nn.RegisterRecipe("classifier6", r)
}
