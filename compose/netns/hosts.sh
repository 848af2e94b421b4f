#!/usr/bin/env bash
# Drill hosts: one network namespace per host (ZooKeeper server, broker, client) on a private
# bridge that lives in a namespace of its own, plus the faults the drills inject. Run as root.
#
#   hosts.sh up RUN NAME=ADDR...   create "sl-RUN-br" (bridge br0) and one namespace "sl-RUN-NAME"
#                                  per host with eth0 at ADDR/24 (e.g. b1=10.77.0.21)
#   hosts.sh down RUN              SIGKILL every process inside the run's namespaces (by PID, from
#                                  `ip netns pids`), delete the namespaces, remove the state dir
#   hosts.sh ns RUN NAME           print the namespace name of host NAME
#   hosts.sh addr RUN NAME         print the address of host NAME
#   hosts.sh exec RUN NAME CMD...  run CMD inside host NAME's namespace
#   hosts.sh isolate RUN NAME      drop every packet between NAME and any other host
#   hosts.sh cut RUN A B [oneway]  drop packets A->B (oneway) or both directions (default)
#   hosts.sh loss RUN NAME PCT     drop PCT% of NAME's packets at random, both directions
#   hosts.sh slow RUN NAME RATE    limit NAME's egress to RATE (tc tbf, e.g. 1mbit)
#   hosts.sh delay RUN NAME MS [PORT...]
#                                  add MS of latency each way to every TCP connection made to
#                                  NAME's PORTs (default 9092 2181): delay_proxy.py in NAME's
#                                  namespace + iptables REDIRECT; open connections are reset
#                                  (ss -K) so that they reconnect through the delay
#   hosts.sh heal RUN [NAME]       remove every fault (of NAME only, if given)
#   hosts.sh list                  runs with namespaces on this machine
#
# Addresses are private (10.77.0.0/24 by convention) and exist only inside the run's namespaces,
# so concurrent runs with different RUN names never collide; nothing outside loopback and these
# namespaces is ever addressed. The kernel here has no sch_netem, so there is no `tc netem`:
# loss uses iptables' statistic match, slowness a tbf rate limit, latency a userspace delaying
# proxy (delay_proxy.py; its PIDs in the state dir, stopped by heal and down). Faults live in the filter table of the host namespaces (INPUT/OUTPUT), which the
# script owns entirely; heal flushes them.
# State: $SLUICE_NETNS_STATE (default /tmp/sluice-netns)/RUN/hosts, one "NAME ADDR" a line.
set -euo pipefail

STATE_ROOT=${SLUICE_NETNS_STATE:-/tmp/sluice-netns}

die() { echo "hosts.sh: $*" >&2; exit 1; }
usage() { sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

check_run() {
  [[ "$1" =~ ^[A-Za-z0-9]{1,16}$ ]] || die "RUN must be 1-16 letters/digits: '$1'"
}
ns_of() { echo "sl-$1-$2"; }
bridge_ns() { echo "sl-$1-br"; }
state_dir() { echo "$STATE_ROOT/$1"; }

addr_of() {  # RUN NAME
  local f; f="$(state_dir "$1")/hosts"
  [[ -f "$f" ]] || die "no run '$1'"
  awk -v n="$2" '$1 == n { print $2; found = 1 } END { exit !found }' "$f" || die "no host '$2' in run '$1'"
}
hosts_of() { awk '{ print $1 }' "$(state_dir "$1")/hosts"; }

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

cmd_up() {
  local run=$1; shift
  check_run "$run"
  [[ $# -ge 1 ]] || die "up: no hosts given"
  local dir; dir=$(state_dir "$run")
  [[ ! -e "$dir" ]] || die "run '$run' exists already ($dir)"
  mkdir -p "$dir"
  : >"$dir/hosts"
  # Anything that fails below leaves a partial run: tear it down before exiting.
  trap 'cmd_down "$run" >/dev/null 2>&1 || true' ERR
  local br; br=$(bridge_ns "$run")
  ip netns add "$br"
  nsx "$br" ip link set lo up
  nsx "$br" ip link add br0 type bridge
  nsx "$br" ip link set br0 up
  local spec name addr ns
  for spec in "$@"; do
    name=${spec%%=*}
    addr=${spec#*=}
    [[ "$name" =~ ^[a-z0-9]{1,8}$ ]] || die "host name must be 1-8 of [a-z0-9]: '$name'"
    [[ "$addr" =~ ^10\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "address must be 10.x.y.z: '$addr'"
    ns=$(ns_of "$run" "$name")
    ip netns add "$ns"
    echo "$name $addr" >>"$dir/hosts"
    nsx "$ns" ip link set lo up
    # The pair is born in the bridge namespace and one end moves to the host: no interface ever
    # exists in the caller's namespace.
    nsx "$br" ip link add "v-$name" type veth peer name eth0 netns "$ns"
    nsx "$br" ip link set "v-$name" master br0
    nsx "$br" ip link set "v-$name" up
    nsx "$ns" ip addr add "$addr/24" dev eth0
    nsx "$ns" ip link set eth0 up
  done
  trap - ERR
  echo "$run"
}

# PIDs of this script and its ancestors: never killed by down, even if the caller runs inside one
# of the run's namespaces (the drill's client host).
ancestors() {
  local pid=$$
  while [[ "$pid" -gt 1 ]]; do
    echo "$pid"
    pid=$(awk '{ print $4 }' "/proc/$pid/stat" 2>/dev/null || echo 1)
  done
}

cmd_down() {
  local run=$1
  check_run "$run"
  local ns pid left keep
  keep=" $(ancestors | tr '\n' ' ') "
  for ns in $(ip netns list | awk '{ print $1 }' | grep -E "^sl-$run-" || true); do
    for pid in $(ip netns pids "$ns" 2>/dev/null || true); do
      [[ "$keep" == *" $pid "* ]] && continue
      kill -KILL "$pid" 2>/dev/null || true
    done
    for _ in $(seq 1 100); do
      left=$(ip netns pids "$ns" 2>/dev/null | grep -vxF -f <(ancestors) || true)
      [[ -z "$left" ]] && break
      sleep 0.05
    done
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$(state_dir "$run")"
}

cmd_isolate() {  # RUN NAME
  local ns; ns=$(ns_of "$1" "$2")
  addr_of "$1" "$2" >/dev/null
  nsx "$ns" iptables -A INPUT -i eth0 -j DROP
  nsx "$ns" iptables -A OUTPUT -o eth0 -j DROP
}

cmd_cut() {  # RUN A B [oneway]
  local run=$1 a=$2 b=$3 mode=${4:-both}
  local aa ba; aa=$(addr_of "$run" "$a"); ba=$(addr_of "$run" "$b")
  nsx "$(ns_of "$run" "$a")" iptables -A OUTPUT -d "$ba" -j DROP
  case "$mode" in
    oneway) ;;
    both) nsx "$(ns_of "$run" "$b")" iptables -A OUTPUT -d "$aa" -j DROP ;;
    *) die "cut: mode must be oneway or both" ;;
  esac
}

cmd_loss() {  # RUN NAME PCT
  local ns; ns=$(ns_of "$1" "$2")
  addr_of "$1" "$2" >/dev/null
  local p; p=$(awk -v x="$3" 'BEGIN { printf "%.4f", x / 100 }')
  nsx "$ns" iptables -A INPUT -i eth0 -m statistic --mode random --probability "$p" -j DROP
  nsx "$ns" iptables -A OUTPUT -o eth0 -m statistic --mode random --probability "$p" -j DROP
}

cmd_slow() {  # RUN NAME RATE
  local ns; ns=$(ns_of "$1" "$2")
  addr_of "$1" "$2" >/dev/null
  nsx "$ns" tc qdisc replace dev eth0 root tbf rate "$3" burst 32kbit latency 400ms
}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

cmd_delay() {  # RUN NAME MS [PORT...]
  local run=$1 name=$2 ms=$3; shift 3
  local ns addr dir; ns=$(ns_of "$run" "$name"); addr=$(addr_of "$run" "$name"); dir=$(state_dir "$run")
  [[ "$ms" =~ ^[0-9]+$ ]] || die "delay: MS must be a whole number of milliseconds: '$ms'"
  local ports=("$@"); [[ ${#ports[@]} -gt 0 ]] || ports=(9092 2181)
  local port proxy pid
  for port in "${ports[@]}"; do
    [[ "$port" =~ ^[0-9]+$ && "$port" -lt 55535 ]] || die "delay: bad port '$port'"
    proxy=$((port + 10000))
    [[ ! -e "$dir/delay-$name-$port.pid" ]] || die "delay: $name:$port is delayed already"
    # Not through nsx (a shell function would put a subshell's PID in $!): ip execs python3.
    ip netns exec "$ns" python3 "$HERE/delay_proxy.py" --listen "$proxy" --target "$addr:$port" \
      --delay-ms "$ms" >"$dir/delay-$name-$port.log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$dir/delay-$name-$port.pid"
    for _ in $(seq 1 100); do
      nsx "$ns" ss -ltnH "sport = :$proxy" | grep -q . && break
      kill -0 "$pid" 2>/dev/null || die "delay: proxy for $name:$port exited (see $dir/delay-$name-$port.log)"
      sleep 0.05
    done
    nsx "$ns" iptables -t nat -A PREROUTING -i eth0 -p tcp --dport "$port" -j REDIRECT --to-ports "$proxy"
    # Connections opened before the redirect would bypass it: reset them, clients reconnect.
    nsx "$ns" ss -K -tnH state established "( sport = :$port )" >/dev/null 2>&1 || true
  done
}

running() {  # PID: alive and not a zombie (an orphan's zombie may never be reaped here)
  local st; st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null || echo X)
  [[ "$st" != X && "$st" != Z ]]
}

heal_host() {  # RUN NAME
  local ns; ns=$(ns_of "$1" "$2")
  # Delay proxies first, while the REDIRECT still maps their connections back: every proxied
  # connection then sees its close (with the NAT rule gone first, the FIN never reaches the peer,
  # which would wait for its request timeout).
  local f pid
  for f in "$(state_dir "$1")/delay-$2-"*.pid; do
    [[ -e "$f" ]] || continue
    pid=$(cat "$f")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do running "$pid" || break; sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$f"
  done
  nsx "$ns" iptables -F INPUT
  nsx "$ns" iptables -F OUTPUT
  nsx "$ns" iptables -t nat -F PREROUTING
  nsx "$ns" tc qdisc del dev eth0 root 2>/dev/null || true
}

cmd_heal() {  # RUN [NAME]
  local run=$1
  if [[ $# -ge 2 ]]; then heal_host "$run" "$2"; return; fi
  local h
  for h in $(hosts_of "$run"); do heal_host "$run" "$h"; done
}

main() {
  [[ $# -ge 1 ]] || usage
  local cmd=$1; shift
  case "$cmd" in
    up) [[ $# -ge 2 ]] || usage; cmd_up "$@" ;;
    down) [[ $# -eq 1 ]] || usage; cmd_down "$1" ;;
    ns) [[ $# -eq 2 ]] || usage; addr_of "$1" "$2" >/dev/null; ns_of "$1" "$2" ;;
    addr) [[ $# -eq 2 ]] || usage; addr_of "$1" "$2" ;;
    exec) [[ $# -ge 3 ]] || usage; local run=$1 name=$2; shift 2
          addr_of "$run" "$name" >/dev/null; exec ip netns exec "$(ns_of "$run" "$name")" "$@" ;;
    isolate) [[ $# -eq 2 ]] || usage; cmd_isolate "$@" ;;
    cut) [[ $# -ge 3 ]] || usage; cmd_cut "$@" ;;
    loss) [[ $# -eq 3 ]] || usage; cmd_loss "$@" ;;
    slow) [[ $# -eq 3 ]] || usage; cmd_slow "$@" ;;
    delay) [[ $# -ge 3 ]] || usage; cmd_delay "$@" ;;
    heal) [[ $# -ge 1 ]] || usage; cmd_heal "$@" ;;
    list) ip netns list | awk '{ print $1 }' | sed -n 's/^sl-\([A-Za-z0-9]*\)-br$/\1/p' ;;
    *) usage ;;
  esac
}

main "$@"
