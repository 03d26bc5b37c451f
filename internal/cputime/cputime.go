// Package cputime measures the CPU time of the process, for benchmarks on a
// shared machine: wall time measures the load, CPU time the work.
package cputime

import (
	"syscall"
	"time"
)

// Used returns the CPU time (user + system) the process has used so far,
// or 0 where the operating system does not report it.
func Used() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
