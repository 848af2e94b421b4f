#!/usr/bin/env bash
# Sluice demo: install dependencies, build (Release, Ninja, -j2), start ZooKeeper and one broker in
# the background, create a topic, produce and consume a few events with kcat, and say how to stop.
#
#   scripts/demo.sh          bring the demo up (PIDs recorded under .demo/)
#   scripts/demo.sh --down   stop exactly the recorded PIDs
#   scripts/demo.sh --status show what is running
#
# DEMO_DIR overrides the run dir (default .demo in the repo root); ZK_SERVERS the ensemble size.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN_DIR=${DEMO_DIR:-$ROOT/.demo}
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
ZK_SERVERS=${ZK_SERVERS:-1}
SLUICED=$BUILD_DIR/broker/sluiced
TOPIC=${DEMO_TOPIC:-demo-events}

say() { printf '\n==> %s\n' "$*"; }
die() { echo "demo.sh: $*" >&2; exit 1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# True if PID is a sluiced started with config file CFG (guards against PID reuse).
is_our_broker() {
  local pid=$1 cfg=$2
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--config $cfg"
}

stop_broker() {  # PIDFILE
  local pidfile=$1 name pid cfg
  name=$(basename "$pidfile" .pid)
  pid=$(cat "$pidfile")
  cfg="$RUN_DIR/$name/server.properties"
  if is_our_broker "$pid" "$cfg"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do
      is_our_broker "$pid" "$cfg" || break
      sleep 0.1
    done
    if is_our_broker "$pid" "$cfg"; then
      echo "demo.sh: $name (pid $pid) ignored SIGTERM for 15 s; SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    echo "stopped $name (pid $pid)"
  fi
  rm -f "$pidfile"
}

down() {
  [[ -d "$RUN_DIR" ]] || { echo "nothing to stop ($RUN_DIR does not exist)"; return 0; }
  local pidfile
  for pidfile in "$RUN_DIR"/broker*.pid; do
    [[ -e "$pidfile" ]] && stop_broker "$pidfile"
  done
  if [[ -d "$RUN_DIR/zk" ]]; then
    "$ROOT/scripts/zk.sh" stop "$RUN_DIR/zk"
    echo "stopped ZooKeeper ($RUN_DIR/zk)"
  fi
}

status() {
  [[ -d "$RUN_DIR" ]] || { echo "not running ($RUN_DIR does not exist)"; return 0; }
  local pidfile name pid
  for pidfile in "$RUN_DIR"/broker*.pid; do
    [[ -e "$pidfile" ]] || continue
    name=$(basename "$pidfile" .pid)
    pid=$(cat "$pidfile")
    if is_our_broker "$pid" "$RUN_DIR/$name/server.properties"; then
      echo "$name pid=$pid alive=yes bootstrap=$(cat "$RUN_DIR/bootstrap" 2>/dev/null)"
    else
      echo "$name pid=$pid alive=no"
    fi
  done
  [[ -d "$RUN_DIR/zk" ]] && "$ROOT/scripts/zk.sh" status "$RUN_DIR/zk"
  return 0
}

up() {
  if [[ -d "$RUN_DIR" ]] && compgen -G "$RUN_DIR/*.pid" >/dev/null; then
    for pidfile in "$RUN_DIR"/broker*.pid; do
      [[ -e "$pidfile" ]] || continue
      n=$(basename "$pidfile" .pid)
      if is_our_broker "$(cat "$pidfile")" "$RUN_DIR/$n/server.properties"; then
        die "a demo is already running under $RUN_DIR (scripts/demo.sh --down first)"
      fi
    done
    down >/dev/null
  fi

  say "Installing dependencies (scripts/install-deps.sh)"
  "$ROOT/scripts/install-deps.sh"

  say "Building into $BUILD_DIR (Release, Ninja, -j2): the broker and the CLI"
  BUILD_DIR=$BUILD_DIR "$ROOT/scripts/build.sh" --target sluiced
  if ninja -C "$BUILD_DIR" -t targets all 2>/dev/null | grep -q '^sluice:'; then
    BUILD_DIR=$BUILD_DIR "$ROOT/scripts/build.sh" --target sluice || echo "(CLI did not build; the demo uses kcat)"
  fi
  [[ -x "$SLUICED" ]] || die "$SLUICED was not built"

  mkdir -p "$RUN_DIR"
  echo '*' >"$RUN_DIR/.gitignore"  # the run dir never shows up in git status

  say "Starting ZooKeeper ($ZK_SERVERS server(s)) under $RUN_DIR/zk"
  rm -rf "$RUN_DIR/zk"
  local zk_connect
  zk_connect=$("$ROOT/scripts/zk.sh" start "$RUN_DIR/zk" "$ZK_SERVERS" | tail -1)
  echo "ZooKeeper: $zk_connect"

  say "Starting broker 1 (sluiced) in the background"
  local port bdir
  port=$(free_port)
  bdir="$RUN_DIR/broker1"
  rm -rf "$bdir"
  mkdir -p "$bdir/logs"
  cat >"$bdir/server.properties" <<PROPS
# Written by scripts/demo.sh
broker.id=1
listeners=PLAINTEXT://127.0.0.1:$port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
log.dirs=$bdir/logs
zookeeper.connect=$zk_connect
num.partitions=3
default.replication.factor=1
offsets.topic.replication.factor=1
auto.create.topics.enable=true
PROPS
  GLOG_logtostderr=1 setsid "$SLUICED" --config "$bdir/server.properties" \
    >>"$bdir/sluiced.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/broker1.pid"
  local bootstrap="127.0.0.1:$port"
  echo "$bootstrap" >"$RUN_DIR/bootstrap"
  echo "sluiced pid $(cat "$RUN_DIR/broker1.pid"), listening on $bootstrap, log $bdir/sluiced.log"

  local deadline=$((SECONDS + 60))
  until kcat -b "$bootstrap" -L -m 2 2>/dev/null | grep -q "broker 1 at"; do
    is_our_broker "$(cat "$RUN_DIR/broker1.pid")" "$bdir/server.properties" ||
      { tail -20 "$bdir/sluiced.log" >&2; die "sluiced exited; see $bdir/sluiced.log"; }
    ((SECONDS < deadline)) || { tail -20 "$bdir/sluiced.log" >&2; die "broker not ready after 60 s"; }
    sleep 0.3
  done
  echo "broker 1 is registered and serving"

  say "Creating topic '$TOPIC' (3 partitions)"
  if [[ -x "$BUILD_DIR/client/sluice" ]] &&
    "$BUILD_DIR/client/sluice" --bootstrap-server "$bootstrap" topic create "$TOPIC" \
      --partitions 3 --replication-factor 1 2>/dev/null; then
    echo "created with: sluice topic create $TOPIC --partitions 3 --replication-factor 1"
  else
    # No CLI yet: a producer's metadata request auto-creates it (auto.create.topics.enable).
    kcat -b "$bootstrap" -L -t "$TOPIC" -m 5 >/dev/null 2>&1 || true
    echo "created by auto-creation (kcat -L -t $TOPIC)"
  fi
  deadline=$((SECONDS + 30))
  until kcat -b "$bootstrap" -L -t "$TOPIC" -m 2 2>/dev/null | grep -q "partition 2, leader 1"; do
    ((SECONDS < deadline)) || die "topic $TOPIC has no leaders after 30 s"
    sleep 0.3
  done
  kcat -b "$bootstrap" -L -t "$TOPIC"

  say "Producing 6 events with kcat -P (key:value lines, acks=all)"
  printf '%s\n' "user-1:signed up" "user-2:signed up" "user-1:added item 42 to cart" \
    "user-3:signed up" "user-2:checked out order 7" "user-1:checked out order 8" |
    tee /dev/stderr | kcat -b "$bootstrap" -t "$TOPIC" -P -q -K: -X acks=all

  say "Consuming them back with kcat -C -e (from the beginning, exit at the end)"
  kcat -b "$bootstrap" -t "$TOPIC" -C -o beginning -e -q \
    -f 'partition %p offset %o  key=%k  value=%s\n'

  cat <<EOT

Sluice demo is running.
  bootstrap servers : $bootstrap
  zookeeper         : $zk_connect   (try: /usr/share/zookeeper/bin/zkCli.sh -server $zk_connect get /brokers/ids/1)
  broker log        : $bdir/sluiced.log
  PIDs              : $RUN_DIR/broker1.pid, $RUN_DIR/zk/zk*.pid
Try:
  kcat -b $bootstrap -L
  echo 'hello' | kcat -b $bootstrap -t $TOPIC -P
  kcat -b $bootstrap -t $TOPIC -C -o beginning -e
Stop it with:
  scripts/demo.sh --down
EOT
}

case "${1:-up}" in
  up | --up) up ;;
  --down | down) down ;;
  --status | status) status ;;
  -h | --help) sed -n '2,9p' "$0" ;;
  *) die "usage: scripts/demo.sh [--down|--status]" ;;
esac
