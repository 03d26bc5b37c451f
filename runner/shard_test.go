package runner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		name, spec string
		env        map[string]string
		k, n       int
		err        string // "" for none
	}{
		{"explicit", "2/3", nil, 2, 3, ""},
		{"explicit beats the environment", "1/2", map[string]string{"SLURM_ARRAY_TASK_ID": "5"}, 1, 2, ""},
		{"K beyond N", "4/3", nil, 0, 0, "K must be an integer in 1..3"},
		{"K zero", "0/3", nil, 0, 0, "K must be an integer in 1..3"},
		{"N zero", "1/0", nil, 0, 0, "N must be a positive integer"},
		{"no N", "2", nil, 0, 0, "want K/N, auto or auto/N"},
		{"garbage", "a/b", nil, 0, 0, "N must be a positive integer"},
		// sbatch --array=0-2: ids 0, 1, 2.
		{"slurm from 0", "auto", map[string]string{"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "3"}, 1, 3, ""},
		{"slurm from 0, last", "auto", map[string]string{"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "3"}, 3, 3, ""},
		// sbatch --array=1-3.
		{"slurm from 1", "auto", map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "3"}, 1, 3, ""},
		{"slurm from 1, last", "auto", map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_STEP": "1"}, 3, 3, ""},
		// sbatch --array=10-16:3: ids 10, 13, 16.
		{"slurm with a step", "auto", map[string]string{"SLURM_ARRAY_TASK_ID": "13", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_STEP": "3"}, 2, 3, ""},
		{"slurm, N agrees", "auto/3", map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "3"}, 1, 3, ""},
		{"slurm, N disagrees", "auto/4", map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "3"}, 0, 0, "SLURM_ARRAY_TASK_COUNT=3"},
		{"slurm without MIN", "auto", map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "3"}, 0, 0, `SLURM_ARRAY_TASK_MIN=""`},
		// sbatch --array=1,4,9: not evenly spaced.
		{"slurm sparse", "auto", map[string]string{"SLURM_ARRAY_TASK_ID": "9", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "3"}, 0, 0, "SLURM_ARRAY_TASK_ID=9 is not one of 3"},
		{"kubernetes first", "auto/4", map[string]string{"JOB_COMPLETION_INDEX": "0"}, 1, 4, ""},
		{"kubernetes last", "auto/4", map[string]string{"JOB_COMPLETION_INDEX": "3"}, 4, 4, ""},
		{"kubernetes beyond N", "auto/4", map[string]string{"JOB_COMPLETION_INDEX": "4"}, 0, 0, "JOB_COMPLETION_INDEX=\"4\" must be an integer in 0..3"},
		{"kubernetes without N", "auto", map[string]string{"JOB_COMPLETION_INDEX": "0"}, 0, 0, "use -shard auto/N"},
		{"no engine", "auto/2", nil, 0, 0, "neither SLURM_ARRAY_TASK_ID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, n, err := ParseShard(tc.spec, func(v string) string { return tc.env[v] })
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %d/%d, %v; want an error containing %q", k, n, err, tc.err)
				}
				return
			}
			if err != nil || k != tc.k || n != tc.n {
				t.Fatalf("got %d/%d, %v; want %d/%d", k, n, err, tc.k, tc.n)
			}
		})
	}
}

// TestLockWait checks that lockWait waits while a live process holds the
// lock, saying so once and naming it, takes the lock once it is
// released, and gives up when its context is cancelled.
func TestLockWait(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "x")
	release, err := lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Hold the lock in the name of the parent process (alive, not us).
	host, _ := os.Hostname()
	if err := os.WriteFile(filepath.Join(dir, LockFile), lockHolder{PID: os.Getppid(), Host: host, Start: "s"}.encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	var said []string
	logf := func(format string, args ...any) { said = append(said, format) }
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := lockWait(ctx, dir, time.Millisecond, logf); err != context.DeadlineExceeded {
		t.Errorf("cancelled while waiting: got %v", err)
	}
	if len(said) != 1 || !strings.Contains(said[0], "waiting for the lock") {
		t.Errorf("said %q, want one waiting line", said)
	}
	done := make(chan error)
	go func() {
		rel, err := lockWait(t.Context(), dir, time.Millisecond, nil)
		if err == nil {
			rel()
		}
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	release()
	if err := <-done; err != nil {
		t.Errorf("after the release: %v", err)
	}
}
