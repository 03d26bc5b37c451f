package fsdd_test

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"subsetscan/internal/refdata"
)

// sharedDir returns the shared copy of FSDD v1.0.10,
// ../shared/datasets/free-spoken-digit-dataset beside the project (or under
// $SUBSETSCAN_DATASETS): refdata.FSDD.
func sharedDir(tb testing.TB) string {
	tb.Helper()
	return refdata.FSDD(tb)
}

// wavSpec describes a WAV file written by hand: a canonical 44-byte header
// (RIFF, fmt of 16 bytes, data) followed by pcm.
type wavSpec struct {
	format, channels, bits uint16
	rate                   uint32
	pcm                    []byte
}

// fsddSpec returns the spec of a valid FSDD recording holding samples.
func fsddSpec(samples ...int16) wavSpec {
	return wavSpec{format: 1, channels: 1, bits: 16, rate: 8000, pcm: pcm16(samples...)}
}

// bytes encodes s as a WAV file.
func (s wavSpec) bytes() []byte {
	align := s.channels * s.bits / 8
	b := make([]byte, 0, 44+len(s.pcm))
	b = append(b, "RIFF"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(36+len(s.pcm)))
	b = append(b, "WAVEfmt "...)
	b = binary.LittleEndian.AppendUint32(b, 16)
	b = binary.LittleEndian.AppendUint16(b, s.format)
	b = binary.LittleEndian.AppendUint16(b, s.channels)
	b = binary.LittleEndian.AppendUint32(b, s.rate)
	b = binary.LittleEndian.AppendUint32(b, s.rate*uint32(align))
	b = binary.LittleEndian.AppendUint16(b, align)
	b = binary.LittleEndian.AppendUint16(b, s.bits)
	b = append(b, "data"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(s.pcm)))
	return append(b, s.pcm...)
}

// pcm16 encodes samples as little-endian 16-bit PCM.
func pcm16(samples ...int16) []byte {
	b := make([]byte, 0, 2*len(samples))
	for _, v := range samples {
		b = binary.LittleEndian.AppendUint16(b, uint16(v))
	}
	return b
}

// writeFiles writes files (name → content) into dir/recordings and returns
// dir.
func writeFiles(t *testing.T, dir string, files map[string][]byte) string {
	t.Helper()
	rdir := filepath.Join(dir, "recordings")
	if err := os.MkdirAll(rdir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(rdir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
