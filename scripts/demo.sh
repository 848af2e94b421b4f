#!/usr/bin/env bash
# Sluice demo: install dependencies, build (Release, Ninja, -j2), bring up a 3-ZooKeeper +
# 3-broker cluster with `sluice cluster up`, create the seed topics, produce and consume a few
# events with `sluice produce` / `sluice consume`, and print `sluice cluster info`.
#
#   scripts/demo.sh          bring the demo up (idempotent: reuses a demo cluster that is up)
#   scripts/demo.sh --down   stop exactly the recorded PIDs (sluice cluster down)
#   scripts/demo.sh --status show what is running (sluice cluster status)
#
# DEMO_DIR overrides the cluster dir (default .demo in the repo root), BUILD_DIR the build dir
# (default build/), DEMO_BROKERS / DEMO_ZOOKEEPERS the sizes (default 3 / 3).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN_DIR=${DEMO_DIR:-$ROOT/.demo}
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
BROKERS=${DEMO_BROKERS:-3}
ZOOKEEPERS=${DEMO_ZOOKEEPERS:-3}
SLUICED=$BUILD_DIR/broker/sluiced
SLUICE=$BUILD_DIR/client/sluice
DAY_MS=86400000

say() { printf '\n==> %s\n' "$*"; }
die() { echo "demo.sh: $*" >&2; exit 1; }

# A demo started by the previous version of this script (one broker, scripts/zk.sh) recorded
# RUN_DIR/broker1.pid and RUN_DIR/zk/: stop exactly those PIDs, the way it did.
stop_legacy() {
  local pidfile name pid cfg
  for pidfile in "$RUN_DIR"/broker*.pid; do
    [[ -e "$pidfile" ]] || continue
    name=$(basename "$pidfile" .pid)
    pid=$(cat "$pidfile")
    cfg="$RUN_DIR/$name/server.properties"
    if [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--config $cfg"; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 150); do [[ -e /proc/$pid ]] || break; sleep 0.1; done
      echo "stopped old-style $name (pid $pid)"
    fi
    rm -f "$pidfile"
  done
  if [[ -d "$RUN_DIR/zk" ]] && compgen -G "$RUN_DIR/zk/*.pid" >/dev/null; then
    "$ROOT/scripts/zk.sh" stop "$RUN_DIR/zk" || true
    rm -rf "$RUN_DIR/zk"
  fi
}

sluice() { "$SLUICE" "$@"; }

need_cli() {
  [[ -x "$SLUICE" ]] || die "$SLUICE is not built (run scripts/demo.sh to build it, or set BUILD_DIR)"
}

down() {
  [[ -d "$RUN_DIR" ]] || { echo "nothing to stop ($RUN_DIR does not exist)"; return 0; }
  stop_legacy
  if [[ -f "$RUN_DIR/cluster.json" ]]; then
    need_cli
    sluice cluster down --dir "$RUN_DIR"
  else
    echo "nothing to stop (no cluster recorded under $RUN_DIR)"
  fi
}

status() {
  if [[ ! -f "$RUN_DIR/cluster.json" ]]; then
    echo "not running (no cluster recorded under $RUN_DIR)"
    return 0
  fi
  need_cli
  sluice cluster status --dir "$RUN_DIR"
}

# Prints how many of the recorded processes are alive and how many are recorded ("3 6").
alive_count() {
  sluice cluster status --dir "$RUN_DIR" --json 2>/dev/null | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
except ValueError:
    print(0, 0); sys.exit()
procs = d.get("zookeepers", []) + d.get("brokers", [])
print(sum(1 for p in procs if p.get("alive")), len(procs))'
}

# create_topic NAME PARTITIONS RETENTION_DAYS [k=v ...]: creates it unless it exists already.
create_topic() {
  local name=$1 partitions=$2 days=$3
  shift 3
  local args=(--partitions "$partitions" --replication-factor 3
              --config "retention.ms=$((days * DAY_MS))" --config min.insync.replicas=2)
  local kv
  for kv in "$@"; do args+=(--config "$kv"); done
  if sluice --bootstrap-server "$BOOTSTRAP" topic describe "$name" >/dev/null 2>&1; then
    echo "topic $name exists"
    return 0
  fi
  echo "\$ sluice topic create $name ${args[*]}"
  sluice --bootstrap-server "$BOOTSTRAP" topic create "$name" "${args[@]}"
}

# Waits until every partition of TOPIC has a leader and a full ISR (RF 3), or dies.
wait_topic_ready() {
  local name=$1 deadline=$((SECONDS + 60))
  until sluice --bootstrap-server "$BOOTSTRAP" topic describe "$name" --json 2>/dev/null |
    python3 -c '
import json, sys
parts = json.load(sys.stdin)["partitions"]
ok = parts and all(p.get("leader", -1) >= 0 and len(p.get("isr", [])) == len(p.get("replicas", [])) for p in parts)
sys.exit(0 if ok else 1)' 2>/dev/null; do
    ((SECONDS < deadline)) || die "topic $name has partitions without a leader or full ISR after 60 s"
    sleep 0.5
  done
}

up() {
  if [[ "${DEMO_SKIP_BUILD:-0}" != 1 ]]; then
    say "Installing dependencies (scripts/install-deps.sh)"
    "$ROOT/scripts/install-deps.sh"
    say "Building into $BUILD_DIR (Release, Ninja, -j2): sluiced and sluice"
    BUILD_DIR=$BUILD_DIR "$ROOT/scripts/build.sh" --target sluiced sluice
  fi
  [[ -x "$SLUICED" ]] || die "$SLUICED was not built"
  need_cli

  mkdir -p "$RUN_DIR"
  echo '*' >"$RUN_DIR/.gitignore"  # the run dir never shows up in git status
  stop_legacy

  local counts alive total
  counts=$( [[ -f "$RUN_DIR/cluster.json" ]] && alive_count || echo "0 0")
  read -r alive total <<<"$counts"
  if ((total > 0 && alive == total)); then
    say "The demo cluster under $RUN_DIR is already up ($alive processes): reusing it"
  else
    if ((alive > 0)); then
      say "Only $alive of $total demo processes are alive: restarting the cluster"
      sluice cluster down --dir "$RUN_DIR"
    fi
    say "Starting $ZOOKEEPERS ZooKeeper servers and $BROKERS brokers (sluice cluster up)"
    echo "\$ sluice cluster up --brokers $BROKERS --zookeepers $ZOOKEEPERS --dir $RUN_DIR"
    sluice cluster up --brokers "$BROKERS" --zookeepers "$ZOOKEEPERS" --dir "$RUN_DIR" \
      --sluiced "$SLUICED"
  fi
  BOOTSTRAP=$(cat "$RUN_DIR/bootstrap")

  say "Creating the seed topics (RF 3, min.insync.replicas=2)"
  create_topic log-events 12 7
  create_topic critical-logs 4 14
  create_topic audit-logs 6 30 cleanup.policy=compact
  create_topic user-actions 6 7
  create_topic content-interactions 6 7
  create_topic notifications 3 7
  local t
  for t in log-events critical-logs audit-logs user-actions content-interactions notifications; do
    wait_topic_ready "$t"
  done
  sluice --bootstrap-server "$BOOTSTRAP" topic list
  echo
  sluice --bootstrap-server "$BOOTSTRAP" topic describe audit-logs

  say "Producing a few events (sluice produce, key|value lines, acks=all)"
  local now
  now=$(date -u +%FT%TZ)
  printf '%s\n' \
    "web-1|{\"ts\":\"$now\",\"level\":\"INFO\",\"msg\":\"GET /cart 200 12ms\"}" \
    "web-2|{\"ts\":\"$now\",\"level\":\"WARN\",\"msg\":\"slow query 870ms\"}" \
    "api-1|{\"ts\":\"$now\",\"level\":\"INFO\",\"msg\":\"POST /orders 201 31ms\"}" |
    sluice --bootstrap-server "$BOOTSTRAP" produce log-events --key-separator '|' --acks all
  printf '%s\n' "api-1|{\"ts\":\"$now\",\"level\":\"ERROR\",\"msg\":\"payment gateway timeout\"}" |
    sluice --bootstrap-server "$BOOTSTRAP" produce critical-logs --key-separator '|' --acks all
  printf '%s\n' \
    "user-42|{\"ts\":\"$now\",\"action\":\"role_changed\",\"to\":\"admin\"}" \
    "user-42|{\"ts\":\"$now\",\"action\":\"password_reset\"}" |
    sluice --bootstrap-server "$BOOTSTRAP" produce audit-logs --key-separator '|' --acks all
  printf '%s\n' "user-7|{\"ts\":\"$now\",\"action\":\"add_to_cart\",\"item\":42}" |
    sluice --bootstrap-server "$BOOTSTRAP" produce user-actions --key-separator '|' --acks all

  say "Consuming them back (sluice consume --from earliest --exit)"
  for t in log-events critical-logs audit-logs user-actions; do
    echo "-- $t"
    sluice --bootstrap-server "$BOOTSTRAP" consume "$t" --from earliest --exit \
      --format 'partition %p offset %o  key=%k  value=%v\n'
  done

  say "Cluster info (sluice cluster info: ZooKeeper view vs Metadata view)"
  sluice cluster info --dir "$RUN_DIR"

  cat <<EOT

Sluice demo is running ($ZOOKEEPERS ZooKeeper + $BROKERS brokers, state under $RUN_DIR).
  bootstrap servers : $BOOTSTRAP
Try:
  $SLUICE cluster status --dir $RUN_DIR
  $SLUICE --bootstrap-server $BOOTSTRAP topic describe log-events
  echo 'k|hello' | $SLUICE --bootstrap-server $BOOTSTRAP produce log-events --key-separator '|'
  $SLUICE --bootstrap-server $BOOTSTRAP consume log-events --from earliest --exit
  $SLUICE perf produce log-events --bootstrap-server $BOOTSTRAP --num-records 100000 --record-size 100
  $SLUICE cluster kill 2 --dir $RUN_DIR      # then: cluster info, cluster start 2
Stop it with:
  scripts/demo.sh --down
EOT
}

case "${1:-up}" in
  up | --up) up ;;
  --down | down) down ;;
  --status | status) status ;;
  -h | --help) sed -n '2,11p' "$0" ;;
  *) die "usage: scripts/demo.sh [--down|--status]" ;;
esac
