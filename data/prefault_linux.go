package data

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// prefault asks the kernel to back the pages of b with memory now, in one
// call, rather than one page fault at a time as they are first written: on
// the project's VM that halves the cost of reading into fresh memory
// (about 250 → 500 MB/s for the faults alone; a read from the page cache
// runs at 4 GB/s). Small buffers, and kernels before Linux 5.14 (no
// MADV_POPULATE_WRITE), are left alone.
func prefault(b []byte) {
	const page = 4096
	if len(b) < 1<<20 {
		return
	}
	// madvise needs page-aligned bounds: the whole pages inside b.
	start := (page - int(uintptr(unsafe.Pointer(unsafe.SliceData(b))))%page) % page
	end := start + (len(b)-start)&^(page-1)
	_ = unix.Madvise(b[start:end], unix.MADV_POPULATE_WRITE)
}
