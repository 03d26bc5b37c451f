package data_test

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"subsetscan/data"
	"subsetscan/internal/cputime"
)

// writeBenchNPY writes a 200 MB .npy file of the given dtype ("<f4" or
// "<f8") in dir, as numpy.save lays it out, and returns its path and size.
func writeBenchNPY(b *testing.B, dir, descr string, itemsize int) (string, int64) {
	b.Helper()
	const bytes = 200_000_000
	cols := 4000
	rows := bytes / itemsize / cols
	p := filepath.Join(dir, "bench"+descr[1:]+".npy")
	err := data.WriteFileAtomic(p, func(w io.Writer) error {
		if err := data.EncodeNPYHeader(w, descr, []int{rows, cols}); err != nil {
			return err
		}
		row := make([]byte, cols*itemsize)
		for i := range rows {
			for k := range row {
				row[k] = byte(i + k) // any bit pattern: no NaN check here
			}
			if itemsize == 4 {
				for k := 3; k < len(row); k += 4 {
					row[k] &= 0x3f // finite float32s
				}
			}
			if _, err := w.Write(row); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		b.Fatal(err)
	}
	return p, fi.Size()
}

// BenchmarkReadNPY reads a 200 MB .npy file (page-cached after its first
// read) with ReadNPY: float32, the common case, read in one read into the
// array, and float64, converted through a buffer; and with MapNPY (map-f4),
// which maps the float32 file. "cat" reads the float32 file as cat(1) does,
// through a 128 KiB buffer, for reference: the target is within 2× of it.
// ReadNPY's figures are those of a fresh array each time: the kernel's
// zeroing and mapping of the new pages cost more than the copy.
func BenchmarkReadNPY(b *testing.B) {
	dir := b.TempDir()
	f4, size4 := writeBenchNPY(b, dir, "<f4", 4)
	f8, size8 := writeBenchNPY(b, dir, "<f8", 8)
	read := func(p string, size int64) func(b *testing.B) {
		return func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			defer cpuPerOp(b)()
			for b.Loop() {
				a, err := data.ReadNPY(p)
				if err != nil {
					b.Fatal(err)
				}
				if len(a.Data) == 0 {
					b.Fatal("no data")
				}
			}
		}
	}
	b.Run("f4", read(f4, size4))
	b.Run("f8", read(f8, size8))
	b.Run("map-f4", benchMapNPY(f4, size4))
	b.Run("cat", func(b *testing.B) {
		b.SetBytes(size4)
		defer cpuPerOp(b)()
		buf := make([]byte, 128<<10)
		for b.Loop() {
			f, err := os.Open(f4)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.CopyBuffer(io.Discard, bufio.NewReaderSize(onlyReader{f}, 0), buf); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	})
}

// onlyReader hides the file's WriterTo, so that io.CopyBuffer uses the
// buffer as cat does.
type onlyReader struct{ io.Reader }

// cpuPerOp reports the process's CPU time per operation, which depends less
// than the wall time on other jobs sharing the machine. Call it before the
// loop and its result after it.
func cpuPerOp(b *testing.B) func() {
	start := cputime.Used()
	return func() {
		b.ReportMetric(float64(cputime.Used()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	}
}
