package data_test

import (
	"os"
	"testing"

	"subsetscan/data"
)

// BenchmarkReadNPYFile reads the .npy file named by SUBSETSCAN_BENCH_NPY
// (skipped when unset) with ReadNPY ("read", into new memory) and MapNPY
// ("map"). Run it alone in a fresh process, one operation, to measure what
// a program pays on its first read, page faults of the new memory included,
// beside cat FILE > /dev/null on the same file:
//
//	go test -c -o data.test ./data
//	SUBSETSCAN_BENCH_NPY=FILE ./data.test -test.run '^$' -test.bench 'ReadNPYFile/read' -test.benchtime 1x
//
// (BenchmarkReadNPY, in one process with its own files, reuses the heap:
// Go zeroes reused memory before ReadNPY fills it.)
func BenchmarkReadNPYFile(b *testing.B) {
	path := os.Getenv("SUBSETSCAN_BENCH_NPY")
	if path == "" {
		b.Skip("SUBSETSCAN_BENCH_NPY is not set")
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("read", func(b *testing.B) {
		b.SetBytes(fi.Size())
		defer cpuPerOp(b)()
		for b.Loop() {
			a, err := data.ReadNPY(path)
			if err != nil {
				b.Fatal(err)
			}
			if len(a.Data) == 0 {
				b.Fatal("no data")
			}
		}
	})
	b.Run("map", benchMapNPY(path, fi.Size()))
}

// benchMapNPY returns a benchmark that maps and unmaps the .npy file at
// path, of size bytes, with MapNPY.
func benchMapNPY(path string, size int64) func(b *testing.B) {
	return func(b *testing.B) {
		b.SetBytes(size)
		defer cpuPerOp(b)()
		for b.Loop() {
			a, release, err := data.MapNPY(path)
			if err != nil {
				b.Fatal(err)
			}
			if len(a.Data) == 0 {
				b.Fatal("no data")
			}
			if err := release(); err != nil {
				b.Fatal(err)
			}
		}
	}
}
