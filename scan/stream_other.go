//go:build !amd64

package scan

func streamCopy(dst, src []float64) { copy(dst, src) }

func storeFence() {}

func streamCopy32(dst, src []uint32) { copy(dst, src) }

func prefetchRows(*float32, []int, int) {}

func lowerBound4(a []uint32, x *[4]uint32) (l0, l1, l2, l3 int) { return lowerBound4Go(a, x) }

func streamCopy16(dst, src []uint16) { copy(dst, src) }
