#!/usr/bin/env bash
# Server CPU by thread (event loop, the database worker) while bench/run.py loads one target
# with one workload at N connections: the ticks (1/100 s) each thread spent in user and system
# mode over 4 s of the measured window, read from /proc/<pid>/task/*/stat; then run.py's row.
#
#   bench/thread_cpu.sh CONNECTIONS WORKLOAD TARGET     e.g. bench/thread_cpu.sh 2 create typedws
#
# Run from the repository root with the bench virtualenv (.venv-bench) in place. RESULTS.md is
# not touched (run.py writes its table to a file in /tmp).
set -euo pipefail
cd "$(dirname "$0")/.."
connections=$1 workload=$2 target=$3
work=$(mktemp -d)
.venv-bench/bin/python bench/run.py --targets "$target" --workloads "$workload" \
  --connections "$connections" --repeat 1 --duration 8 --output "$work/table.md" --label thread_cpu \
  >"$work/run.log" 2>&1 &
runner=$!
pid=
for _ in $(seq 1 120); do
  pid=$(grep -o "uvicorn pid [0-9]*" "$work/run.log" | awk '{print $3}' || true)
  [ -n "$pid" ] && break
  sleep 0.5
done
[ -n "$pid" ] || { cat "$work/run.log"; exit 1; }
sample() { for task in /proc/"$pid"/task/*; do echo "$(cat "$task/comm") $(awk '{print $14, $15}' "$task/stat")"; done; }
sleep 4  # past the warm-up
sample >"$work/before"
sleep 4
sample >"$work/after"
paste "$work/before" "$work/after" |
  awk '$5 - $2 + $6 - $3 > 0 {print $1 ": user " $5 - $2 " ticks, system " $6 - $3 " ticks"}'
wait "$runner"
grep "^| $target " "$work/run.log"
