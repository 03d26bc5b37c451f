package fsdd

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
)

// Rest is the PoolSize.N of the pool that gets every recording the other
// pools do not.
const Rest = -1

// PoolSize names a pool of recordings and says how many it gets.
type PoolSize struct {
	Name string
	N    int // the number of recordings, or Rest
}

// Pool is a named set of recordings.
type Pool struct {
	Name  string
	Index []int // indices into the recordings given to Split, increasing
}

// Split deals the recordings recs into disjoint pools, in the order and of
// the sizes of sizes, by a rule that depends only on the recordings, sizes
// and the draws of rng:
//
//  1. The recordings are grouped into cells, one per speaker and digit,
//     the cells in the order of Open (speaker, then digit), each cell's
//     recordings by take.
//  2. Each cell, in that order, is shuffled by rng (rand.Rand.Shuffle).
//  3. The deal is made in rounds: round r takes the r-th recording of every
//     cell that has one, the cells in an order drawn by rng.Perm for that
//     round.
//  4. The pools take consecutive runs of the deal, in the order of sizes:
//     the first pool the first N recordings, the second the next, and so on.
//
// So no recording is in two pools, and each pool holds about the same
// number of recordings of every speaker and digit (its size over the
// number of cells, within two). The order of recs does not matter: the
// same recordings and draws give the same pools. At most one pool may have
// N = Rest: it gets len(recs) minus the other sizes. Without one, the
// recordings left after the last pool are in none.
//
// Split returns an error for a nil rng, a pool size below 0 other than Rest,
// two Rest pools, two pools of one name, sizes adding up to more than
// len(recs), or a recording (by file name) given twice.
func Split(recs []Recording, sizes []PoolSize, rng *rand.Rand) ([]Pool, error) {
	counts, err := poolCounts(len(recs), sizes, rng)
	if err != nil {
		return nil, err
	}
	deal, err := dealOrder(recs, rng)
	if err != nil {
		return nil, err
	}
	pools := make([]Pool, len(sizes))
	at := 0
	for i, s := range sizes {
		idx := slices.Clone(deal[at : at+counts[i]])
		slices.Sort(idx)
		pools[i] = Pool{Name: s.Name, Index: idx}
		at += counts[i]
	}
	return pools, nil
}

// poolCounts checks the arguments of Split and returns the number of
// recordings of each pool.
func poolCounts(n int, sizes []PoolSize, rng *rand.Rand) ([]int, error) {
	if rng == nil {
		return nil, errors.New("fsdd: Split: nil *rand.Rand")
	}
	counts := make([]int, len(sizes))
	rest, total := -1, 0
	for i, s := range sizes {
		switch {
		case slices.ContainsFunc(sizes[:i], func(p PoolSize) bool { return p.Name == s.Name }):
			return nil, fmt.Errorf("fsdd: Split: two pools named %q", s.Name)
		case s.N == Rest && rest >= 0:
			return nil, fmt.Errorf("fsdd: Split: pools %q and %q both take the rest", sizes[rest].Name, s.Name)
		case s.N == Rest:
			rest = i
		case s.N < 0:
			return nil, fmt.Errorf("fsdd: Split: pool %q of %d recordings", s.Name, s.N)
		default:
			counts[i] = s.N
			total += s.N
		}
	}
	if total > n {
		return nil, fmt.Errorf("fsdd: Split: pools of %d recordings in all, from %d", total, n)
	}
	if rest >= 0 {
		counts[rest] = n - total
	}
	return counts, nil
}

// dealOrder returns the indices of recs in the order of the deal of Split.
func dealOrder(recs []Recording, rng *rand.Rand) ([]int, error) {
	order := make([]int, len(recs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return compareRecordings(recs[a], recs[b]) })
	var cells [][]int
	for k, i := range order {
		if k > 0 && compareRecordings(recs[order[k-1]], recs[i]) == 0 {
			return nil, fmt.Errorf("fsdd: Split: recording %s given twice", recs[i].Name())
		}
		if k == 0 || recs[order[k-1]].Speaker != recs[i].Speaker || recs[order[k-1]].Digit != recs[i].Digit {
			cells = append(cells, nil)
		}
		cells[len(cells)-1] = append(cells[len(cells)-1], i)
	}
	rounds := 0
	for _, c := range cells {
		rng.Shuffle(len(c), func(a, b int) { c[a], c[b] = c[b], c[a] })
		rounds = max(rounds, len(c))
	}
	deal := make([]int, 0, len(recs))
	for r := range rounds {
		for _, j := range rng.Perm(len(cells)) {
			if r < len(cells[j]) {
				deal = append(deal, cells[j][r])
			}
		}
	}
	return deal, nil
}
