package fsdd

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"subsetscan/internal/par"
)

// Format of every recording: mono, 16-bit signed PCM at SampleRate Hz.
const (
	SampleRate = 8000
	Channels   = 1
	BitDepth   = 16
)

// Digits is the number of digits, 0 to 9. Takes is the number of takes per
// speaker and digit in v1.0.10 (indices 0 to 49), for its 6 speakers.
const (
	Digits = 10
	Takes  = 50
)

// Words are the English words of the digits 0 to 9, as in transcripts.
var Words = [Digits]string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}

// ErrName is wrapped by the error of a .wav file whose name is outside the
// pattern {digit}_{speaker}_{index}.wav.
var ErrName = errors.New("fsdd: file name is not {digit}_{speaker}_{index}.wav")

// Recording is one recording of a spoken digit.
type Recording struct {
	Digit   int    // the spoken digit, 0 to 9
	Speaker string // the speaker, lower-case letters a to z
	Take    int    // the take (index) of the speaker and digit, from 0
	Path    string // the file: DIR/recordings/Name()
}

// Name returns the file name of r, {digit}_{speaker}_{take}.wav.
func (r Recording) Name() string {
	return fmt.Sprintf("%d_%s_%d.wav", r.Digit, r.Speaker, r.Take)
}

// Load reads the samples of r (see DecodeWAV). Errors name the file.
func (r Recording) Load() ([]float32, error) {
	b, err := os.ReadFile(r.Path)
	if err != nil {
		return nil, fmt.Errorf("fsdd: %w", err)
	}
	x, err := DecodeWAV(b)
	if err != nil {
		return nil, fmt.Errorf("fsdd: %s: %w", r.Path, err)
	}
	return x, nil
}

// ParseName parses a recording's file name {digit}_{speaker}_{index}.wav:
// digit is one of 0 to 9, speaker a non-empty run of lower-case letters a to
// z, and index a decimal number without leading zeros ("0" itself is
// allowed). Anything else, including upper-case letters, a missing part or
// an extension other than the lower-case ".wav", is an error wrapping
// ErrName. Path is left empty.
func ParseName(name string) (Recording, error) {
	bad := fmt.Errorf("%w: %q", ErrName, name)
	stem, ok := strings.CutSuffix(name, ".wav")
	if !ok {
		return Recording{}, bad
	}
	parts := strings.Split(stem, "_")
	if len(parts) != 3 || len(parts[0]) != 1 || parts[0][0] < '0' || parts[0][0] > '9' {
		return Recording{}, bad
	}
	if parts[1] == "" || strings.IndexFunc(parts[1], func(c rune) bool { return c < 'a' || c > 'z' }) >= 0 {
		return Recording{}, bad
	}
	take, err := strconv.Atoi(parts[2])
	if err != nil || take < 0 || strconv.Itoa(take) != parts[2] {
		return Recording{}, bad
	}
	return Recording{Digit: int(parts[0][0] - '0'), Speaker: parts[1], Take: take}, nil
}

// Open lists the recordings of a directory in the FSDD layout, DIR/recordings
// holding the files {digit}_{speaker}_{index}.wav, and returns them sorted by
// speaker (byte order), then digit, then take (numerically, so take 2 comes
// before take 10), whatever the order of the directory.
//
// Open checks names, not contents (Load and LoadAll decode). It returns an
// error naming the file for any entry ending in ".wav", in any case, that
// is not a non-empty regular file with a name in the pattern (so
// "7_jackson_1.WAV" is an error): nothing ending in ".wav" is skipped.
// Entries not ending in ".wav" (a README, .DS_Store, a sub-directory) are
// ignored. A missing DIR or DIR/recordings, or a
// directory without recordings, is an error.
func Open(dir string) ([]Recording, error) {
	rdir := filepath.Join(dir, "recordings")
	entries, err := os.ReadDir(rdir)
	if err != nil {
		return nil, fmt.Errorf("fsdd: FSDD directory %s: %w", dir, err)
	}
	var recs []Recording
	for _, e := range entries {
		if !isWAVName(e.Name()) {
			continue
		}
		path := filepath.Join(rdir, e.Name())
		r, err := ParseName(e.Name())
		if err != nil {
			return nil, fmt.Errorf("fsdd: %s: %w", path, err)
		}
		if err := checkFile(e); err != nil {
			return nil, fmt.Errorf("fsdd: %s: %w", path, err)
		}
		r.Path = path
		recs = append(recs, r)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("fsdd: %s holds no .wav recordings", rdir)
	}
	slices.SortFunc(recs, compareRecordings)
	return recs, nil
}

// isWAVName reports whether name ends in ".wav", in any case (".WAV" too).
func isWAVName(name string) bool {
	return len(name) >= 4 && strings.EqualFold(name[len(name)-4:], ".wav")
}

// checkFile returns an error unless e is a non-empty regular file.
func checkFile(e os.DirEntry) error {
	fi, err := e.Info()
	if err != nil {
		return err
	}
	switch {
	case !fi.Mode().IsRegular():
		return fmt.Errorf("not a regular file (%v)", fi.Mode().Type())
	case fi.Size() == 0:
		return errors.New("empty file (0 bytes)")
	}
	return nil
}

// compareRecordings orders by speaker, digit and take. Names are unique
// in a directory, so the order is total.
func compareRecordings(a, b Recording) int {
	return cmp.Or(strings.Compare(a.Speaker, b.Speaker), cmp.Compare(a.Digit, b.Digit), cmp.Compare(a.Take, b.Take))
}

// LoadAll loads the samples of every recording on up to workers goroutines
// (0 or less means GOMAXPROCS); samples[i] belongs to recs[i]. On errors it
// returns the error of the first failing recording in the order of recs,
// so the error does not depend on scheduling.
func LoadAll(recs []Recording, workers int) ([][]float32, error) {
	samples := make([][]float32, len(recs))
	errs := make([]error, len(recs))
	par.For(len(recs), workers, func() struct{} { return struct{}{} }, func(_ struct{}, i int) {
		samples[i], errs[i] = recs[i].Load()
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return samples, nil
}
