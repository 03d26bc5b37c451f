package runner

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// LockFile is the name of the lock file in a results directory: a run
// holds it while it writes there, so that two runs into one directory
// never interleave their writes.
const LockFile = ".lock"

// lockHolder is what a lock file says: the holder's pid, host and start
// time, one "key value" line each.
type lockHolder struct {
	PID   int
	Host  string
	Start string
}

func (h lockHolder) String() string {
	return fmt.Sprintf("pid %d on host %s, started %s", h.PID, h.Host, h.Start)
}

func (h lockHolder) encode() []byte {
	return fmt.Appendf(nil, "pid %d\nhost %s\nstart %s\n", h.PID, h.Host, h.Start)
}

// parseHolder reads a lock file's content; a field it cannot read is left
// zero.
func parseHolder(b []byte) lockHolder {
	var h lockHolder
	for line := range strings.Lines(string(b)) {
		k, v, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch k {
		case "pid":
			h.PID, _ = strconv.Atoi(v)
		case "host":
			h.Host = v
		case "start":
			h.Start = v
		}
	}
	return h
}

// dead reports whether the holder is known to be gone: a process of this
// host that no longer exists. A holder on another host, or unreadable, is
// taken to be alive.
func (h lockHolder) dead(host string) bool {
	if h.PID <= 0 || h.Host != host {
		return false
	}
	err := syscall.Kill(h.PID, 0)
	return errors.Is(err, syscall.ESRCH)
}

// lock creates dir if needed and takes its lock file, naming this process.
// A lock held by a live process (or one on another host) is an error
// naming the holder; the lock of a dead process of this host (a run
// killed by SIGKILL) is taken over. It returns the function that releases
// the lock.
func lock(dir string) (release func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	me := lockHolder{PID: os.Getpid(), Host: host, Start: time.Now().UTC().Format(time.RFC3339)}
	path := filepath.Join(dir, LockFile)
	for attempt := 0; ; attempt++ {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			_, werr := f.Write(me.encode())
			if cerr := f.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				os.Remove(path)
				return nil, fmt.Errorf("runner: lock %s: %w", path, werr)
			}
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, fs.ErrExist) || attempt > 0 {
			return nil, fmt.Errorf("runner: lock %s: %w", path, err)
		}
		old, rerr := os.ReadFile(path)
		if rerr != nil {
			continue // released meanwhile: try again once
		}
		h := parseHolder(old)
		if !h.dead(host) {
			return nil, &busyError{dir: dir, path: path, holder: h}
		}
		if err := takeOver(path, old); err != nil {
			return nil, err
		}
	}
}

// busyError is the error of lock when another live run holds the lock.
type busyError struct {
	dir, path string
	holder    lockHolder
}

func (e *busyError) Error() string {
	return fmt.Sprintf("runner: %s is in use by another run (%s; lock file %s): wait for it to finish, or remove the lock file if that run is gone",
		e.dir, e.holder, e.path)
}

// lockWait takes dir's lock like lock, but while another live run holds
// it, it waits, trying again every poll, and says so once through logf
// (naming the holder). It returns ctx's error if ctx is cancelled while
// waiting. A holder on another host that died is never taken over: its
// lock file must be removed by hand, as the message says.
func lockWait(ctx context.Context, dir string, poll time.Duration, logf func(format string, args ...any)) (release func(), err error) {
	for said := false; ; said = true {
		release, err := lock(dir)
		var busy *busyError
		if !errors.As(err, &busy) {
			return release, err
		}
		if !said && logf != nil {
			logf("waiting for the lock %s, held by %s (remove it if that run is gone)", busy.path, busy.holder)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(poll):
		}
	}
}

// takeOver removes the stale lock file path if it still holds old, the
// content read before: a run that took it over meanwhile keeps it.
func takeOver(path string, old []byte) error {
	now, err := os.ReadFile(path)
	if err != nil || string(now) != string(old) {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("runner: removing the stale lock %s: %w", path, err)
	}
	return nil
}
