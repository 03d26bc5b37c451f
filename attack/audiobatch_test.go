package attack_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"subsetscan/attack"
	"subsetscan/data"
	"subsetscan/nn"
)

// toneTask returns cwModel and three tone utterances (3000, 3500 and
// 2500 samples, then silence) with their frames and targets.
func toneTask(t *testing.T) (*nn.Model, *data.Array, []int, []int, [][]int) {
	t.Helper()
	x := data.NewArray(3, 4000)
	lengths := []int{3000, 3500, 2500}
	for i, l := range lengths {
		copy(x.Row(i), tone(l, float64(300+200*i), 0.3, 0.01, uint64(6+i)))
	}
	frames := []int{19, 22, 16} // ⌈length/160⌉
	return cwModel(t), x, lengths, frames, [][]int{{0, 1}, {2, 0, 2}, {1}}
}

// toneCW is CWAudio with a schedule that succeeds on toneTask.
func toneCW() attack.CWAudio {
	a := attack.NewCWAudio(3)
	a.Steps, a.LR, a.StartDB = 150, 0.03, -3
	return a
}

// TestAttackAudio runs CW and Imperceptible through AttackAudio with 1
// and 2 workers and chunks of 1 and 2: the examples must be the same,
// every example a 16-bit success whose samples decode to the target,
// and stage 2 must keep every stage-1 success without raising its masking
// loss, and lower some.
func TestAttackAudio(t *testing.T) {
	m, x, lengths, frames, targets := toneTask(t)
	ia := attack.NewImperceptible(3, 8000)
	ia.Stage1, ia.Steps, ia.LR = toneCW(), 60, 0.001
	for _, a := range []attack.AudioAttack{toneCW(), ia} {
		var first string
		var es []attack.AudioExample
		for _, run := range []struct{ workers, chunk int }{{1, 1}, {2, 2}} {
			switch v := a.(type) {
			case attack.CWAudio:
				v.Workers, a = run.workers, v
			case attack.Imperceptible:
				v.Stage1.Workers, a = run.workers, v
			}
			var err error
			es, err = attack.AttackAudio(t.Context(), a, m, x, lengths, frames, targets, attack.AudioBatch{Chunk: run.chunk})
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(es); first == "" {
				first = got
			} else if got != first {
				t.Errorf("%T: %d workers, chunks of %d: other examples than 1 worker, chunks of 1", a, run.workers, run.chunk)
			}
		}
		checkExamples(t, a, m, x, lengths, frames, targets, es)
		if _, ok := a.(attack.Imperceptible); ok && !slices.ContainsFunc(es, func(e attack.AudioExample) bool { return e.Loss < e.Loss0 }) {
			t.Error("stage 2 lowered no masking loss")
		}
	}
}

// checkExamples checks that each example succeeded, that its 16-bit
// samples decode to the target, and that its figures are consistent.
func checkExamples(t *testing.T, a attack.AudioAttack, m *nn.Model, x *data.Array, lengths, frames []int, targets [][]int, es []attack.AudioExample) {
	t.Helper()
	xa := data.NewArray(x.Shape...)
	for i, e := range es {
		t.Logf("%T utterance %d: success %v, %.1f dB_x, masking loss %.3g → %.3g, α %.3g, step %d", a, i, e.Success, e.DBx, e.Loss0, e.Loss, e.Alpha, e.Step)
		if !e.Found || !e.Success || len(e.Samples) != lengths[i] {
			t.Fatalf("%T utterance %d: found %v, success %v, %d samples", a, i, e.Found, e.Success, len(e.Samples))
		}
		copy(xa.Row(i), attack.Dequantize16(e.Samples))
		if db := attack.DBx(x.Row(i)[:lengths[i]], xa.Row(i)[:lengths[i]]); db != e.DBx || !(db < -3) {
			t.Errorf("%T utterance %d: dB_x %v, of its samples %v", a, i, e.DBx, db)
		}
		_, isIA := a.(attack.Imperceptible)
		if isIA != !math.IsNaN(e.Loss) || isIA && !(e.Loss <= e.Loss0) {
			t.Errorf("%T utterance %d: masking loss %v → %v", a, i, e.Loss0, e.Loss)
		}
	}
	logits, err := m.Predict(xa, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := range es {
		if got := nn.GreedyDecode(logits.Row(i)[:frames[i]*4], 4, 3); !slices.Equal(got, targets[i]) {
			t.Errorf("%T utterance %d: the 16-bit example decodes to %v, not %v", a, i, got, targets[i])
		}
	}
}

// TestAttackAudioResume persists each chunk through Done with
// EncodeAudioChunk, then resumes a second run from the first two chunks:
// it must attack only the third, pass only that to Done, and return the
// same examples. A resumed chunk of other utterances is an error.
func TestAttackAudioResume(t *testing.T) {
	m, x, lengths, frames, targets := toneTask(t)
	a := toneCW()
	a.Steps = 20
	var saved [][]byte
	opt := attack.AudioBatch{Chunk: 1, Done: func(c *attack.AudioChunk) error {
		var buf bytes.Buffer
		if err := attack.EncodeAudioChunk(&buf, c); err != nil {
			return err
		}
		saved = append(saved, buf.Bytes())
		return nil
	}}
	want, err := attack.AttackAudio(t.Context(), a, m, x, lengths, frames, targets, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(saved) != 3 {
		t.Fatalf("%d chunks passed to Done, want 3", len(saved))
	}
	var done []int
	opt.Resume = func(i int) (*attack.AudioChunk, error) {
		if i >= 2 {
			return nil, nil
		}
		return attack.DecodeAudioChunk(bytes.NewReader(saved[i]))
	}
	opt.Done = func(c *attack.AudioChunk) error { done = append(done, c.Index); return nil }
	got, err := attack.AttackAudio(t.Context(), a, m, x, lengths, frames, targets, opt)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || !slices.Equal(done, []int{2}) {
		t.Errorf("resumed run: chunks %v done, examples equal %v", done, fmt.Sprint(got) == fmt.Sprint(want))
	}
	opt.Resume = func(i int) (*attack.AudioChunk, error) { return attack.DecodeAudioChunk(bytes.NewReader(saved[0])) }
	if _, err := attack.AttackAudio(t.Context(), a, m, x, lengths, frames, targets, opt); err == nil || !strings.Contains(err.Error(), "resumed chunk 1") {
		t.Errorf("chunk 0 resumed as chunk 1: error %v", err)
	}
}

// TestAttackAudioCancel cancels the context in Done after the first
// chunk, and before the start.
func TestAttackAudioCancel(t *testing.T) {
	m, x, lengths, frames, targets := toneTask(t)
	a := toneCW()
	a.Steps = 10
	ctx, cancel := context.WithCancel(t.Context())
	var done int
	_, err := attack.AttackAudio(ctx, a, m, x, lengths, frames, targets, attack.AudioBatch{Chunk: 1, Done: func(*attack.AudioChunk) error {
		done++
		cancel()
		return nil
	}})
	if !errors.Is(err, context.Canceled) || done != 1 {
		t.Errorf("cancelled after the first chunk: error %v, %d chunks done", err, done)
	}
	ia := attack.NewImperceptible(3, 8000)
	ia.Stage1 = a
	if _, err := attack.AttackAudio(ctx, ia, m, x, lengths, frames, targets, attack.AudioBatch{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before the start: error %v", err)
	}
}

// TestAttackAudioBad checks that bad arguments give errors naming the
// utterance.
func TestAttackAudioBad(t *testing.T) {
	m, x, lengths, frames, targets := toneTask(t)
	silent := data.NewArray(x.Shape...)
	copy(silent.Data, x.Data)
	clear(silent.Row(1))
	for _, tc := range []struct {
		name    string
		x       *data.Array
		lengths []int
		frames  []int
		targets [][]int
		want    string
	}{
		{"blank target", x, lengths, frames, [][]int{{0}, {1}, {2, 3}}, "utterance 2"},
		{"class out of range", x, lengths, frames, [][]int{{0}, {7}, {2}}, "utterance 1"},
		{"target too long", x, lengths, []int{19, 22, 2}, [][]int{{0}, {1}, {1, 1}}, "utterance 2"},
		{"too many frames", x, lengths, []int{19, 99, 16}, targets, "utterance 1"},
		{"too long", x, []int{3000, 4001, 2500}, frames, targets, "utterance 1"},
		{"silent", silent, lengths, frames, targets, "utterance 1"},
		{"missing target", x, lengths, frames, targets[:2], "targets"},
	} {
		_, err := attack.AttackAudio(t.Context(), toneCW(), m, tc.x, tc.lengths, tc.frames, tc.targets, attack.AudioBatch{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one naming %q", tc.name, err, tc.want)
		}
	}
	bad := toneCW()
	bad.Steps = 0
	if _, err := attack.AttackAudio(t.Context(), bad, m, x, lengths, frames, targets, attack.AudioBatch{}); err == nil {
		t.Error("0 steps: no error")
	}
	ia := attack.NewImperceptible(3, 8000)
	ia.Up = 0.9
	if _, err := ia.Generate(t.Context(), m, x, lengths, frames, targets); err == nil {
		t.Error("α's up factor 0.9: no error")
	}
	if _, err := attack.AttackAudio(t.Context(), toneCW(), m, x, lengths, frames, targets, attack.AudioBatch{Chunk: -1}); err == nil {
		t.Error("chunk −1: no error")
	}
}

// TestQuantize16 checks that every 16-bit value survives a round trip,
// that a waveform moves by at most half a step, and that full scale
// clips.
func TestQuantize16(t *testing.T) {
	all := make([]int16, 0, 65536)
	for v := math.MinInt16; v <= math.MaxInt16; v++ {
		all = append(all, int16(v))
	}
	if got := attack.Quantize16(attack.Dequantize16(all)); !slices.Equal(got, all) {
		t.Error("16-bit samples do not survive a round trip")
	}
	x := tone(1000, 440, 0.9, 0.05, 9)
	for i, v := range attack.Dequantize16(attack.Quantize16(x)) {
		if math.Abs(float64(v)-float64(x[i])) > 0.5/32768+1e-9 {
			t.Fatalf("sample %d: %v became %v", i, x[i], v)
		}
	}
	if got := attack.Quantize16([]float32{1, -1, 1.5, -2}); !slices.Equal(got, []int16{32767, -32768, 32767, -32768}) {
		t.Errorf("full scale quantised to %v", got)
	}
	var buf bytes.Buffer
	c := &attack.AudioChunk{Index: 3, Start: 9, Examples: []attack.AudioExample{{DBx: math.NaN(), Loss: math.Inf(1)}, {Found: true, Success: true, DBx: -30, Step: 7, Samples: []int16{1, -2}}}}
	if err := attack.EncodeAudioChunk(&buf, c); err != nil {
		t.Fatal(err)
	}
	d, err := attack.DecodeAudioChunk(&buf)
	if err != nil || fmt.Sprint(d) != fmt.Sprint(c) {
		t.Errorf("chunk %v decoded as %v (error %v)", c, d, err)
	}
	if _, err := attack.DecodeAudioChunk(strings.NewReader("not gob")); err == nil {
		t.Error("decoding garbage: no error")
	}
}
