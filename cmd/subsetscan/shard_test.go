package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"subsetscan/internal/refdata"
	"subsetscan/runner"
)

// The tests of sharded runs run the binary (buildBinary): N shards as
// concurrent processes into one output directory, then merge, against an
// unsharded run of the same config.

// runOK runs the binary with args and fails the test unless it exits 0;
// it returns its stderr.
func runOK(t *testing.T, bin, cache string, args ...string) string {
	t.Helper()
	code, stderr := start(t, bin, cache, "", args...).wait(t)
	if code != 0 {
		t.Fatalf("%v: exit code %d:\n%s", args, code, stderr)
	}
	return stderr
}

// runShards runs shards 1..n of the config (the last of args, after its
// flags) as concurrent processes into out, and returns their stderr.
func runShards(t *testing.T, bin, cache, out string, n int, args ...string) []string {
	t.Helper()
	procs := make([]*proc, n)
	for k := range n {
		a := append([]string{"run", "-shard", shardSpec(k+1, n), "-out", out}, args...)
		procs[k] = start(t, bin, cache, "", a...)
	}
	logs := make([]string, n)
	for k, p := range procs {
		code, stderr := p.wait(t)
		if code != 0 {
			t.Fatalf("shard %d of %d: exit code %d:\n%s", k+1, n, code, stderr)
		}
		logs[k] = stderr
	}
	return logs
}

func shardSpec(k, n int) string {
	b, _ := json.Marshal([]int{k, n})
	return strings.ReplaceAll(strings.Trim(string(b), "[]"), ",", "/")
}

// sameRun checks that the results directory got holds what want holds, as
// an unsharded run writes it: results.json and report.md equal apart from
// their timings, every figure equal byte for byte. Besides, got may have
// only the parts and the caches (sets, models).
func sameRun(t *testing.T, want, got string) {
	t.Helper()
	files := func(dir string) map[string]bool {
		m := map[string]bool{}
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, path)
			switch {
			case d.IsDir() && (rel == runner.PartsDir || rel == "sets" || rel == "models"):
				return filepath.SkipDir
			case !d.IsDir():
				m[rel] = true
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	w, g := files(want), files(got)
	if !reflect.DeepEqual(w, g) {
		t.Fatalf("files %v, want %v", g, w)
	}
	for f := range w {
		a, errA := os.ReadFile(filepath.Join(want, f))
		b, errB := os.ReadFile(filepath.Join(got, f))
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		switch f {
		case "results.json":
			if !reflect.DeepEqual(resultsWithoutTimings(t, want), resultsWithoutTimings(t, got)) {
				t.Error("results.json differs beyond the timings")
			}
		case "report.md":
			a, b = withoutTimingsSection(a), withoutTimingsSection(b)
			fallthrough
		default:
			if !bytes.Equal(a, b) {
				t.Errorf("%s differs", f)
			}
		}
	}
}

// withoutTimingsSection cuts report.md's last section, the timings.
func withoutTimingsSection(md []byte) []byte {
	if i := bytes.LastIndex(md, []byte("\n## Timings\n")); i >= 0 {
		return md[:i]
	}
	return md
}

// TestShardMerge runs the two tiny configs (autoencoder-adversarial and
// autoencoder-group, each with a generated set) as 3 shards and merges
// them: the same results as an unsharded run. The shards run at once:
// one generates the set under the lock while the others wait, then reuse
// it. tiny-attack has two cells, so one shard has none.
func TestShardMerge(t *testing.T) {
	bin, cache := buildBinary(t), t.TempDir()
	for _, name := range []string{"tiny-attack", "tiny-group"} {
		t.Run(name, func(t *testing.T) {
			config := filepath.Join("testdata", name+".yaml")
			want, out := t.TempDir(), t.TempDir()
			runOK(t, bin, cache, "run", "-out", want, config)
			logs := strings.Join(runShards(t, bin, cache, out, 3, config), "")
			if n := strings.Count(logs, "set fgsm: fgsm kept"); n != 1 {
				t.Errorf("the set was generated %d times by the shards, want once:\n%s", n, logs)
			}
			runOK(t, bin, cache, "merge", "-out", out, config)
			sameRun(t, filepath.Join(want, name), filepath.Join(out, name))
		})
	}
}

// TestShardMergeShipped runs the shipped configs ae-mnist (with the
// committed attack sets) and ae-mnist-group (the authors' artefacts) as 3
// shards and merges them: the same results as an unsharded run. About 3
// CPU-minutes.
func TestShardMergeShipped(t *testing.T) {
	bin, cache := buildBinary(t), t.TempDir()
	for _, name := range []string{"ae-mnist", "ae-mnist-group"} {
		t.Run(name, func(t *testing.T) {
			args := []string{name}
			if name == "ae-mnist-group" {
				dir := filepath.Dir(filepath.Dir(refdata.Path(t, "models/mnist_autoencoder.npz")))
				args = []string{"-artifacts", dir, name}
			}
			want, out := t.TempDir(), t.TempDir()
			for _, o := range []string{want, out} {
				copyDir(t, filepath.Join("..", "..", "results", name, "sets"), filepath.Join(o, name, "sets"))
			}
			runOK(t, bin, cache, append([]string{"run", "-out", want}, args...)...)
			runShards(t, bin, cache, out, 3, args...)
			runOK(t, bin, cache, append([]string{"merge", "-out", out}, args...)...)
			sameRun(t, filepath.Join(want, name), filepath.Join(out, name))
		})
	}
}

// copyDir copies the files of src, if it exists, into dst.
func copyDir(t testing.TB, src, dst string) {
	t.Helper()
	ents, err := os.ReadDir(src)
	if os.IsNotExist(err) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err == nil {
			err = os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestMergeErrors checks that merge refuses parts it cannot trust, with
// an error naming the part file: a missing part, a part of another config
// or of another code revision, parts of two splits, and a part whose
// cells are not its shard's.
func TestMergeErrors(t *testing.T) {
	bin, cache := buildBinary(t), t.TempDir()
	config := filepath.Join("testdata", "tiny-attack.yaml")
	done := t.TempDir()
	runShards(t, bin, cache, done, 2, config)
	edit := func(key string, value any) func(t *testing.T, parts string) {
		return func(t *testing.T, parts string) {
			path := filepath.Join(parts, "2-of-2.json")
			var m map[string]any
			raw, err := os.ReadFile(path)
			if err == nil {
				err = json.Unmarshal(raw, &m)
			}
			if err != nil {
				t.Fatal(err)
			}
			m[key] = value
			if raw, err = json.Marshal(m); err == nil {
				err = os.WriteFile(path, raw, 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct {
		name  string
		spoil func(t *testing.T, parts string)
		want  []string
	}{
		{"missing", func(t *testing.T, parts string) { os.Remove(filepath.Join(parts, "2-of-2.json")) },
			[]string{"missing part files", filepath.Join("parts", "2-of-2.json")}},
		{"other config", edit("config_hash", "0123456789ab"),
			[]string{filepath.Join("parts", "2-of-2.json") + " is of another config", "config hash 0123456789ab"}},
		{"other revision", edit("revision", "deadbeef"),
			[]string{filepath.Join("parts", "2-of-2.json") + " was made by code revision deadbeef"}},
		{"other cells", edit("cells", []string{"conv2d_1"}),
			[]string{filepath.Join("parts", "2-of-2.json") + " holds the cells [conv2d_1]"}},
		{"two splits", func(t *testing.T, parts string) {
			os.WriteFile(filepath.Join(parts, "1-of-3.json"), []byte("{}"), 0o644)
		}, []string{"several splits", "2 shards (parts/1-of-2.json, parts/2-of-2.json)", "3 shards (parts/1-of-3.json)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			copyDir(t, filepath.Join(done, "tiny-attack", runner.PartsDir), filepath.Join(out, "tiny-attack", runner.PartsDir))
			tc.spoil(t, filepath.Join(out, "tiny-attack", runner.PartsDir))
			code, stderr := start(t, bin, cache, "", "merge", "-out", out, config).wait(t)
			if code != 1 {
				t.Errorf("exit code %d, want 1:\n%s", code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, stderr)
				}
			}
			if _, err := os.Stat(filepath.Join(out, "tiny-attack", "results.json")); err == nil {
				t.Error("results.json written")
			}
		})
	}
}

// TestShardErrors checks the errors of run -shard before any work: a kind
// without cells (named), a bad shard, two configs.
func TestShardErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"kind without cells", []string{"run", "-shard", "1/2", "-out", t.TempDir(), "ood-mnist"}, 1, "kind ood cannot be sharded"},
		{"bad shard", []string{"run", "-shard", "3/2", "-out", t.TempDir(), "ae-mnist"}, 2, "K must be an integer in 1..2"},
		{"two configs", []string{"run", "-shard", "1/2", "-out", t.TempDir(), "ae-mnist", "ae-mnist"}, 2, "-shard takes one config"},
		{"no parts", []string{"merge", "-out", t.TempDir(), "ae-mnist"}, 1, "no part files"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("XDG_CACHE_HOME", t.TempDir())
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), tc.args, &stdout, &stderr); code != tc.code {
				t.Errorf("exit code %d, want %d: %s", code, tc.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr %q does not say %q", stderr.String(), tc.want)
			}
			if strings.Contains(stderr.String(), "running") {
				t.Errorf("work started: %s", stderr.String())
			}
		})
	}
}

// TestShardTerminated sends SIGTERM (what Slurm and Kubernetes send to
// stop a job) to a shard while it holds the results directory's lock,
// generating the attack set: it stops, exits 130 and releases the lock,
// so that the other shards waiting for it go on.
func TestShardTerminated(t *testing.T) {
	bin, cache := buildBinary(t), t.TempDir()
	out := t.TempDir()
	p := start(t, bin, cache, "set fgsm batch 1", "run", "-shard", "1/2", "-out", out, filepath.Join("testdata", "tiny-attack.yaml"))
	p.waitFor(t, "hold: ")
	if _, err := os.Stat(filepath.Join(out, "tiny-attack", runner.LockFile)); err != nil {
		t.Fatalf("the shard does not hold the lock: %v", err)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code, stderr := p.wait(t)
	if code != exitInterrupted || !strings.Contains(stderr, "interrupted") {
		t.Errorf("exit code %d, want %d:\n%s", code, exitInterrupted, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "tiny-attack", runner.LockFile)); !os.IsNotExist(err) {
		t.Errorf("lock left: %v", err)
	}
}
