#!/usr/bin/env bash
# Benchmark run: builds (Release), starts ZooKeeper and one broker on free ports under a temp dir,
# runs producer and consumer throughput for 100-byte and 1 KiB records, stops everything by PID,
# and appends the results, the exact commands and the date to bench/RESULTS.md.
#
#   bench/run.sh            # default sizes
#   RECORDS_100B=2000000 RECORDS_1K=500000 bench/run.sh
#   bench/run.sh --rf3      # 3 ZooKeeper + 3 brokers (sluice cluster up), acks=all, RF 3,
#                           # min.insync.replicas=2; RF 1 on the same cluster for the ratios;
#                           # steady-rate latency (STEADY_RATE, default 10000 msg/s)
set -euo pipefail

if [[ "${1:-}" == "--rf3" ]]; then
  exec "$(dirname "${BASH_SOURCE[0]}")/run_rf3.sh"
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
RECORDS_100B=${RECORDS_100B:-1000000}
RECORDS_1K=${RECORDS_1K:-300000}
PARTITIONS=${PARTITIONS:-3}
RESULTS=$ROOT/bench/RESULTS.md

BUILD_DIR=$BUILD_DIR "$ROOT/scripts/build.sh" --target sluiced produce_bench consume_bench
SLUICED=$BUILD_DIR/broker/sluiced
BUILD_KIND=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD_DIR/CMakeCache.txt")
PRODUCE=$BUILD_DIR/bench/produce_bench
CONSUME=$BUILD_DIR/bench/consume_bench

WORK=$(mktemp -d /tmp/sluice-bench-XXXXXX)
BROKER_PID=""
cleanup() {
  if [[ -n "$BROKER_PID" ]] && kill -0 "$BROKER_PID" 2>/dev/null; then
    kill -TERM "$BROKER_PID" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$BROKER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$BROKER_PID" 2>/dev/null || true
    wait "$BROKER_PID" 2>/dev/null || true
  fi
  "$ROOT/scripts/zk.sh" stop "$WORK/zk" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

ZK=$("$ROOT/scripts/zk.sh" start "$WORK/zk" 1 | tail -1)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
mkdir -p "$WORK/broker/logs"
cat >"$WORK/broker/server.properties" <<PROPS
broker.id=1
listeners=PLAINTEXT://127.0.0.1:$PORT
log.dirs=$WORK/broker/logs
zookeeper.connect=$ZK
num.partitions=$PARTITIONS
default.replication.factor=1
offsets.topic.replication.factor=1
PROPS
GLOG_logtostderr=1 "$SLUICED" --config "$WORK/broker/server.properties" >"$WORK/broker/sluiced.log" 2>&1 &
BROKER_PID=$!
BOOT=127.0.0.1:$PORT
deadline=$((SECONDS + 60))
until kcat -b "$BOOT" -L -m 2 2>/dev/null | grep -q "broker 1 at"; do
  kill -0 "$BROKER_PID" 2>/dev/null || { cat "$WORK/broker/sluiced.log"; echo "sluiced exited" >&2; exit 1; }
  ((SECONDS < deadline)) || { tail -30 "$WORK/broker/sluiced.log"; echo "broker not ready" >&2; exit 1; }
  sleep 0.3
done

declare -a LINES CMDS
run() {  # records the command (with the broker address made generic) and its output line
  local out
  out=$("$@" 2>"$WORK/bench.err") || { cat "$WORK/bench.err" >&2; echo "FAILED: $*" >&2; exit 1; }
  echo "$out"
  LINES+=("$out")
  CMDS+=("$(echo "$*" | sed "s#$BUILD_DIR/##; s#$BOOT#\$BOOTSTRAP#")")
}
run "$PRODUCE" --bootstrap "$BOOT" --topic bench-100b --num-records "$RECORDS_100B" --record-size 100 --acks all --compression none
run "$CONSUME" --bootstrap "$BOOT" --topic bench-100b --num-records "$RECORDS_100B" --record-size 100
run "$PRODUCE" --bootstrap "$BOOT" --topic bench-1k --num-records "$RECORDS_1K" --record-size 1024 --acks all --compression none
run "$CONSUME" --bootstrap "$BOOT" --topic bench-1k --num-records "$RECORDS_1K" --record-size 1024
run "$PRODUCE" --bootstrap "$BOOT" --topic bench-1k-lz4 --num-records "$RECORDS_1K" --record-size 1024 --acks all --compression lz4

{
  echo
  echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo
  echo "Machine: $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/Mem:/{print $2}') GiB RAM."
  echo "Setup: \`bench/run.sh\` (RECORDS_100B=$RECORDS_100B RECORDS_1K=$RECORDS_1K), 1 ZooKeeper + 1 sluiced"
  echo "(${BUILD_KIND} build), topics auto-created with $PARTITIONS partitions, client and broker on the same host."
  echo
  echo '```'
  for i in "${!LINES[@]}"; do
    echo "\$ ${CMDS[$i]}"
    echo "${LINES[$i]}"
  done
  echo '```'
} >>"$RESULTS"
echo "appended to $RESULTS"
