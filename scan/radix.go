package scan

import (
	"math"
	"math/bits"
)

// key32 maps a float32 to a uint32 whose unsigned order is the float order:
// the sign bit is flipped for positive numbers, all bits for negative ones.
// -0 is mapped like +0 so that the two compare equal, as floats do. NaN must
// have been rejected by the caller. It is branch-free.
func key32(x float32) uint32 { return keyBits(math.Float32bits(x)) }

// keyBits is key32 of the float32 whose bits are u.
func keyBits(u uint32) uint32 {
	k := u ^ (uint32(int32(u)>>31) | 1<<31)
	if k == negZeroKey {
		k = 1 << 31 // the key of +0
	}
	return k
}

// negZeroKey is the key -0 would have without canonicalisation.
const negZeroKey = 1<<31 - 1

const (
	radixBits   = 10
	radixSize   = 1 << radixBits
	radixMask   = radixSize - 1
	radixPasses = (32 + radixBits - 1) / radixBits
)

// radixScratch holds the histograms of an LSD radix sort of uint32 keys.
type radixScratch struct {
	count [radixPasses][radixSize]int32
}

// sortSpan sorts keys, which lie in [lo, hi], ascending, using tmp (len ≥
// len(keys)) as scratch, and carries idx along when it is not nil (tidx is
// then its scratch). It returns the sorted keys and indices, which are
// either the inputs or the scratch slices. The digits are those of
// key − lo, so that only ⌈log2(hi−lo+1)/radixBits⌉ passes are needed, and
// passes whose digit is the same for every key are skipped. Its callers
// find lo and hi on a pass they make anyway.
func (s *radixScratch) sortSpan(keys, tmp []uint32, idx, tidx []int32, lo, hi uint32) ([]uint32, []int32) {
	n := len(keys)
	if n == 0 {
		return keys, idx
	}
	tmp = tmp[:n]
	if idx != nil {
		tidx = tidx[:n]
	}
	np := (bits.Len32(hi-lo) + radixBits - 1) / radixBits
	for p := range np {
		clear(s.count[p][:])
	}
	switch np {
	case 0:
		return keys, idx
	case 1:
		for _, k := range keys {
			s.count[0][k-lo]++
		}
	case 2:
		for _, k := range keys {
			d := k - lo
			s.count[0][d&radixMask]++
			s.count[1][d>>radixBits]++
		}
	case 3:
		for _, k := range keys {
			d := k - lo
			s.count[0][d&radixMask]++
			s.count[1][(d>>radixBits)&radixMask]++
			s.count[2][d>>(2*radixBits)]++
		}
	default:
		for _, k := range keys {
			d := k - lo
			for p := range np {
				s.count[p][(d>>(p*radixBits))&radixMask]++
			}
		}
	}
	for p := range np {
		c := &s.count[p]
		shift := uint(p * radixBits)
		if int(c[((keys[0]-lo)>>shift)&radixMask]) == n {
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
				d := ((k - lo) >> shift) & radixMask
				tmp[c[d]] = k
				c[d]++
			}
		} else {
			for i, k := range keys {
				d := ((k - lo) >> shift) & radixMask
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
