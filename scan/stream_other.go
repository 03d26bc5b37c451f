//go:build !amd64

package scan

func streamCopy(dst, src []float64) { copy(dst, src) }

func storeFence() {}

func streamCopy32(dst, src []uint32) { copy(dst, src) }

func prefetchRows(*float32, []int, int) {}
