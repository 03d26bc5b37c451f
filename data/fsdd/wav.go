package fsdd

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/go-audio/audio"
	"github.com/go-audio/wav"
)

// ErrFormat is wrapped by every error of DecodeWAV: a malformed or truncated
// WAV file, or one in a format other than FSDD's.
var ErrFormat = errors.New("fsdd: bad WAV")

// DecodeWAV decodes a WAV file of FSDD's format, mono 16-bit PCM at 8000 Hz,
// into samples scaled by 1/32768, so in [-1, 1): the sample -32768 is -1 and
// 32767 is 1-2⁻¹⁵. The header and samples are decoded by
// github.com/go-audio/wav, after a check of the RIFF chunk table that the
// library does not make (it reads past short chunks and returns short data
// without an error).
//
// DecodeWAV returns an error wrapping ErrFormat, and never panics, for: a
// file that is not RIFF/WAVE; a truncated file (a chunk declaring more bytes
// than follow it); a missing fmt or data chunk; a format other than PCM; more
// than one channel; samples other than 16-bit; a rate other than 8000 Hz
// (the error gives the rate: DecodeWAV never resamples); a data chunk that
// is not whole samples; and a recording without samples.
func DecodeWAV(b []byte) (x []float32, err error) {
	dataSize, err := checkRIFF(b)
	if err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			x, err = nil, fmt.Errorf("%w: the WAV decoder failed: %v", ErrFormat, p)
		}
	}()
	d := wav.NewDecoder(bytes.NewReader(b))
	if err := d.FwdToPCM(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if err := checkFormat(d); err != nil {
		return nil, err
	}
	switch {
	case d.PCMChunk == nil:
		return nil, fmt.Errorf("%w: no data chunk", ErrFormat)
	case dataSize%2 != 0:
		return nil, fmt.Errorf("%w: data chunk of %d bytes is not whole 16-bit samples", ErrFormat, dataSize)
	case dataSize == 0:
		return nil, fmt.Errorf("%w: empty recording (no samples)", ErrFormat)
	}
	buf := &audio.IntBuffer{Data: make([]int, dataSize/2)}
	n, err := d.PCMBuffer(buf)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if n != len(buf.Data) {
		return nil, fmt.Errorf("%w: truncated: %d of %d samples", ErrFormat, n, len(buf.Data))
	}
	x = make([]float32, n)
	for i, v := range buf.Data {
		x[i] = float32(v) / 32768
	}
	return x, nil
}

// checkFormat checks the fmt chunk decoded by d against FSDD's format.
func checkFormat(d *wav.Decoder) error {
	switch {
	case d.WavAudioFormat != 1:
		return fmt.Errorf("%w: audio format %d, want 1 (PCM)", ErrFormat, d.WavAudioFormat)
	case d.NumChans != Channels:
		return fmt.Errorf("%w: %d channels, want 1 (mono)", ErrFormat, d.NumChans)
	case d.BitDepth != BitDepth:
		return fmt.Errorf("%w: %d-bit samples, want 16-bit", ErrFormat, d.BitDepth)
	case d.SampleRate != SampleRate:
		return fmt.Errorf("%w: sample rate %d Hz, want 8000 Hz (recordings are not resampled)", ErrFormat, d.SampleRate)
	}
	return nil
}

// checkRIFF walks the chunk table of a RIFF/WAVE file: every chunk must fit
// in b, and there must be a fmt chunk of at least 16 bytes and a data
// chunk, whose size it returns. A missing pad byte after an odd-sized last
// chunk is allowed.
func checkRIFF(b []byte) (dataSize int, err error) {
	if len(b) < 12 {
		return 0, fmt.Errorf("%w: truncated: %d bytes, shorter than a RIFF header (12)", ErrFormat, len(b))
	}
	if string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return 0, fmt.Errorf("%w: not a RIFF/WAVE file (starts %q)", ErrFormat, b[:12])
	}
	fmtSize, dataSize := -1, -1
	for off := 12; off < len(b); {
		if len(b)-off < 8 {
			return 0, fmt.Errorf("%w: truncated: %d bytes at byte %d, shorter than a chunk header (8)", ErrFormat, len(b)-off, off)
		}
		id, size := string(b[off:off+4]), int64(binary.LittleEndian.Uint32(b[off+4:]))
		if rest := int64(len(b) - off - 8); size > rest {
			return 0, fmt.Errorf("%w: truncated: chunk %q at byte %d declares %d bytes, %d follow", ErrFormat, id, off, size, rest)
		}
		switch {
		case id == "fmt " && fmtSize < 0:
			fmtSize = int(size)
		case id == "data" && dataSize < 0:
			dataSize = int(size)
		}
		off += 8 + int(size) + int(size&1)
	}
	switch {
	case fmtSize < 0:
		return 0, fmt.Errorf("%w: no fmt chunk", ErrFormat)
	case fmtSize < 16:
		return 0, fmt.Errorf("%w: fmt chunk of %d bytes, want at least 16", ErrFormat, fmtSize)
	case dataSize < 0:
		return 0, fmt.Errorf("%w: no data chunk", ErrFormat)
	}
	return dataSize, nil
}
