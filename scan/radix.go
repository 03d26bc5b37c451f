package scan

import "math"

// key32 maps a float32 to a uint32 whose unsigned order is the float order:
// the sign bit is flipped for positive numbers, all bits for negative ones.
// -0 is mapped like +0 so that the two compare equal, as floats do. NaN must
// have been rejected by the caller. It is branch-free.
func key32(x float32) uint32 {
	u := math.Float32bits(x)
	k := u ^ (uint32(int32(u)>>31) | 1<<31)
	if k == negZeroKey {
		k = 1 << 31 // the key of +0
	}
	return k
}

// negZeroKey is the key -0 would have without canonicalisation.
const negZeroKey = 1<<31 - 1

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

func resizeU32(s []uint32, n int) []uint32 {
	if cap(s) < n {
		return make([]uint32, n)
	}
	return s[:n]
}
