package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Ink-mass subgroups: the subgroups of MNIST-like images that kind ood's
// fairness breakdown reports and that `subsetscan train -thin-group` thins.
// The ink mass of an image is the sum of its pixel values (a proxy of stroke
// thickness); k subgroups are the bins cut by the k−1 inner quantile edges
// of a reference set of images (QuantileEdges), and an image's subgroup is
// InkGroup(edges, its ink mass), 0 (lightest) to k−1.

// InkMass returns the sum of the pixel values of each image.
func InkMass(x *Array) []float64 {
	out := make([]float64, x.Len())
	for i := range out {
		for _, v := range x.Row(i) {
			out[i] += float64(v)
		}
	}
	return out
}

// QuantileEdges returns the k−1 inner edges cutting v into k bins of
// (nearly) equal counts: the values of rank ⌈j·n/k⌉ of the sorted v.
func QuantileEdges(v []float64, k int) []float64 {
	s := slices.Sorted(slices.Values(v))
	edges := make([]float64, k-1)
	for j := range edges {
		edges[j] = s[int(math.Ceil(float64((j+1)*len(s))/float64(k)))-1]
	}
	return edges
}

// InkGroup returns the index of the bin of v: the number of edges below v.
func InkGroup(edges []float64, v float64) int {
	n := 0
	for _, e := range edges {
		if v > e {
			n++
		}
	}
	return n
}

// ThinInkGroup returns the indices, ascending, of the images of x kept when
// the ink-mass subgroup g (0-based) of k, with edges the quantiles of x
// itself, keeps only round(frac·n) of its n images, drawn at random
// (deterministically from seed); every image of the other subgroups is
// kept. It also returns the number of images of subgroup g before and
// after.
func ThinInkGroup(x *Array, k, g int, frac float64, seed uint64) (idx []int, before, after int, err error) {
	if k < 2 || g < 0 || g >= k || frac < 0 || frac > 1 || x.Len() < k {
		return nil, 0, 0, fmt.Errorf("data: thinning ink subgroup %d of %d to a fraction %g of %d images", g, k, frac, x.Len())
	}
	ink := InkMass(x)
	edges := QuantileEdges(ink, k)
	var members []int
	for i, v := range ink {
		if InkGroup(edges, v) == g {
			members = append(members, i)
		} else {
			idx = append(idx, i)
		}
	}
	r := rand.New(rand.NewPCG(seed, 0x696e6b))
	r.Shuffle(len(members), func(i, j int) { members[i], members[j] = members[j], members[i] })
	n := int(math.Round(frac * float64(len(members))))
	idx = append(idx, members[:n]...)
	slices.Sort(idx)
	return idx, len(members), n, nil
}

// Stroke-thickness domains, the attribute that the attribute-editing GAN of
// issue 10 edits (nn/gan's StarGAN): ink mass measures stroke thickness
// only within one digit class (a 1 holds less ink than an 8 of the same
// stroke), so an image's domain is its ink-mass bin among the reference
// images of its own class. With k = 2, domain 0 is "thin" (ink mass at or
// below its class's median) and 1 "thick". The rule needs only the image
// and its class, so it scores edited images as it labels real ones.

// ClassInkEdges returns, for each class c in [0, classes), the k−1 inner
// quantile edges (QuantileEdges) of the ink masses of the images of x
// labelled c. It is an error if a label is outside [0, classes), if labels
// and x differ in length, or if a class has fewer than k images.
func ClassInkEdges(x *Array, labels []int, classes, k int) ([][]float64, error) {
	if len(labels) != x.Len() || k < 2 {
		return nil, fmt.Errorf("data: ink edges of %d images with %d labels in %d bins", x.Len(), len(labels), k)
	}
	ink := InkMass(x)
	byClass := make([][]float64, classes)
	for i, c := range labels {
		if c < 0 || c >= classes {
			return nil, fmt.Errorf("data: ink edges: sample %d has label %d, want [0, %d)", i, c, classes)
		}
		byClass[c] = append(byClass[c], ink[i])
	}
	edges := make([][]float64, classes)
	for c, v := range byClass {
		if len(v) < k {
			return nil, fmt.Errorf("data: ink edges: class %d has %d images for %d bins", c, len(v), k)
		}
		edges[c] = QuantileEdges(v, k)
	}
	return edges, nil
}

// ClassInkGroups returns the ink-mass bin of each image of x among the
// images of its class: InkGroup(edges[labels[i]], InkMass of image i),
// with edges from ClassInkEdges. It is an error if labels and x differ in
// length or a label has no edges.
func ClassInkGroups(x *Array, labels []int, edges [][]float64) ([]int, error) {
	if len(labels) != x.Len() {
		return nil, fmt.Errorf("data: ink groups of %d images with %d labels", x.Len(), len(labels))
	}
	groups := make([]int, x.Len())
	for i, v := range InkMass(x) {
		c := labels[i]
		if c < 0 || c >= len(edges) {
			return nil, fmt.Errorf("data: ink groups: sample %d has label %d, edges for [0, %d)", i, c, len(edges))
		}
		groups[i] = InkGroup(edges[c], v)
	}
	return groups, nil
}
