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

func adviseHuge(b []byte) {
	const huge = 2 << 20
	start := (huge - int(uintptr(unsafe.Pointer(unsafe.SliceData(b))))%huge) % huge
	if start >= len(b) {
		return
	}
	end := start + (len(b)-start)&^(huge-1)
	if end > start {
		_ = unix.Madvise(b[start:end], unix.MADV_HUGEPAGE) // advice only
	}
}
