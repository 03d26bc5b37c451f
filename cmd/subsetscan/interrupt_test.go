package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"subsetscan/runner"
)

// The tests of this file run the binary, built once, on
// testdata/tiny-attack.yaml (a generated set of three checkpoint batches,
// two layers: about 2 s a run), stop it at a point named by holdEnv with
// real signals, and check what the next run does.

var built struct {
	once sync.Once
	path string
	err  error
}

// buildBinary builds subsetscan once for the tests of this file and the
// benchmarks of the package.
func buildBinary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "subsetscan-test")
		if err != nil {
			built.err = err
			return
		}
		built.path = filepath.Join(dir, "subsetscan")
		out, err := exec.Command("go", "build", "-o", built.path, ".").CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

// proc is a running subsetscan whose stderr is read line by line.
type proc struct {
	cmd    *exec.Cmd
	lines  chan string // stderr
	stderr bytes.Buffer
	done   chan struct{}
}

// start runs the binary with args and the hold point hold ("" for none);
// the cache of the shipped models is in cache.
func start(t *testing.T, bin, cache, hold string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), holdEnv+"="+hold, "XDG_CACHE_HOME="+cache, "HOME="+cache)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, lines: make(chan string, 100), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			p.stderr.WriteString(sc.Text() + "\n")
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
	}()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return p
}

// waitFor waits until the process prints a line containing s.
func (p *proc) waitFor(t *testing.T, s string) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case l := <-p.lines:
			if strings.Contains(l, s) {
				return
			}
		case <-p.done:
			t.Fatalf("the process ended without printing %q:\n%s", s, p.stderr.String())
		case <-timeout:
			t.Fatalf("no %q after 30 s:\n%s", s, p.stderr.String())
		}
	}
}

// wait waits for the process to end and returns its exit code and stderr.
func (p *proc) wait(t *testing.T) (int, string) {
	t.Helper()
	go func() {
		for range p.lines {
		}
	}()
	// Read stderr to its end before Wait, which closes the pipe once the
	// process has exited and may lose what the reader has not taken yet
	// (os/exec: "it is incorrect to call Wait before all reads from the
	// pipe have completed"): an error message went missing that way.
	<-p.done
	err := p.cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return p.cmd.ProcessState.ExitCode(), p.stderr.String()
}

// runTiny runs tiny-attack into out to the end and returns its stderr.
func runTiny(t *testing.T, bin, cache, out string) string {
	t.Helper()
	code, stderr := start(t, bin, cache, "", "run", "-out", out, "testdata/tiny-attack.yaml").wait(t)
	if code != 0 {
		t.Fatalf("exit code %d:\n%s", code, stderr)
	}
	return stderr
}

// resultsWithoutTimings reads dir's results.json without its timings.
func resultsWithoutTimings(t *testing.T, dir string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "timings")
	return m
}

// TestKilledRunsResume kills a run (SIGKILL) during the attack, after its
// second checkpoint batch; the next run during the scans; the next while
// it writes the report; a last run completes. Each reuses what the one
// before finished (and takes over the killed run's lock), and the last
// writes the results and the set of an uninterrupted run.
func TestKilledRunsResume(t *testing.T) {
	bin, cache := buildBinary(t), t.TempDir()
	want := t.TempDir()
	runTiny(t, bin, cache, want)
	out := t.TempDir()
	dir := filepath.Join(out, "tiny-attack")
	for _, step := range []struct{ hold, reused string }{
		{"set fgsm batch 2", ""},
		{"layer conv2d_1 scanned", "reusing the checkpoint of images 100-199"},
		{"results saved", "set fgsm: reusing"},
	} {
		p := start(t, bin, cache, step.hold, "run", "-out", out, "testdata/tiny-attack.yaml")
		p.waitFor(t, "hold: "+step.hold)
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_, stderr := p.wait(t)
		if !strings.Contains(stderr, step.reused) {
			t.Errorf("run killed at %q: no %q:\n%s", step.hold, step.reused, stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, runner.LockFile)); err != nil {
			t.Errorf("the killed run left no lock: %v", err)
		}
	}
	stderr := runTiny(t, bin, cache, out)
	if !strings.Contains(stderr, "set fgsm: reusing") {
		t.Errorf("the last run did not reuse the set:\n%s", stderr)
	}
	if got, want := resultsWithoutTimings(t, dir), resultsWithoutTimings(t, filepath.Join(want, "tiny-attack")); !reflect.DeepEqual(got, want) {
		t.Error("results.json differs from that of an uninterrupted run")
	}
	for _, f := range []string{"sets/fgsm.npy", "sets/fgsm_indices.npy", "sets/fgsm.key", "report.md"} {
		a, errA := os.ReadFile(filepath.Join(dir, f))
		b, errB := os.ReadFile(filepath.Join(want, "tiny-attack", f))
		if errA != nil || errB != nil || (!bytes.Equal(a, b) && f != "report.md") {
			t.Errorf("%s differs from that of an uninterrupted run (%v, %v)", f, errA, errB)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, runner.LockFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock left after the run: %v", err)
	}
}

// TestInterruptedRun sends SIGINT during the scans: the run stops there,
// exits 130 saying "interrupted" and what is kept, and releases its lock;
// with a step that ignores the first SIGINT, a second ends the process.
func TestInterruptedRun(t *testing.T) {
	bin, cache := buildBinary(t), t.TempDir()
	for _, tc := range []struct {
		name, hold string
		signals    int
		want       []string
	}{
		{"one SIGINT", "layer conv2d_1 scanned", 1, []string{"stopping after the current step", "interrupted", "kept: the finished attack sets"}},
		{"two SIGINTs", "layer conv2d_1 scanned!", 2, []string{"Ctrl-C again to quit now", "subsetscan: interrupted"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			p := start(t, bin, cache, tc.hold, "run", "-out", out, "testdata/tiny-attack.yaml")
			p.waitFor(t, "hold: ")
			for i := range tc.signals {
				if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
					t.Fatal(err)
				}
				if i == 0 && tc.signals > 1 {
					p.waitFor(t, "stopping after the current step")
				}
			}
			code, stderr := p.wait(t)
			if code != exitInterrupted {
				t.Errorf("exit code %d, want %d:\n%s", code, exitInterrupted, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, stderr)
				}
			}
			if _, err := os.Stat(filepath.Join(out, "tiny-attack", "results.json")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("results.json written by an interrupted run: %v", err)
			}
		})
	}
}

// TestConcurrentRunRefused starts a run and, while it holds its results
// directory, a second into the same directory: the second refuses, naming
// the first's pid, and writes nothing.
func TestConcurrentRunRefused(t *testing.T) {
	bin, cache := buildBinary(t), t.TempDir()
	out := t.TempDir()
	first := start(t, bin, cache, "set fgsm batch 1", "run", "-out", out, "testdata/tiny-attack.yaml")
	first.waitFor(t, "hold: ")
	code, stderr := start(t, bin, cache, "", "run", "-out", out, "testdata/tiny-attack.yaml").wait(t)
	if code != 1 {
		t.Errorf("second run: exit code %d, want 1:\n%s", code, stderr)
	}
	host, _ := os.Hostname()
	for _, w := range []string{"in use by another run", fmt.Sprintf("pid %d on host %s", first.cmd.Process.Pid, host), runner.LockFile} {
		if !strings.Contains(stderr, w) {
			t.Errorf("second run's stderr does not say %q:\n%s", w, stderr)
		}
	}
	if strings.Contains(stderr, "set fgsm") {
		t.Errorf("the second run worked:\n%s", stderr)
	}
	first.cmd.Process.Signal(os.Interrupt)
	if code, stderr := first.wait(t); code != exitInterrupted {
		t.Errorf("first run: exit code %d:\n%s", code, stderr)
	}
}
