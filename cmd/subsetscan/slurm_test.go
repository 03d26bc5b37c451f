package main

import (
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSlurmArray runs deploy/slurm/submit.sh on a one-node Slurm cluster
// that it starts (munged, slurmctld, slurmd in a temporary directory, on
// their own socket and ports): 3 array tasks, one shard each, then the
// dependent merge job; the results are those of an unsharded run. It
// skips where Slurm (Debian packages slurm-wlm and munge) is not
// installed, and when not run as root (the daemons run as root).
func TestSlurmArray(t *testing.T) {
	for _, cmd := range []string{"sbatch", "scontrol", "sinfo", "slurmctld", "slurmd", "munged"} {
		if _, err := exec.LookPath(cmd); err != nil {
			t.Skipf("no %s: install the Debian packages slurm-wlm and munge to run this test", cmd)
		}
	}
	if os.Geteuid() != 0 {
		t.Skip("the Slurm daemons of this test run as root")
	}
	bin, cache := buildBinary(t), t.TempDir()
	config, err := filepath.Abs(filepath.Join("testdata", "tiny-group.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := t.TempDir()
	runOK(t, bin, cache, "run", "-out", want, config)

	c := startCluster(t)
	out, work := t.TempDir(), t.TempDir()
	submit, err := filepath.Abs(filepath.Join(deployDir, "slurm", "submit.sh"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(submit, "3", config)
	cmd.Dir = work // where Slurm writes the jobs' output
	cmd.Env = append(c.env(), "SUBSETSCAN="+bin, "SUBSETSCAN_OUT="+out, "XDG_CACHE_HOME="+cache, "HOME="+cache)
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("submit.sh: %v:\n%s", err, b)
	}
	m := regexp.MustCompile(`shards: job (\d+) .*merge: job (\d+)`).FindStringSubmatch(string(b))
	if m == nil {
		t.Fatalf("submit.sh printed %q", b)
	}
	state := c.waitJob(t, m[2], 5*time.Minute)
	if state != "COMPLETED" {
		logs, _ := filepath.Glob(filepath.Join(work, "slurm-*.out"))
		var all strings.Builder
		for _, l := range logs {
			b, _ := os.ReadFile(l)
			fmt.Fprintf(&all, "== %s\n%s", filepath.Base(l), b)
		}
		t.Fatalf("merge job %s: %s\n%s", m[2], state, all.String())
	}
	// sbatch --array=1-3 writes the output of task K to slurm-ID_K.out.
	for k := 1; k <= 3; k++ {
		b, err := os.ReadFile(filepath.Join(work, fmt.Sprintf("slurm-%s_%d.out", m[1], k)))
		if err != nil || !strings.Contains(string(b), fmt.Sprintf("shard %d of 3 written", k)) {
			t.Errorf("array task %d: %v:\n%s", k, err, b)
		}
	}
	sameRun(t, filepath.Join(want, "tiny-group"), filepath.Join(out, "tiny-group"))
}

// cluster is a one-node Slurm cluster run by a test.
type cluster struct {
	dir string // its configuration, state and logs
}

// env returns the environment of Slurm's commands for the cluster.
func (c cluster) env() []string {
	return append(os.Environ(), "SLURM_CONF="+filepath.Join(c.dir, "slurm.conf"))
}

// startCluster starts munged, slurmctld and slurmd in a temporary
// directory and waits until the node is idle; the test's cleanup stops
// them, by their process ids.
func startCluster(t *testing.T) cluster {
	t.Helper()
	c := cluster{dir: t.TempDir()}
	key := make([]byte, 1024)
	rand.Read(key)
	keyFile, socket := filepath.Join(c.dir, "munge.key"), filepath.Join(c.dir, "munge.socket")
	if err := os.WriteFile(keyFile, key, 0o400); err != nil {
		t.Fatal(err)
	}
	c.daemon(t, "munged", "--foreground", "--force", "--key-file="+keyFile, "--socket="+socket,
		"--pid-file="+filepath.Join(c.dir, "munged.pid"), "--log-file="+filepath.Join(c.dir, "munged.log"),
		"--seed-file="+filepath.Join(c.dir, "munged.seed"))
	waitFor(t, "munged's socket", 10*time.Second, func() bool { _, err := os.Stat(socket); return err == nil })
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"state", "spool"} {
		if err := os.Mkdir(filepath.Join(c.dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	conf := fmt.Sprintf(`ClusterName=subsetscan-test
SlurmctldHost=%[1]s
SlurmUser=root
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
AuthInfo=socket=%[2]s
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=%[3]s/state
SlurmdSpoolDir=%[3]s/spool
SlurmctldPidFile=%[3]s/slurmctld.pid
SlurmdPidFile=%[3]s/slurmd.pid
SlurmctldLogFile=%[3]s/slurmctld.log
SlurmdLogFile=%[3]s/slurmd.log
NodeName=%[1]s CPUs=%[4]d RealMemory=%[5]d State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
`, host, socket, c.dir, runtime.NumCPU(), memoryMB(t)-1024)
	if err := os.WriteFile(filepath.Join(c.dir, "slurm.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	c.daemon(t, "slurmctld", "-D", "-i", "-f", filepath.Join(c.dir, "slurm.conf"))
	c.daemon(t, "slurmd", "-D", "-f", filepath.Join(c.dir, "slurm.conf"))
	waitFor(t, "an idle node", 60*time.Second, func() bool {
		cmd := exec.Command("sinfo", "-h", "-o", "%T")
		cmd.Env = c.env()
		b, err := cmd.Output()
		return err == nil && strings.TrimSpace(string(b)) == "idle"
	})
	return c
}

// daemon starts a daemon of the cluster, stopped (SIGTERM, then SIGKILL)
// when the test ends; its output goes to DIR/<name>.out.
func (c cluster) daemon(t *testing.T, name string, args ...string) {
	t.Helper()
	f, err := os.Create(filepath.Join(c.dir, name+".out"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(name, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = c.env(), f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); f.Close(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			for _, log := range []string{name + ".out", name + ".log"} {
				if b, err := os.ReadFile(filepath.Join(c.dir, log)); err == nil && len(b) > 0 {
					t.Logf("%s:\n%s", log, b)
				}
			}
		}
	})
}

// waitJob waits until job id ends and returns its state (COMPLETED,
// FAILED, CANCELLED...), or "TIMEOUT" after limit.
func (c cluster) waitJob(t *testing.T, id string, limit time.Duration) string {
	t.Helper()
	state := regexp.MustCompile(`JobState=(\S+)`)
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		cmd := exec.Command("scontrol", "show", "job", id)
		cmd.Env = c.env()
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("scontrol show job %s: %v", id, err)
		}
		if m := state.FindSubmatch(b); m != nil {
			switch s := string(m[1]); s {
			case "PENDING", "CONFIGURING", "RUNNING", "COMPLETING":
			default:
				return s
			}
		}
		time.Sleep(time.Second)
	}
	return "TIMEOUT"
}

// waitFor polls ok until it holds, failing the test after limit.
func waitFor(t *testing.T, what string, limit time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after %v", what, limit)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// memoryMB returns the machine's memory in MB (MemTotal of /proc/meminfo).
func memoryMB(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		t.Skipf("no /proc/meminfo: %v", err)
	}
	var kb int
	if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err != nil {
		t.Fatalf("/proc/meminfo: %v", err)
	}
	return kb / 1024
}
