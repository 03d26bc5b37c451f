//go:build !linux

package data

// prefault does nothing outside Linux.
func prefault([]byte) {}
