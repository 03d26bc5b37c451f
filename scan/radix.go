package scan

import "math"

// key32 maps a float32 to a uint32 whose unsigned order is the float order.
// -0 is mapped like +0 so that the two compare equal, as floats do. NaN must
// have been rejected by the caller.
func key32(x float32) uint32 {
	if x == 0 {
		x = 0 // canonicalise -0
	}
	u := math.Float32bits(x)
	if u>>31 != 0 {
		return ^u
	}
	return u | 1<<31
}

const (
	radixBits = 11
	radixSize = 1 << radixBits
	radixMask = radixSize - 1
)

// radixScratch holds the histograms of a three-pass LSD radix sort of
// uint32 keys.
type radixScratch struct {
	count [3][radixSize]int32
}

// sortKeys sorts keys ascending, using tmp (len ≥ len(keys)) as scratch,
// and carries idx along when it is not nil (tidx is then its scratch). It
// returns the sorted keys and indices, which are either the inputs or the
// scratch slices. Passes whose digit is the same for every key are skipped,
// which is common for ReLU outputs.
func (s *radixScratch) sortKeys(keys, tmp []uint32, idx, tidx []int32) ([]uint32, []int32) {
	n := len(keys)
	if n == 0 {
		return keys, idx
	}
	tmp = tmp[:n]
	if idx != nil {
		tidx = tidx[:n]
	}
	for p := range s.count {
		clear(s.count[p][:])
	}
	for _, k := range keys {
		s.count[0][k&radixMask]++
		s.count[1][(k>>radixBits)&radixMask]++
		s.count[2][k>>(2*radixBits)]++
	}
	for p := range 3 {
		c := &s.count[p]
		shift := uint(p * radixBits)
		if int(c[(keys[0]>>shift)&radixMask]) == n {
			continue // every key has this digit: the pass would not move anything
		}
		var sum int32
		for i := range c {
			v := c[i]
			c[i] = sum
			sum += v
		}
		if idx == nil {
			for _, k := range keys {
				d := (k >> shift) & radixMask
				tmp[c[d]] = k
				c[d]++
			}
		} else {
			for i, k := range keys {
				d := (k >> shift) & radixMask
				tmp[c[d]] = k
				tidx[c[d]] = idx[i]
				c[d]++
			}
			idx, tidx = tidx, idx
		}
		keys, tmp = tmp, keys
	}
	return keys, idx
}
