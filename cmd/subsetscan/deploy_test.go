package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// deployDir is the directory of the deploy files, from this package's.
var deployDir = filepath.Join("..", "..", "deploy")

// TestKubernetesIndexedJob checks that deploy/kubernetes/indexed-job.yaml
// is consistent: an Indexed Job of N completions and N in parallel whose
// pods run "run -shard auto/N" into the shared volume, and a merge Job
// that waits for the N parts of the same config there and merges N
// shards, with the same image.
func TestKubernetesIndexedJob(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(deployDir, "kubernetes", "indexed-job.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	type container struct {
		Image        string
		Command      []string
		Args         []string
		VolumeMounts []struct {
			Name      string
			MountPath string `yaml:"mountPath"`
		} `yaml:"volumeMounts"`
	}
	type doc struct {
		Kind     string
		Metadata struct{ Name string }
		Spec     struct {
			CompletionMode string `yaml:"completionMode"`
			Completions    int
			Parallelism    int
			Template       struct {
				Spec struct {
					InitContainers []container `yaml:"initContainers"`
					Containers     []container
					Volumes        []struct {
						Name string
						PVC  struct {
							ClaimName string `yaml:"claimName"`
						} `yaml:"persistentVolumeClaim"`
					}
				}
			}
		}
	}
	var docs []doc
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	for {
		var d doc
		if err := dec.Decode(&d); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	if len(docs) != 3 || docs[0].Kind != "PersistentVolumeClaim" || docs[1].Kind != "Job" || docs[2].Kind != "Job" {
		t.Fatalf("want a PersistentVolumeClaim and two Jobs, got %+v", docs)
	}
	claim := docs[0].Metadata.Name
	shards, merge := docs[1].Spec, docs[2].Spec
	n := shards.Completions
	if shards.CompletionMode != "Indexed" || n < 2 || shards.Parallelism != n {
		t.Errorf("shards Job: completionMode %q, completions %d, parallelism %d", shards.CompletionMode, n, shards.Parallelism)
	}
	shard, m := shards.Template.Spec.Containers[0], merge.Template.Spec.Containers[0]
	config := shard.Args[len(shard.Args)-1]
	for _, c := range []struct {
		what string
		got  []string
		want []string
	}{
		{"shard args", shard.Args, []string{"run", "-shard", fmt.Sprintf("auto/%d", n), "-out", "/results", config}},
		{"merge args", m.Args, []string{"merge", "-shards", fmt.Sprint(n), "-out", "/results", config}},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s %q, want %q", c.what, c.got, c.want)
		}
	}
	if shard.Image != m.Image {
		t.Errorf("shards run %s, merge %s", shard.Image, m.Image)
	}
	wait := strings.Join(merge.Template.Spec.InitContainers[0].Command, " ")
	if !strings.Contains(wait, fmt.Sprintf("/results/%s/parts/*-of-%d.json", config, n)) || !strings.Contains(wait, fmt.Sprintf("-ge %d ]", n)) {
		t.Errorf("the merge's init container does not wait for the %d parts of %s: %s", n, config, wait)
	}
	for _, job := range []doc{docs[1], docs[2]} {
		spec := job.Spec.Template.Spec
		if len(spec.Volumes) != 1 || spec.Volumes[0].PVC.ClaimName != claim {
			t.Errorf("Job %s does not mount the claim %s: %+v", job.Metadata.Name, claim, spec.Volumes)
		}
		for _, c := range append(spec.InitContainers, spec.Containers...) {
			if len(c.VolumeMounts) != 1 || c.VolumeMounts[0].MountPath != "/results" {
				t.Errorf("Job %s: a container does not mount the results at /results: %+v", job.Metadata.Name, c.VolumeMounts)
			}
		}
	}
}

// TestSlurmScriptWithoutSlurm runs deploy/slurm/array.sbatch as Slurm
// would, without Slurm: three array tasks with ids 0-2 (the environment
// of sbatch --array=0-2) at once, then the script as a plain job, the
// merge. The results are those of an unsharded run.
func TestSlurmScriptWithoutSlurm(t *testing.T) {
	bin, cache := buildBinary(t), t.TempDir()
	config := filepath.Join("testdata", "tiny-group.yaml")
	want, out := t.TempDir(), t.TempDir()
	runOK(t, bin, cache, "run", "-out", want, config)
	script := filepath.Join(deployDir, "slurm", "array.sbatch")
	env := append(os.Environ(), "SUBSETSCAN="+bin, "SUBSETSCAN_OUT="+out, "XDG_CACHE_HOME="+cache, "HOME="+cache)
	var tasks []*exec.Cmd
	var logs []*bytes.Buffer
	for id := range 3 {
		cmd := exec.Command("bash", script, config)
		cmd.Env = append(slices.Clip(env), fmt.Sprintf("SLURM_ARRAY_TASK_ID=%d", id), "SLURM_ARRAY_TASK_MIN=0",
			"SLURM_ARRAY_TASK_COUNT=3", "SLURM_ARRAY_TASK_STEP=1", "SLURM_CPUS_PER_TASK=1")
		var b bytes.Buffer
		cmd.Stdout, cmd.Stderr = &b, &b
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		tasks, logs = append(tasks, cmd), append(logs, &b)
	}
	for i, cmd := range tasks {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("task %d: %v:\n%s", i, err, logs[i])
		}
		if want := fmt.Sprintf("shard %d of 3 written", i+1); !strings.Contains(logs[i].String(), want) {
			t.Errorf("task %d does not say %q:\n%s", i, want, logs[i])
		}
	}
	cmd := exec.Command("bash", script, config)
	cmd.Env = env
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("merge: %v:\n%s", err, b)
	}
	sameRun(t, filepath.Join(want, "tiny-group"), filepath.Join(out, "tiny-group"))
}
