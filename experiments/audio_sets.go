package experiments

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"subsetscan/attack"
	"subsetscan/data"
	"subsetscan/data/fsdd"
	"subsetscan/nn"
	"subsetscan/nn/asr"
)

// audioAttackVersion changes whenever the audio attack sets would, so
// that cached ones are regenerated.
const audioAttackVersion = "audio-attack-v1"

// audioChunk is the number of attack sources attacked between two
// checkpoints (a variable for the tests).
var audioChunk = 10

// audioAdv is the attack's outcome on one source utterance.
type audioAdv struct {
	// Target is the target labelling (digits).
	Target []int `json:"target"`
	// Success says whether the 16-bit adversarial waveform transcribes
	// (greedily) as the target.
	Success bool `json:"success"`
	// DBx is dB_x(δ) of the 16-bit perturbation, for a success.
	DBx float64 `json:"db_x,omitempty"`
	// PCM holds, for a success, the 16-bit adversarial waveform (the
	// source's own samples only, little endian).
	PCM []byte `json:"pcm,omitempty"`
}

// audioSet is a cached attack set: the outcome on each source, in order.
type audioSet struct {
	Key   string     `json:"key"`
	First int        `json:"first"`
	Items []audioAdv `json:"items"`
}

// audioSetKey returns the key of the attack set of row r on the sources
// with their targets against the model whose weights file is weights: the
// SHA-256 of the attack version, architecture, weights, attack settings,
// targets and the sources' samples (which carry the data set, pools,
// condition and seed).
func audioSetKey(r *audioRow, sources []fsdd.Utterance, tg [][]int) (string, error) {
	weights, err := os.ReadFile(r.Model.Weights)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	wsum := sha256.Sum256(weights)
	spec, err := json.Marshal(struct {
		Version, Arch, Weights string
		Attack                 audioAttack
		Targets                [][]int
	}{audioAttackVersion, r.Model.Arch, hex.EncodeToString(wsum[:]), r.Attack, tg})
	if err != nil {
		return "", err
	}
	h.Write(spec)
	for _, u := range sources {
		h.Write(pcm16(u.Samples))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// pcm16 returns the 16-bit little-endian encoding of x (toInt16).
func pcm16(x []float32) []byte {
	b := make([]byte, 0, 2*len(x))
	for _, v := range x {
		b = binary.LittleEndian.AppendUint16(b, uint16(toInt16(v)))
	}
	return b
}

// fromPCM16 decodes pcm16's encoding.
func fromPCM16(b []byte) []float32 {
	x := make([]float32, len(b)/2)
	for i := range x {
		x[i] = float32(int16(binary.LittleEndian.Uint16(b[2*i:]))) / 32768
	}
	return x
}

// readAudioSet reads a gzipped JSON attack set; ok is false when the
// file is missing, unreadable or of another key or length.
func readAudioSet(path, key string, n int) (*audioSet, bool) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, false
	}
	var s audioSet
	if err := json.NewDecoder(z).Decode(&s); err != nil || s.Key != key || len(s.Items) != n {
		return nil, false
	}
	return &s, true
}

// writeAudioSet writes s as gzipped JSON, atomically.
func writeAudioSet(path string, s *audioSet) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return data.WriteFileAtomic(path, func(w io.Writer) error {
		z := gzip.NewWriter(w)
		if err := json.NewEncoder(z).Encode(s); err != nil {
			return err
		}
		return z.Close()
	})
}

// audioAttackSet returns the outcome of row r's attack on each source:
// the set saved in env.Dir/sets/<row>.json.gz under its key, or else
// generated chunk by chunk (audioChunk sources), each chunk checkpointed
// in env.Dir/sets/.<row>.checkpoints/<key>/ so that an interrupted run
// resumes from the last finished chunk.
func audioAttackSet(ctx context.Context, r *audioRow, m *nn.Model, sources []fsdd.Utterance, seed uint64, env Env) ([]audioAdv, error) {
	tg := targets(sources, seed)
	key, err := audioSetKey(r, sources, tg)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(env.Dir, "sets")
	path := filepath.Join(dir, r.Name+".json.gz")
	if env.Dir != "" {
		if s, ok := readAudioSet(path, key, len(sources)); ok {
			env.logf("row %s: reusing the attack set %s (%d sources)", r.Name, path, len(sources))
			return s.Items, nil
		}
	}
	ckDir := filepath.Join(dir, "."+r.Name+".checkpoints", key)
	var items []audioAdv
	t0 := time.Now()
	for first := 0; first < len(sources); first += audioChunk {
		end := min(first+audioChunk, len(sources))
		ck := filepath.Join(ckDir, fmt.Sprintf("%d-%d.json.gz", first, end))
		chunk, ok := (*audioSet)(nil), false
		if env.Dir != "" {
			chunk, ok = readAudioSet(ck, key, end-first)
		}
		if !ok {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			adv, err := attackChunk(ctx, r, m, sources[first:end], tg[first:end], env)
			if err != nil {
				return nil, fmt.Errorf("row %s, sources %d-%d: %w", r.Name, first, end-1, err)
			}
			chunk = &audioSet{Key: key, First: first, Items: adv}
			if env.Dir != "" {
				if err := writeAudioSet(ck, chunk); err != nil {
					return nil, err
				}
			}
		}
		items = append(items, chunk.Items...)
		env.logf("row %s: attacked %d of %d sources, %d successful (%.0f s)", r.Name, end, len(sources), successes(items), time.Since(t0).Seconds())
		env.hold(ctx, fmt.Sprintf("set %s batch %d", r.Name, first/audioChunk+1))
	}
	if env.Dir != "" {
		if err := writeAudioSet(path, &audioSet{Key: key, Items: items}); err != nil {
			return nil, err
		}
		if err := os.RemoveAll(filepath.Join(dir, "."+r.Name+".checkpoints")); err != nil {
			return nil, err
		}
		env.hold(ctx, "set "+r.Name+" saved")
	}
	return items, nil
}

func successes(items []audioAdv) int {
	n := 0
	for _, it := range items {
		if it.Success {
			n++
		}
	}
	return n
}

// attackChunk attacks the sources towards tg with the row's attack, then
// quantises each success to 16 bits and transcribes it again: only those
// still transcribed as their target are successes.
func attackChunk(ctx context.Context, r *audioRow, m *nn.Model, sources []fsdd.Utterance, tg [][]int, env Env) ([]audioAdv, error) {
	b, err := asr.Assemble(m.Arch, sources)
	if err != nil {
		return nil, err
	}
	lengths := make([]int, len(sources))
	for i, u := range sources {
		lengths[i] = len(u.Samples)
	}
	a := r.Attack
	cw := attack.CWAudio{Steps: a.Steps, Check: a.Check, LR: float32(a.LR), C: a.C, StartDB: a.StartDB, Shrink: a.Shrink,
		Blank: asr.Blank, Workers: env.Workers}
	res, err := cw.Generate(ctx, m, b.X, lengths, b.Frames, tg)
	if err != nil {
		return nil, err
	}
	adv := make([]fsdd.Utterance, len(sources))
	for i, u := range sources {
		adv[i] = u
		adv[i].Samples = slices.Clone(res.Adversarial.Row(i)[:lengths[i]])
		quantise(adv[i].Samples)
	}
	hyps, err := asr.Decode(m, adv, 0, env.Workers)
	if err != nil {
		return nil, err
	}
	out := make([]audioAdv, len(sources))
	for i, u := range sources {
		out[i] = audioAdv{Target: tg[i]}
		if !res.Success[i] || hyps[i] != asr.Transcript(tg[i]) {
			continue
		}
		out[i].Success, out[i].DBx = true, dBx(u.Samples, adv[i].Samples)
		out[i].PCM = pcm16(adv[i].Samples)
	}
	return out, nil
}

// dBx returns dB_x(δ) = 20·log10 max|δ| − 20·log10 max|x| of the
// perturbation δ = adv − x.
func dBx(x, adv []float32) float64 {
	var d, p float64
	for i, v := range x {
		d = max(d, math.Abs(float64(adv[i]-v)))
		p = max(p, math.Abs(float64(v)))
	}
	return 20*math.Log10(d) - 20*math.Log10(p)
}
