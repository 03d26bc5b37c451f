package mem

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

func populate(b []byte) {
	const page = 4096
	// madvise takes page-aligned bounds: the whole pages inside b.
	start := (page - int(uintptr(unsafe.Pointer(unsafe.SliceData(b))))%page) % page
	if start >= len(b) {
		return
	}
	end := start + (len(b)-start)&^(page-1)
	_ = unix.Madvise(b[start:end], unix.MADV_POPULATE_WRITE) // advice only
}
