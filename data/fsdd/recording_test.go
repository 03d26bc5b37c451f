package fsdd_test

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-audio/audio"
	"github.com/go-audio/wav"

	"subsetscan/data/fsdd"
)

func TestParseName(t *testing.T) {
	for _, tc := range []struct {
		name string
		want fsdd.Recording // zero for an error
	}{
		{"7_jackson_32.wav", fsdd.Recording{Digit: 7, Speaker: "jackson", Take: 32}},
		{"0_george_0.wav", fsdd.Recording{Digit: 0, Speaker: "george", Take: 0}},
		{"9_yweweler_49.wav", fsdd.Recording{Digit: 9, Speaker: "yweweler", Take: 49}},
		{"7_jackson.wav", fsdd.Recording{}},
		{"10_jackson_1.wav", fsdd.Recording{}},
		{"x_jackson_1.wav", fsdd.Recording{}},
		{"7_Jackson_1.wav", fsdd.Recording{}},
		{"7__1.wav", fsdd.Recording{}},
		{"7_jackson_01.wav", fsdd.Recording{}},
		{"7_jackson_-1.wav", fsdd.Recording{}},
		{"7_jackson_1.WAV", fsdd.Recording{}},
		{"7_jackson_1_2.wav", fsdd.Recording{}},
		{"7_jack son_1.wav", fsdd.Recording{}},
	} {
		got, err := fsdd.ParseName(tc.name)
		if tc.want == (fsdd.Recording{}) {
			if !errors.Is(err, fsdd.ErrName) || !strings.Contains(err.Error(), tc.name) {
				t.Errorf("%s: got %+v, %v; want an error wrapping ErrName naming it", tc.name, got, err)
			}
			continue
		}
		if err != nil || got != tc.want || got.Name() != tc.name {
			t.Errorf("%s: got %+v (%s), %v; want %+v", tc.name, got, got.Name(), err, tc.want)
		}
	}
}

func TestOpenOrder(t *testing.T) {
	good := fsddSpec(1, 2).bytes()
	dir := writeFiles(t, t.TempDir(), map[string][]byte{
		"1_theo_10.wav": good, "1_theo_2.wav": good, "0_theo_3.wav": good,
		"9_alice_0.wav": good, "README.md": []byte("not a recording"),
	})
	if err := os.Mkdir(filepath.Join(dir, "recordings", "extra"), 0o755); err != nil {
		t.Fatal(err)
	}
	recs, err := fsdd.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, r.Name())
		if r.Path != filepath.Join(dir, "recordings", r.Name()) {
			t.Errorf("%s: Path %s", r.Name(), r.Path)
		}
	}
	want := []string{"9_alice_0.wav", "0_theo_3.wav", "1_theo_2.wav", "1_theo_10.wav"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v (speaker, digit, take; README and sub-directory ignored)", got, want)
	}
}

func TestOpenBad(t *testing.T) {
	good := fsddSpec(1, 2).bytes()
	for _, tc := range []struct {
		name  string
		files map[string][]byte // nil: no recordings directory
		want  string            // in the error
	}{
		{"missing directory", nil, "no such file"},
		{"no recordings", map[string][]byte{"README.md": nil}, "no .wav recordings"},
		{"name outside the pattern", map[string][]byte{"1_theo_1.wav": good, "one_theo_1.wav": good}, "one_theo_1.wav"},
		{"empty file", map[string][]byte{"1_theo_1.wav": good, "2_theo_1.wav": nil}, "2_theo_1.wav: empty file"},
		{"upper-case extension", map[string][]byte{"1_theo_1.wav": good, "1_theo_2.WAV": good}, "1_theo_2.WAV"},
	} {
		dir := filepath.Join(t.TempDir(), "fsdd")
		if tc.files != nil {
			writeFiles(t, dir, tc.files)
		}
		recs, err := fsdd.Open(dir)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %d recordings, error %v; want an error containing %q", tc.name, len(recs), err, tc.want)
		}
	}
	dir := writeFiles(t, t.TempDir(), map[string][]byte{"1_theo_1.wav": good})
	if err := os.Mkdir(filepath.Join(dir, "recordings", "2_theo_1.wav"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := fsdd.Open(dir); err == nil || !strings.Contains(err.Error(), "2_theo_1.wav: not a regular file") {
		t.Errorf("directory named .wav: got %v, want an error naming it", err)
	}
}

func TestDecodeWAV(t *testing.T) {
	x, err := fsdd.DecodeWAV(fsddSpec(-32768, 0, 16384, 32767).bytes())
	if err != nil {
		t.Fatal(err)
	}
	// The scale is 1/32768: exact in float32 for these values.
	want := []float32{-1, 0, 0.5, 32767.0 / 32768}
	if !slices.Equal(x, want) {
		t.Errorf("got %v, want %v", x, want)
	}
	// Other chunk layouts of valid files: the fmt and data chunks of a
	// canonical file in another order, or with other chunks around them.
	full := fsddSpec(1, -2, 3).bytes()
	fmtc, data := full[12:36], full[36:]
	list := chunk("LIST", []byte("INFOISFT\x05\x00\x00\x00Lavf\x00\x00"))
	for _, tc := range []struct {
		name   string
		chunks [][]byte
	}{
		{"LIST before data", [][]byte{fmtc, list, data}},
		{"LIST after data", [][]byte{fmtc, data, list}},
		{"data before fmt", [][]byte{data, fmtc}},
		{"odd JUNK first", [][]byte{chunk("JUNK", []byte("abc")), fmtc, data}},
	} {
		body := slices.Concat(tc.chunks...)
		b := slices.Concat([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(4+len(body))), []byte("WAVE"), body)
		x, err := fsdd.DecodeWAV(b)
		if want := []float32{1.0 / 32768, -2.0 / 32768, 3.0 / 32768}; err != nil || !slices.Equal(x, want) {
			t.Errorf("%s: got %v, %v; want %v", tc.name, x, err, want)
		}
	}
}

// chunk encodes a RIFF chunk, with its pad byte if body has an odd length.
func chunk(id string, body []byte) []byte {
	b := slices.Concat([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(body))), body)
	if len(body)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

// TestLoadEncoded reads a file written by go-audio/wav's encoder.
func TestLoadEncoded(t *testing.T) {
	dir := t.TempDir()
	rdir := filepath.Join(dir, "recordings")
	if err := os.Mkdir(rdir, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(rdir, "3_ann_7.wav"))
	if err != nil {
		t.Fatal(err)
	}
	enc := wav.NewEncoder(f, fsdd.SampleRate, fsdd.BitDepth, fsdd.Channels, 1)
	in := []int{0, 100, -100, 32767, -32768, 5}
	buf := &audio.IntBuffer{Data: in, Format: &audio.Format{NumChannels: 1, SampleRate: fsdd.SampleRate}, SourceBitDepth: 16}
	if err := enc.Write(buf); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	recs, err := fsdd.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	x, err := recs[0].Load()
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range in {
		if x[i] != float32(v)/32768 {
			t.Errorf("sample %d: got %v, want %v", i, x[i], float32(v)/32768)
		}
	}
}

func TestLoadBad(t *testing.T) {
	good := fsddSpec(1, -2, 3, -4).bytes()
	spec := func(edit func(*wavSpec)) []byte {
		s := fsddSpec(1, -2, 3, -4)
		edit(&s)
		return s.bytes()
	}
	for _, tc := range []struct {
		name string
		file []byte
		want string
	}{
		{"truncated data", good[:len(good)-3], "truncated: chunk \"data\""},
		{"truncated header", good[:30], "truncated: chunk \"fmt \""},
		{"truncated RIFF header", good[:8], "truncated: 8 bytes"},
		{"not RIFF", []byte("this is not a WAV file at all"), "not a RIFF/WAVE file"},
		{"stereo", spec(func(s *wavSpec) { s.channels = 2 }), "2 channels, want 1 (mono)"},
		{"8-bit", spec(func(s *wavSpec) { s.bits = 8 }), "8-bit samples, want 16-bit"},
		{"24-bit", spec(func(s *wavSpec) { s.bits = 24; s.pcm = s.pcm[:6] }), "24-bit samples, want 16-bit"},
		{"16 kHz", spec(func(s *wavSpec) { s.rate = 16000 }), "sample rate 16000 Hz, want 8000 Hz"},
		{"44.1 kHz", spec(func(s *wavSpec) { s.rate = 44100 }), "sample rate 44100 Hz"},
		{"float", spec(func(s *wavSpec) { s.format = 3 }), "audio format 3, want 1 (PCM)"},
		{"empty recording", spec(func(s *wavSpec) { s.pcm = nil }), "empty recording (no samples)"},
		{"half a sample", spec(func(s *wavSpec) { s.pcm = s.pcm[:3] }), "not whole 16-bit samples"},
	} {
		dir := writeFiles(t, t.TempDir(), map[string][]byte{"5_bob_1.wav": tc.file})
		recs, err := fsdd.Open(dir)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		x, err := recs[0].Load()
		if !errors.Is(err, fsdd.ErrFormat) || !strings.Contains(err.Error(), tc.want) ||
			!strings.Contains(err.Error(), recs[0].Path) {
			t.Errorf("%s: got %v, %v; want an error naming %s and containing %q", tc.name, x, err, recs[0].Path, tc.want)
		}
		if _, err := fsdd.LoadAll(append(recs, recs...), 2); err == nil {
			t.Errorf("%s: LoadAll returned no error", tc.name)
		}
	}
}

func FuzzDecodeWAV(f *testing.F) {
	f.Add(fsddSpec(1, -2, 3).bytes())
	f.Add(fsddSpec().bytes())
	f.Add(wavSpec{format: 1, channels: 2, bits: 16, rate: 8000, pcm: pcm16(1, 2)}.bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		x, err := fsdd.DecodeWAV(b)
		if err != nil {
			if !errors.Is(err, fsdd.ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		if len(x) == 0 || 2*len(x) > len(b) {
			t.Fatalf("%d samples from %d bytes", len(x), len(b))
		}
		for i, v := range x {
			if !(v >= -1 && v < 1) {
				t.Fatalf("sample %d = %v outside [-1, 1)", i, v)
			}
		}
	})
}
