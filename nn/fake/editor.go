package fake

import (
	"fmt"
	"math/rand/v2"

	"subsetscan/data"
	"subsetscan/nn/gan"
)

// EditSource is the real images an attribute-editing generator edits for
// one role, with the domain (attribute class, in [0, k)) of each.
type EditSource struct {
	Images  *data.Array
	Domains []int
}

// EditFunc edits the images x towards the domains target, one per image
// (gan.Edit of a StarGAN generator, say).
type EditFunc func(x *data.Array, target []int, workers int) (*data.Array, error)

// Editor returns the generator of an attribute-editing model with k
// domains: for a role, n distinct images of sources[role] chosen by a PCG
// generator seeded with the seed, each edited to a domain other than its
// own, drawn uniformly from the same generator. So the training pool
// edits training images and the held-out sets edit held-out ones (the
// split's Eval part, say), as the caller chooses. Generate returns an
// error if the role has no sources, if n exceeds them, if their domains
// do not match the images or leave [0, k), or if edit fails. Editor
// panics if k < 2.
func Editor(name string, k int, edit EditFunc, sources map[Role]EditSource) Generator {
	if k < 2 {
		panic("fake: Editor: fewer than 2 domains")
	}
	return Generator{Name: name, Generate: func(role Role, seed uint64, n, workers int) (*data.Array, error) {
		src, ok := sources[role]
		if !ok || src.Images == nil {
			return nil, fmt.Errorf("no source images for role %d", role)
		}
		if len(src.Domains) != src.Images.Len() || n > src.Images.Len() {
			return nil, fmt.Errorf("%d fakes from %d source images with %d domains", n, src.Images.Len(), len(src.Domains))
		}
		rng := rand.New(rand.NewPCG(seed, 0x65646974)) // "edit"
		idx := rng.Perm(src.Images.Len())[:n]
		target := make([]int, n)
		for i, j := range idx {
			d := src.Domains[j]
			if d < 0 || d >= k {
				return nil, fmt.Errorf("source image %d: domain %d outside [0, %d)", j, d, k)
			}
			target[i] = (d + 1 + rng.IntN(k-1)) % k
		}
		return edit(src.Images.Gather(idx), target, workers)
	}}
}

// Clipped returns edit with its outputs clipped to [0, 1], the range of
// real pixels, which an editor whose output is its input plus a linear
// change (the StarGAN generator of nn/gan) can leave. NaN stays NaN (and
// Draw rejects it).
func Clipped(edit EditFunc) EditFunc {
	return func(x *data.Array, target []int, workers int) (*data.Array, error) {
		out, err := edit(x, target, workers)
		if err != nil {
			return nil, err
		}
		for i, v := range out.Data {
			if v < 0 {
				out.Data[i] = 0
			} else if v > 1 {
				out.Data[i] = 1
			}
		}
		return out, nil
	}
}

// StrokeSources returns what the StarGAN stroke editor edits for each
// role: the split's training images (training pool) and eval images
// (held-out fakes), with their stroke domains, thin or thick by ink mass
// against the median of their class in the MNIST training images train
// (labels trainLabels), the rule train-stargan trains with
// (gan.StrokeEdges). Its errors are data.ClassInkEdges' and
// data.ClassInkGroups'.
func StrokeSources(real Real, train *data.Array, trainLabels []int) (map[Role]EditSource, error) {
	edges, err := gan.StrokeEdges(train, trainLabels)
	if err != nil {
		return nil, err
	}
	sources := map[Role]EditSource{}
	for _, part := range []struct {
		role   Role
		x      *data.Array
		labels []int
	}{{Training, real.Train, real.Labels.Train}, {HeldOut, real.Eval, real.Labels.Eval}} {
		dom, err := data.ClassInkGroups(part.x, part.labels, edges)
		if err != nil {
			return nil, err
		}
		sources[part.role] = EditSource{Images: part.x, Domains: dom}
	}
	return sources, nil
}
