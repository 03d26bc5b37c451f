package runner

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLock checks the lock of a results directory: taken when free,
// refused (naming the holder) while a live process or another host holds
// it, taken over from a dead process of this host, released.
func TestLock(t *testing.T) {
	host, _ := os.Hostname()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skipf("no true command: %v", err)
	}
	for _, tc := range []struct {
		name   string
		holder *lockHolder
		want   string // error, "" for none
	}{
		{"free", nil, ""},
		{"dead process", &lockHolder{PID: dead.Process.Pid, Host: host, Start: "2026-01-01T00:00:00Z"}, ""},
		{"live process", &lockHolder{PID: os.Getppid(), Host: host, Start: "2026-01-01T00:00:00Z"},
			"in use by another run (pid " + strconv.Itoa(os.Getppid()) + " on host " + host + ", started 2026-01-01T00:00:00Z"},
		{"other host", &lockHolder{PID: dead.Process.Pid, Host: host + "-other", Start: "s"}, "on host " + host + "-other"},
		{"unreadable", &lockHolder{}, "in use by another run"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "x")
			path := filepath.Join(dir, LockFile)
			if tc.holder != nil {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, tc.holder.encode(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			release, err := lock(dir)
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("got %v, want an error containing %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if h := parseHolder(b); h.PID != os.Getpid() || h.Host != host || h.Start == "" {
				t.Errorf("lock file %q does not name this process", b)
			}
			if _, err := lock(dir); err == nil {
				t.Error("a second lock of a held directory succeeded")
			}
			release()
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("lock not released: %v", err)
			}
		})
	}
}
