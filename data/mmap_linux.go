package data

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// MapNPY returns the array of a .npy file, as ReadNPY does, without copying
// it when it can: when the file holds native-order float32 values in C
// order, as numpy.save writes float32 arrays on x86 and ARM, Data is a
// read-only memory map of the file (the kernel's page-cache pages, mapped
// at once), and release unmaps it. Other files are read as ReadNPY reads
// them. release sets Data to nil in both cases; calling it again does
// nothing. The checks and errors are ReadNPY's.
//
// A mapped array is read-only: writing to Data faults (SIGSEGV). Data, and
// every slice of it, must not be used after release. A file truncated by
// another process while it is mapped faults on reading (SIGBUS). Use
// ReadNPY for arrays that outlive a computation or are modified.
func MapNPY(path string) (a *Array, release func() error, err error) {
	f, size, err := openFile(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	if size < 0 {
		a, err := decodeNPYAll(f)
		if err != nil {
			return nil, nil, fmt.Errorf("data: %s: %w", path, err)
		}
		return a, a.forget, nil
	}
	h, err := readNPYHeader(f, size)
	if err != nil {
		return nil, nil, fmt.Errorf("data: %s: %w", path, err)
	}
	if h.kind != 'f' || h.itemsize != 4 || h.swap || h.fortran || h.n == 0 || h.hdrSize%4 != 0 {
		a, err := h.readArray(f)
		if err != nil {
			return nil, nil, fmt.Errorf("data: %s: %w", path, err)
		}
		return a, a.forget, nil
	}
	m, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return nil, nil, fmt.Errorf("data: %s: mapping it: %w", path, err)
	}
	a = &Array{Shape: h.shape, Data: view[float32](m[h.hdrSize:])}
	return a, func() error {
		a.Data = nil
		if m == nil {
			return nil
		}
		err := unix.Munmap(m)
		m = nil
		return err
	}, nil
}
