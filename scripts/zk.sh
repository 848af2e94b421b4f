#!/usr/bin/env bash
# Local ZooKeeper ensemble (Debian package `zookeeper`, 3.8) for the demo, CI and drills.
#
#   scripts/zk.sh start DIR [N]   start N (default 3) servers under DIR, wait for a leader and
#                                 print the connect string (also written to DIR/connect)
#   scripts/zk.sh stop DIR        stop exactly the PIDs recorded in DIR/zk<i>.pid
#   scripts/zk.sh status DIR      one line per server: id, pid, port, mode
#
# Layout: DIR/zk<i>/zoo.cfg, DIR/zk<i>/data/myid, DIR/zk<i>/zookeeper.log, DIR/zk<i>.pid.
# Ports come from the OS (bind port 0, release); a start that loses a port race is retried.
# tickTime 500 ms: the server accepts session timeouts from 1 s to 60 s (maxSessionTimeout), so
# the brokers' default zookeeper.session.timeout.ms=6000 is honoured, and a lost ZooKeeper leader
# is replaced in about syncLimit x tickTime = 2.5 s.
set -euo pipefail

ZK_JAVA=${ZK_JAVA:-java}
ZK_JAR_DIR=${ZK_JAR_DIR:-/usr/share/java}
ZK_START_TIMEOUT_S=${ZK_START_TIMEOUT_S:-60}

die() { echo "zk.sh: $*" >&2; exit 1; }

classpath() {
  local cp="$ZK_JAR_DIR/zookeeper.jar"
  # The jar's manifest lists its dependencies but no slf4j binding; slf4j-simple gives a log.
  [[ -f "$ZK_JAR_DIR/slf4j-simple.jar" ]] && cp="$cp:$ZK_JAR_DIR/slf4j-simple.jar"
  echo "$cp"
}

# Prints COUNT distinct free loopback ports (all bound at once, then released).
free_ports() {
  python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
EOF
}

# four_letter PORT WORD: prints the server's answer (empty if it does not answer).
four_letter() {
  local port=$1 word=$2
  (
    exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 0
    printf '%s' "$word" >&3
    timeout 2 cat <&3 || true
    exec 3>&-
  ) 2>/dev/null || true
}

server_mode() {  # PORT -> leader|follower|standalone|""
  four_letter "$1" srvr | sed -n 's/^Mode: //p' | tr -d '\r'
}

# True if PID is alive and is a ZooKeeper server started for config file CFG.
is_our_server() {
  local pid=$1 cfg=$2
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "QuorumPeerMain $cfg"
}

stop_pid() {  # PID CFG: SIGTERM, then SIGKILL after 10 s
  local pid=$1 cfg=$2
  is_our_server "$pid" "$cfg" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    is_our_server "$pid" "$cfg" || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    is_our_server "$pid" "$cfg" || return 0
    sleep 0.1
  done
  die "pid $pid did not exit"
}

cmd_stop() {
  local dir=$1 pidfile i cfg
  for pidfile in "$dir"/zk*.pid; do
    [[ -e "$pidfile" ]] || continue
    i=$(basename "$pidfile" .pid)
    cfg="$dir/$i/zoo.cfg"
    stop_pid "$(cat "$pidfile")" "$cfg"
    rm -f "$pidfile"
  done
}

client_port() { sed -n 's/^clientPort=//p' "$1"; }

cmd_status() {
  local dir=$1 pidfile i cfg pid port mode alive
  for pidfile in "$dir"/zk*.pid; do
    [[ -e "$pidfile" ]] || continue
    i=$(basename "$pidfile" .pid)
    cfg="$dir/$i/zoo.cfg"
    pid=$(cat "$pidfile")
    port=$(client_port "$cfg")
    alive=no
    is_our_server "$pid" "$cfg" && alive=yes
    mode=$(server_mode "$port")
    echo "${i#zk} pid=$pid alive=$alive port=$port mode=${mode:-none}"
  done
  [[ -f "$dir/connect" ]] && echo "connect=$(cat "$dir/connect")"
  return 0
}

# Writes configs with fresh ports and starts every server; returns 1 if one died early.
start_once() {
  local dir=$1 n=$2 i ports connect="" cp
  cp=$(classpath)
  read -r -a ports <<<"$(free_ports $((n * 3)))"
  for ((i = 1; i <= n; i++)); do
    local sdir="$dir/zk$i"
    mkdir -p "$sdir/data"
    echo "$i" >"$sdir/data/myid"
    {
      echo "tickTime=500"
      echo "initLimit=10"
      echo "syncLimit=5"
      echo "maxSessionTimeout=60000"
      echo "dataDir=$sdir/data"
      echo "clientPort=${ports[$(((i - 1) * 3))]}"
      echo "clientPortAddress=127.0.0.1"
      echo "4lw.commands.whitelist=*"
      echo "admin.enableServer=false"
      echo "autopurge.purgeInterval=0"
      if ((n > 1)); then
        local j
        for ((j = 1; j <= n; j++)); do
          echo "server.$j=127.0.0.1:${ports[$(((j - 1) * 3 + 1))]}:${ports[$(((j - 1) * 3 + 2))]}"
        done
      fi
    } >"$sdir/zoo.cfg"
    connect="${connect:+$connect,}127.0.0.1:${ports[$(((i - 1) * 3))]}"
  done
  for ((i = 1; i <= n; i++)); do
    local sdir="$dir/zk$i"
    setsid "$ZK_JAVA" -Xmx256m "-Dzookeeper.log.dir=$sdir" -cp "$cp" \
      org.apache.zookeeper.server.quorum.QuorumPeerMain "$sdir/zoo.cfg" \
      >>"$sdir/zookeeper.log" 2>&1 </dev/null &
    echo $! >"$dir/zk$i.pid"
  done
  echo "$connect" >"$dir/connect"

  local deadline=$((SECONDS + ZK_START_TIMEOUT_S))
  while ((SECONDS < deadline)); do
    local ready=0 leaders=0 mode
    for ((i = 1; i <= n; i++)); do
      local cfg="$dir/zk$i/zoo.cfg"
      if ! is_our_server "$(cat "$dir/zk$i.pid")" "$cfg"; then
        echo "zk.sh: server $i exited during start (see $dir/zk$i/zookeeper.log)" >&2
        return 1
      fi
      mode=$(server_mode "$(client_port "$cfg")")
      case "$mode" in
        leader | standalone) ready=$((ready + 1)); leaders=$((leaders + 1)) ;;
        follower) ready=$((ready + 1)) ;;
      esac
    done
    if ((ready == n && leaders == 1)); then
      return 0
    fi
    sleep 0.2
  done
  echo "zk.sh: ensemble under $dir had no leader after ${ZK_START_TIMEOUT_S}s" >&2
  return 2
}

cmd_start() {
  local dir=$1 n=${2:-3} attempt rc
  [[ "$n" =~ ^[1-9]$ ]] || die "N must be 1..9, got '$n'"
  command -v "$ZK_JAVA" >/dev/null || die "java not found (install the Debian zookeeper package)"
  [[ -f "$ZK_JAR_DIR/zookeeper.jar" ]] || die "$ZK_JAR_DIR/zookeeper.jar missing"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  for pidfile in "$dir"/zk*.pid; do
    [[ -e "$pidfile" ]] || continue
    local i
    i=$(basename "$pidfile" .pid)
    is_our_server "$(cat "$pidfile")" "$dir/$i/zoo.cfg" && die "already running under $dir (stop it first)"
  done
  for attempt in 1 2 3; do
    rc=0
    start_once "$dir" "$n" || rc=$?
    if ((rc == 0)); then
      cat "$dir/connect"
      return 0
    fi
    cmd_stop "$dir"
    ((rc == 1)) || break  # only an early exit (port race) is worth another try
    rm -rf "$dir"/zk*/data
  done
  die "could not start $n ZooKeeper server(s) under $dir"
}

main() {
  local cmd=${1:-}
  case "$cmd" in
    start) [[ $# -ge 2 ]] || die "usage: zk.sh start DIR [N]"; cmd_start "$2" "${3:-3}" ;;
    stop) [[ $# -ge 2 ]] || die "usage: zk.sh stop DIR"; cmd_stop "$(cd "$2" && pwd)" ;;
    status) [[ $# -ge 2 ]] || die "usage: zk.sh status DIR"; cmd_status "$(cd "$2" && pwd)" ;;
    *) die "usage: zk.sh start DIR [N] | stop DIR | status DIR" ;;
  esac
}

main "$@"
