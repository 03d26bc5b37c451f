package runner

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseShard reads the shard of a -shard flag, spec, and returns k of n
// (1 ≤ k ≤ n). spec is
//
//   - "K/N": shard K of N, 1-based;
//   - "auto": K and N from a Slurm job array: K is SLURM_ARRAY_TASK_ID −
//     SLURM_ARRAY_TASK_MIN, divided by SLURM_ARRAY_TASK_STEP (1 when
//     unset), plus 1, so that arrays numbered from 0, from 1 or from any
//     first id map onto 1..N; N is SLURM_ARRAY_TASK_COUNT. Only arrays of
//     evenly spaced ids qualify (--array=0-3 or 1-7:2, not 1,4,9);
//   - "auto/N": N given, K from a Slurm job array as above (whose count
//     must then be N), or else from a Kubernetes Indexed Job:
//     JOB_COMPLETION_INDEX (0-based) plus 1.
//
// getenv returns an environment variable ("" when unset). Errors name the
// flag value or the variables.
func ParseShard(spec string, getenv func(string) string) (k, n int, err error) {
	head, tail, hasN := strings.Cut(spec, "/")
	if hasN {
		if n, err = strconv.Atoi(tail); err != nil || n < 1 {
			return 0, 0, fmt.Errorf("-shard %s: N must be a positive integer", spec)
		}
	}
	switch {
	case head != "auto":
		if !hasN {
			return 0, 0, fmt.Errorf("-shard %s: want K/N, auto or auto/N", spec)
		}
		if k, err = strconv.Atoi(head); err != nil || k < 1 || k > n {
			return 0, 0, fmt.Errorf("-shard %s: K must be an integer in 1..%d", spec, n)
		}
		return k, n, nil
	case getenv("SLURM_ARRAY_TASK_ID") != "":
		return slurmShard(spec, n, getenv)
	case getenv("JOB_COMPLETION_INDEX") != "":
		if !hasN {
			return 0, 0, fmt.Errorf("-shard auto: JOB_COMPLETION_INDEX gives the shard but not their number: use -shard auto/N, N the Job's completions")
		}
		i, err := strconv.Atoi(getenv("JOB_COMPLETION_INDEX"))
		if err != nil || i < 0 || i >= n {
			return 0, 0, fmt.Errorf("-shard %s: JOB_COMPLETION_INDEX=%q must be an integer in 0..%d", spec, getenv("JOB_COMPLETION_INDEX"), n-1)
		}
		return i + 1, n, nil
	}
	return 0, 0, fmt.Errorf("-shard %s: neither SLURM_ARRAY_TASK_ID (a Slurm job array) nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set", spec)
}

// slurmShard returns the shard of a Slurm array task; n is the -shard
// flag's N, 0 when not given.
func slurmShard(spec string, n int, getenv func(string) string) (int, int, error) {
	vars := map[string]int{"SLURM_ARRAY_TASK_STEP": 1}
	for _, v := range []string{"SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_STEP"} {
		s := getenv(v)
		if s == "" && v == "SLURM_ARRAY_TASK_STEP" {
			continue
		}
		x, err := strconv.Atoi(s)
		if err != nil || x < 0 {
			return 0, 0, fmt.Errorf("-shard %s: %s=%q is not a non-negative integer", spec, v, s)
		}
		vars[v] = x
	}
	id, first, count, step := vars["SLURM_ARRAY_TASK_ID"], vars["SLURM_ARRAY_TASK_MIN"], vars["SLURM_ARRAY_TASK_COUNT"], vars["SLURM_ARRAY_TASK_STEP"]
	if n != 0 && n != count {
		return 0, 0, fmt.Errorf("-shard %s: N is %d, but the Slurm array has SLURM_ARRAY_TASK_COUNT=%d tasks", spec, n, count)
	}
	if step < 1 || id < first || (id-first)%step != 0 || (id-first)/step >= count {
		return 0, 0, fmt.Errorf("-shard %s: SLURM_ARRAY_TASK_ID=%d is not one of %d evenly spaced ids from SLURM_ARRAY_TASK_MIN=%d by SLURM_ARRAY_TASK_STEP=%d: "+
			"use an array of evenly spaced ids (--array=1-N)", spec, id, count, first, step)
	}
	return (id-first)/step + 1, count, nil
}
