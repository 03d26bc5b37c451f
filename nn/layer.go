package nn

import (
	"fmt"
	"math/rand/v2"
)

// layer is one layer kind's behaviour, resolved by the kind's constructor
// for the layer's spec and input shapes. Buffers are per sample and
// flattened row-major over the shapes. A layer's methods may be called
// from several goroutines at once (one sample each): they only read the
// layer, and write what they are given.
type layer interface {
	// outShape returns the shape of one sample's output (no batch axis).
	outShape() []int
	// params returns the trainable arrays, nil for none, in the order
	// that weight files and optimizers see them. Their data aliases the
	// layer's.
	params() []param
	// init sets the params to their initial values, drawing from rng in
	// a fixed order (Keras' defaults: Glorot-uniform kernels, zero biases).
	init(rng *rand.Rand)
	// needs returns the sizes of the buffers the layer needs.
	needs() needs
	// forward computes one sample's output out from its inputs in (one
	// per input of the layer). When train is true it also records in
	// rec what backward needs; otherwise it may take a faster path, which
	// must give the same values bit for bit. s is scratch shared by all
	// layers.
	forward(out []float32, in [][]float32, rec, s [][]float32, train bool)
	// backward computes, from gout, the gradient w.r.t. out, and from
	// the out, in and rec of a training forward pass, the gradient w.r.t.
	// each input in[j] into gin[j], overwriting it, unless gin[j] is nil;
	// when pg is not nil it adds the gradients w.r.t. the params to
	// pg[k] (shaped like params()[k]). gout, out and in are not changed.
	backward(gin [][]float32, gout, out []float32, in [][]float32, rec, pg, s [][]float32)
}

// activated is a layer whose output is an activation function of a
// pre-activation output (Conv2D, Dense): the logits of a classifier.
type activated interface {
	layer
	// activation returns the activation function.
	activation() activation
	// preActivation returns the pre-activation output that a training
	// forward pass recorded in rec.
	preActivation(rec [][]float32) []float32
	// backwardPre is backward given gp, the gradient w.r.t. the
	// pre-activation output instead of the output.
	backwardPre(gin [][]float32, gp []float32, in [][]float32, rec, pg, s [][]float32)
}

// needs lists the sizes (in float32 values) of the buffers a layer needs
// for one sample: record[k] is kept from forward to backward (one set per
// layer), forward[k] and backward[k] are scratch for the passes, shared by
// all the layers of a model (each index k is allocated once, at the
// largest size any layer asks for it).
type needs struct {
	record, forward, backward []int
}

// param is one trainable array of a layer.
type param struct {
	name  string // the Keras name within the layer: "kernel" or "bias"
	shape []int  // Keras layout
	data  []float32
}

// constructor returns a layer of one kind for the spec and the shapes of
// its inputs, or an error saying what in the spec or the shapes does not
// fit; the caller adds the architecture, layer name, kind and shapes.
type constructor func(spec LayerSpec, in [][]int) (layer, error)

var kinds = map[string]constructor{}

// register makes a layer kind available to architectures under the name
// kind (the LayerSpec.Kind). It is meant to be called from an init
// function of the file that implements the kind, and panics if kind is
// empty or already registered, or if newLayer is nil.
func register(kind string, newLayer constructor) {
	if kind == "" || newLayer == nil {
		panic("nn: register: empty layer kind or nil constructor")
	}
	if _, dup := kinds[kind]; dup {
		panic(fmt.Sprintf("nn: register: layer kind %q registered twice", kind))
	}
	kinds[kind] = newLayer
}

// LayerKinds returns the registered layer kinds, sorted.
func LayerKinds() []string { return sortedKeys(kinds) }

// size returns the number of values of the shape.
func size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// oneInput returns the shape of a layer's only input.
func oneInput(in [][]int) ([]int, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("takes one input, got %d", len(in))
	}
	return in[0], nil
}

// imageInput returns the shape [height, width, channels] of a layer's only
// input, which must be an image.
func imageInput(in [][]int) ([]int, error) {
	s, err := oneInput(in)
	if err != nil {
		return nil, err
	}
	if len(s) != 3 {
		return nil, fmt.Errorf("needs an image input [height width channels]")
	}
	return s, nil
}

// parsePadding reports whether padding is "same" (true) or "valid" or empty
// (false).
func parsePadding(padding string) (same bool, err error) {
	switch padding {
	case "same":
		return true, nil
	case "", "valid":
		return false, nil
	}
	return false, fmt.Errorf("unknown padding %q", padding)
}
