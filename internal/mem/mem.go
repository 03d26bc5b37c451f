// Package mem prepares fresh memory for a program that is about to fill it.
package mem

import "unsafe"

// Populate asks the kernel to back the memory of s with pages now, in one
// call, rather than one page fault at a time as the pages are first
// written: on the project's 2-vCPU VM, page faults on fresh memory cost
// about 250 MB/s, and populating first halves that cost. The values of s
// are unchanged. Populate does nothing for slices under 1 MB, outside
// Linux, and on kernels before 5.14 (no MADV_POPULATE_WRITE).
func Populate[T any](s []T) {
	n := len(s) * int(unsafe.Sizeof(*new(T)))
	if n < 1<<20 {
		return
	}
	populate(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), n))
}
