#!/bin/sh
# Submits N shards of a subsetscan config as a Slurm job array
# (array.sbatch) and the merge as a job that starts once every shard has
# succeeded. Usage:
#
#   deploy/slurm/submit.sh N [-artifacts DIR|-data DIR|-models DIR] CONFIG
#
# Extra sbatch options go in SBATCH_* environment variables (man sbatch,
# "INPUT ENVIRONMENT VARIABLES"), e.g. SBATCH_PARTITION. Prints the two
# job ids.
set -eu
if [ $# -lt 2 ]; then
	echo "usage: $0 N [flags] CONFIG" >&2
	exit 2
fi
n=$1
shift
here=$(dirname "$0")
shards=$(sbatch --parsable --array=1-"$n" "$here/array.sbatch" "$@")
shards=${shards%%;*}
merge=$(sbatch --parsable --dependency=afterok:"$shards" --kill-on-invalid-dep=yes "$here/array.sbatch" "$@")
echo "shards: job $shards (array 1-$n); merge: job ${merge%%;*}"
