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
