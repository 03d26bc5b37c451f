#!/bin/sh
# bench-cli.sh: the whole-process benchmark of "subsetscan scan", timed as a
# user runs it, with GNU time (/usr/bin/time -v) for the wall and CPU times
# and the peak resident memory.
#
#   scripts/bench-cli.sh [BIN]        (make bench-cli builds bin/subsetscan first)
#
# Cases (inputs written once by internal/benchgen, seed 1, into $BENCH_DIR,
# then read from the page cache, as just after numpy.save):
#   a: background 3000 × 4096 float32, 1000 eval rows, Berk-Jones individual
#      scans, -o out.json; target 0.25 s wall on 2 cores
#   b: background 7000 × 12544, 3000 eval rows, the same; target 2 s
# Memory limit: 1.5 × the input files + the p-value ranges (N×J×2 float64).
# Each case runs $RUNS times (3); CASES="a" runs one case only. The exit
# status is 1 if a run misses its target.
set -eu

BIN=${1:-bin/subsetscan}
RUNS=${RUNS:-3}
CASES=${CASES:-a b}
DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/subsetscan-bench-cli}
GO=${GO:-go}

TIME=${TIME:-/usr/bin/time} # GNU time

if ! [ -x "$TIME" ] || ! "$TIME" -v true >/dev/null 2>&1; then
	echo "bench-cli: GNU time ($TIME, with -v) is missing: it measures the wall and CPU times and the peak memory." >&2
	echo "bench-cli: install the Debian package 'time': sudo apt-get install time" >&2
	exit 1
fi
if ! [ -x "$BIN" ]; then
	echo "bench-cli: no binary $BIN: run make build (or make bench-cli)" >&2
	exit 1
fi

# params CASE: background rows, eval rows, nodes, wall target (s).
params() {
	case $1 in
	a) echo 3000 1000 4096 0.25 ;;
	b) echo 7000 3000 12544 2 ;;
	*) echo "bench-cli: unknown case $1" >&2; exit 2 ;;
	esac
}

mkdir -p "$DIR"
for c in $CASES; do
	set -- $(params "$c")
	d=$DIR/$c
	stamp="seed 1: $1 × $3 background, $2 eval rows"
	if [ "$(cat "$d/stamp" 2>/dev/null)" != "$stamp" ]; then
		echo "bench-cli: writing the inputs of case $c ($stamp) in $d" >&2
		mkdir -p "$d"
		$GO run ./internal/benchgen -seed 1 -background "$1" -eval "$2" -nodes "$3" -dir "$d"
		echo "$stamp" >"$d/stamp"
	fi
done

# The machine's load bears on the wall times: say what it was.
echo "bench-cli: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //'), $(nproc) cores; load average at the start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
printf '%-4s %-4s %7s %7s %7s %12s %9s %9s %s\n' case run "wall s" "user s" "sys s" "peak RSS MB" "input MB" "limit MB" result
fail=0
for c in $CASES; do
	set -- $(params "$c")
	d=$DIR/$c
	cat "$d/bg.npy" "$d/ev.npy" >/dev/null # into the page cache
	input=$(( $(wc -c <"$d/bg.npy") + $(wc -c <"$d/ev.npy") ))
	i=1
	while [ "$i" -le "$RUNS" ]; do
		rm -f "$d/time.txt" "$d/out.json"
		"$TIME" -v -o "$d/time.txt" "$BIN" scan -background "$d/bg.npy" -eval "$d/ev.npy" -score bj -o "$d/out.json"
		if ! grep -q 'Maximum resident set size' "$d/time.txt" 2>/dev/null || ! [ -s "$d/out.json" ]; then
			echo "bench-cli: case $c: $TIME wrote no measurements, or $BIN no out.json" >&2
			exit 1
		fi
		awk -v c="$c" -v i="$i" -v n="$2" -v j="$3" -v target="$4" -v input="$input" '
			/Elapsed \(wall clock\)/ { k = split($NF, t, ":"); wall = 0; for (m = 1; m <= k; m++) wall = wall * 60 + t[m] }
			/User time/ { user = $NF }
			/System time/ { sys = $NF }
			/Maximum resident set size/ { rss = $NF * 1024 / 1e6 }
			END {
				limit = 1.5 * input / 1e6 + n * j * 16 / 1e6
				ok = wall <= target && rss <= limit
				printf "%-4s %-4s %7.2f %7.2f %7.2f %12.0f %9.0f %9.0f %s\n", c, i, wall, user, sys, rss, input / 1e6, limit, ok ? "pass" : sprintf("FAIL (target %s s)", target)
				exit !ok
			}' "$d/time.txt" || fail=1
		i=$((i + 1))
	done
done
echo "bench-cli: load average at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
exit $fail
