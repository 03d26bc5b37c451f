//go:build !linux

package mem

func populate([]byte) {}

func adviseHuge([]byte) {}
