package runner_test

import (
	"fmt"

	"subsetscan/runner"
)

func ExampleParseShard() {
	// The third task of sbatch --array=0-3.
	slurm := map[string]string{"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "4"}
	k, n, err := runner.ParseShard("auto", func(v string) string { return slurm[v] })
	fmt.Println(k, n, err, runner.PartFile(k, n))
	// Pod 0 of a Kubernetes Indexed Job of 5 completions.
	kube := map[string]string{"JOB_COMPLETION_INDEX": "0"}
	k, n, err = runner.ParseShard("auto/5", func(v string) string { return kube[v] })
	fmt.Println(k, n, err, runner.PartFile(k, n))
	// Output:
	// 3 4 <nil> parts/3-of-4.json
	// 1 5 <nil> parts/1-of-5.json
}
