#!/usr/bin/env bash
# Replicated benchmark (issue 3): builds sluiced, sluice and the benches (BUILD_DIR, Release by
# default), brings up 3 ZooKeeper + 3 brokers on this machine with `sluice cluster up` under a temp
# dir, and measures with acks=all:
#   - producer throughput and latency at 100 B on an RF 1 topic and an RF 3 topic
#     (min.insync.replicas=2) of the same cluster, in the same run, so RF3/RF1 is a same-run ratio;
#   - producer throughput at 1 KiB, RF 3;
#   - latency percentiles at a steady STEADY_RATE msg/s (default 10000), RF 3, 100 B, linger.ms 0;
#   - consumer throughput at 100 B from the RF 3 topic (and the RF 1 topic, for the ratio).
# Stops everything by PID (sluice cluster down) and appends the output, the exact commands, the
# ratios and the targets (met or missed) to bench/RESULTS.md.
#
#   bench/run_rf3.sh                      (or bench/run.sh --rf3)
#   RECORDS_100B=2000000 RECORDS_1K=300000 STEADY_SECONDS=30 bench/run_rf3.sh
#   PERF_DIR=/tmp/prof bench/run_rf3.sh   also `perf record` the three brokers during the RF 3
#                                         100 B producer run and the RF 3 consumer run
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
RECORDS_100B=${RECORDS_100B:-1000000}
RECORDS_1K=${RECORDS_1K:-300000}
PARTITIONS=${PARTITIONS:-6}
STEADY_RATE=${STEADY_RATE:-10000}
STEADY_SECONDS=${STEADY_SECONDS:-20}
RESULTS=${RESULTS:-$ROOT/bench/RESULTS.md}

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  BUILD_DIR=$BUILD_DIR "$ROOT/scripts/build.sh" --target sluiced sluice produce_bench consume_bench
fi
SLUICED=$BUILD_DIR/broker/sluiced
SLUICE=$BUILD_DIR/client/sluice
PRODUCE=$BUILD_DIR/bench/produce_bench
CONSUME=$BUILD_DIR/bench/consume_bench
BUILD_KIND=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD_DIR/CMakeCache.txt")

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)  # other work on the machine skews every figure
WORK=$(mktemp -d /tmp/sluice-bench-rf3-XXXXXX)
CLUSTER=$WORK/cluster
cleanup() {
  if declare -F perf_stop >/dev/null; then perf_stop; fi
  if [[ -f "$CLUSTER/cluster.json" ]]; then
    "$SLUICE" cluster down --dir "$CLUSTER" >/dev/null 2>&1 || true
  fi
  if [[ -n "${PERF_DIR:-}" ]]; then rm -f "$PERF_DIR"/broker-*.data*; fi  # samples outside phases
  if [[ "${KEEP_BENCH_DIR:-0}" == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

BROKER_BIN=$SLUICED
if [[ -n "${PERF_DIR:-}" ]]; then
  # Each broker runs under `perf record` from its start (attaching with -p gets almost no samples
  # on this VM); SIGUSR2 makes perf write what it has so far to a new file (--switch-output), so
  # perf_start/perf_stop cut one file per broker per measured phase.
  mkdir -p "$PERF_DIR"
  PERF_DIR=$(cd "$PERF_DIR" && pwd)
  BROKER_BIN=$WORK/sluiced-under-perf
  # PERF_OPTS: e.g. "-F 299 --call-graph dwarf,8192" for callers (the Release build has no frame
  # pointers, so -g gives none).
  printf '#!/bin/sh\nexec perf record %s --switch-output -o "%s/broker-$$.data" -- "%s" "$@"\n' \
    "${PERF_OPTS:--F 999}" "$PERF_DIR" "$SLUICED" >"$BROKER_BIN"
  chmod +x "$BROKER_BIN"
fi
"$SLUICE" cluster up --brokers 3 --zookeepers 3 --dir "$CLUSTER" --sluiced "$BROKER_BIN" >"$WORK/up.log"
BOOT=$(cat "$CLUSTER/bootstrap")
echo "cluster up: $BOOT"

create() {  # NAME RF
  "$SLUICE" --bootstrap-server "$BOOT" topic create "$1" --partitions "$PARTITIONS" \
    --replication-factor "$2" --config min.insync.replicas=$(( $2 >= 2 ? 2 : 1 )) >/dev/null
  # Wait until every partition has a leader and its full ISR before the clock starts.
  local deadline=$((SECONDS + 60))
  until "$SLUICE" --bootstrap-server "$BOOT" topic describe "$1" --json 2>/dev/null | python3 -c '
import json, sys
parts = json.load(sys.stdin)["partitions"]
sys.exit(0 if parts and all(p["leader"] >= 0 and len(p["isr"]) == len(p["replicas"]) for p in parts) else 1)' 2>/dev/null; do
    ((SECONDS < deadline)) || { echo "topic $1 not ready after 60 s" >&2; exit 1; }
    sleep 0.5
  done
}
create rf1-100b 1
create rf3-100b 3
create rf3-1k 3
create rf3-steady 3
"$SLUICE" --bootstrap-server "$BOOT" topic describe rf3-100b >"$WORK/describe.txt"

declare -a LINES CMDS
run() {  # records the command (broker address and build dir made generic) and its output line
  local out
  out=$("$@" 2>"$WORK/bench.err") || { cat "$WORK/bench.err" >&2; echo "FAILED: $*" >&2; exit 1; }
  echo "$out"
  LINES+=("$out")
  CMDS+=("$(echo "$*" | sed "s#$BUILD_DIR/##; s#$BOOT#\$BOOTSTRAP#")")
}
P="--bootstrap $BOOT --acks all --compression none"
PERF_PHASE=""
perf_cut() {  # ask every broker's perf to write its samples so far to a new file
  local f
  for f in "$CLUSTER"/pids/broker*.pid; do kill -USR2 "$(cat "$f")" 2>/dev/null || true; done
  sleep 2
}
perf_start() {  # NAME: the samples from now until perf_stop go to PERF_DIR/NAME-brokerN.data
  [[ -n "${PERF_DIR:-}" ]] || return 0
  perf_cut
  PERF_PHASE=$1
}
perf_stop() {
  [[ -n "$PERF_PHASE" ]] || return 0
  perf_cut
  local f pid id newest
  for f in "$CLUSTER"/pids/broker*.pid; do
    pid=$(cat "$f")
    id=$(basename "$f" .pid)
    newest=$(ls -t "$PERF_DIR/broker-$pid.data."* 2>/dev/null | head -1)
    [[ -n "$newest" ]] && mv "$newest" "$PERF_DIR/$PERF_PHASE-$id.data"
  done
  PERF_PHASE=""
}
# shellcheck disable=SC2086
{
  run "$PRODUCE" $P --topic rf1-100b --num-records "$RECORDS_100B" --record-size 100
  perf_start produce-rf3-100b
  run "$PRODUCE" $P --topic rf3-100b --num-records "$RECORDS_100B" --record-size 100
  perf_stop
  run "$PRODUCE" $P --topic rf3-1k --num-records "$RECORDS_1K" --record-size 1024
  run "$PRODUCE" $P --topic rf3-steady --num-records $((STEADY_RATE * STEADY_SECONDS)) \
    --record-size 100 --throughput "$STEADY_RATE" --linger-ms 0
  run "$CONSUME" --bootstrap "$BOOT" --topic rf1-100b --num-records "$RECORDS_100B" --record-size 100
  perf_start consume-rf3-100b
  run "$CONSUME" --bootstrap "$BOOT" --topic rf3-100b --num-records "$RECORDS_100B" --record-size 100
  perf_stop
}

# Figures for the summary: msgs/s and MB/s of line N, p99 of line N.
field() { echo "${LINES[$1]}" | sed -n "s/.*: \([0-9.]*\) msgs\/s, \([0-9.]*\) MB\/s.*/\\$2/p"; }
p99() { echo "${LINES[$1]}" | sed -n 's/.* p99 \([0-9.]*\) ms.*/\1/p'; }
verdict() { python3 -c "import sys; v, t, op = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]; ok = v >= t if op == '>=' else v <= t; print(('met' if ok else 'MISSED') + (f' ({v/t:.2f}x of target)' if op == '>=' else f' ({v/t:.2f}x the limit)'))" "$@"; }
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}')" "$1" "$2"; }

rf1_p=$(field 0 1); rf3_p=$(field 1 1); rf3_1k_mb=$(field 2 2); steady_p99=$(p99 3)
rf1_c=$(field 4 1); rf3_c=$(field 5 1)
SUMMARY=$(cat <<EOT
| figure | value | target | verdict |
| --- | --- | --- | --- |
| producer 100 B, RF 3, acks=all | $rf3_p msg/s | ≥ 500000 msg/s | $(verdict "$rf3_p" 500000 '>=') |
| producer 1 KiB, RF 3, acks=all | $rf3_1k_mb MB/s | ≥ 200 MB/s | $(verdict "$rf3_1k_mb" 200 '>=') |
| p99 at a steady $STEADY_RATE msg/s, RF 3, acks=all | $steady_p99 ms | ≤ 5 ms | $(verdict "$steady_p99" 5 '<=') |
| consumer 100 B, RF 3 topic | $rf3_c msg/s | ≥ 1000000 msg/s | $(verdict "$rf3_c" 1000000 '>=') |
| producer RF 3 / RF 1 (same run, 100 B) | $(ratio "$rf3_p" "$rf1_p") | | |
| consumer RF 3 / RF 1 topic (same run, 100 B) | $(ratio "$rf3_c" "$rf1_c") | | |
EOT
)
echo "$SUMMARY"

{
  echo
  echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — RF 3, commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo
  echo "Machine: $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/Mem:/{print $2}') GiB RAM, load average before the run: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Setup: \`bench/run.sh --rf3\` (RECORDS_100B=$RECORDS_100B RECORDS_1K=$RECORDS_1K STEADY_RATE=$STEADY_RATE"
  echo "STEADY_SECONDS=$STEADY_SECONDS PARTITIONS=$PARTITIONS): \`sluice cluster up --brokers 3 --zookeepers 3\`"
  echo "(${BUILD_KIND} build), topics created with \`sluice topic create T --partitions $PARTITIONS"
  echo "--replication-factor R --config min.insync.replicas=M\` (RF 3: M=2; RF 1: M=1), every partition's"
  echo "ISR full before measuring; clients, 3 brokers and 3 ZooKeeper JVMs on the same host."
  echo
  echo '```'
  for i in "${!LINES[@]}"; do
    echo "\$ ${CMDS[$i]}"
    echo "${LINES[$i]}"
  done
  echo '```'
  echo
  echo "$SUMMARY"
} >>"$RESULTS"
echo "appended to $RESULTS"
