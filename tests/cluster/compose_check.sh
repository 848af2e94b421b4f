#!/usr/bin/env bash
# Static checks of compose/ (no Docker engine needed; Debian's docker-compose parses without one).
#
#   compose_check.sh config COMPOSE_DIR      `docker-compose config` accepts docker-compose.yml
#   compose_check.sh consistency COMPOSE_DIR the cluster wiring is consistent (see check() below)
#   compose_check.sh self-test COMPOSE_DIR   each consistency rule fails on a copy broken on purpose
#
# Exit 0 on success; on failure, one line per problem on stderr and exit 1.
set -euo pipefail

mode=${1:-}
dir=${2:-}
[[ -n "$mode" && -d "$dir" ]] || { echo "usage: $0 config|consistency|self-test COMPOSE_DIR" >&2; exit 2; }
dir=$(cd "$dir" && pwd)

compose_config() {  # DIR: prints the normalised config (paths absolute, anchors merged)
  # docker-compose takes seconds to start: a copy whose docker-compose.yml is unchanged reuses
  # the original's normalised config with the paths moved.
  if [[ "$1" != "$dir" && -f "$tmp/original.yml" ]] &&
    cmp -s "$1/docker-compose.yml" "$dir/docker-compose.yml"; then
    sed "s#$dir#$1#g" "$tmp/original.yml"
    return
  fi
  docker-compose --project-directory "$1" -f "$1/docker-compose.yml" config
}

# The consistency rules, on the normalised config (stdin) and the files it mounts.
check() {  # DIR
  compose_config "$1" >"$tmp/config.yml"
  python3 - "$1" "$tmp/config.yml" <<'PY'
import os, re, shutil, subprocess, sys
import yaml  # python3-yaml, a dependency of Debian's docker-compose

compose_dir, config_path = sys.argv[1], sys.argv[2]
cfg = yaml.safe_load(open(config_path))
services = cfg.get("services", {})
named_volumes = set((cfg.get("volumes") or {}).keys())
problems = []
def bad(msg): problems.append(msg)

def props(path):
    out = {}
    for line in open(path):
        line = line.strip()
        if not line or line[0] in "#!":
            continue
        k, _, v = line.partition("=")
        out[k.strip()] = v.strip()
    return out

def mounts(svc):
    """(source, target) pairs; source is absolute for binds, a volume name otherwise."""
    result = []
    for v in svc.get("volumes", []):
        if isinstance(v, dict):
            result.append((v.get("source", ""), v.get("target", "")))
        else:
            parts = v.split(":")
            result.append((parts[0], parts[1] if len(parts) > 1 else parts[0]))
    return result

def hostport(s):
    host, _, port = s.rpartition(":")
    return host, int(port)

# Every service has a real healthcheck.
for name, svc in services.items():
    hc = svc.get("healthcheck")
    if not hc or hc.get("disable") or not hc.get("test") or hc.get("test") in (["NONE"], "NONE"):
        bad(f"service {name}: no healthcheck")

# ZooKeeper services: official image, unique ids, one ZOO_SERVERS line naming all of them.
zk = {n: s for n, s in services.items() if str(s.get("image", "")).startswith("zookeeper:")}
if len(zk) != 3:
    bad(f"expected 3 ZooKeeper services (image zookeeper:3.8), found {sorted(zk)}")
zk_client_ports = {}
ids = {}
for name, svc in zk.items():
    if svc.get("image") != "zookeeper:3.8":
        bad(f"service {name}: image {svc.get('image')}, expected zookeeper:3.8")
    env = svc.get("environment") or {}
    myid = str(env.get("ZOO_MY_ID", ""))
    if not myid.isdigit():
        bad(f"service {name}: ZOO_MY_ID missing")
        continue
    if myid in ids:
        bad(f"service {name}: ZOO_MY_ID {myid} also used by {ids[myid]}")
    ids[myid] = name
    servers = {}
    for entry in str(env.get("ZOO_SERVERS", "")).split():
        m = re.fullmatch(r"server\.(\d+)=([\w.-]+):(\d+):(\d+)(?::\w+)?;(?:[\w.-]+:)?(\d+)", entry)
        if not m:
            bad(f"service {name}: ZOO_SERVERS entry {entry!r} is not server.N=host:2888:3888;2181")
            continue
        servers[m.group(1)] = (m.group(2), int(m.group(5)))
    if myid not in servers:
        bad(f"service {name}: ZOO_SERVERS has no server.{myid}")
    elif servers[myid][0] not in (name, svc.get("hostname")):
        bad(f"service {name}: ZOO_SERVERS names server.{myid} as {servers[myid][0]}, not {name}")
    if set(h for h, _ in servers.values()) != set(zk):
        bad(f"service {name}: ZOO_SERVERS hosts {sorted(h for h, _ in servers.values())} != ZooKeeper services {sorted(zk)}")
    if myid in servers:
        zk_client_ports[name] = servers[myid][1]
    if not any(src in named_volumes and tgt == "/data" for src, tgt in mounts(svc)):
        bad(f"service {name}: /data is not on a named volume")

# Brokers: built from compose/Dockerfile, config mounted from a properties file in compose/.
brokers = {n: s for n, s in services.items()
           if isinstance(s.get("build"), dict) and
           str(s["build"].get("dockerfile", "")).endswith("compose/Dockerfile")}
if len(brokers) != 3:
    bad(f"expected 3 broker services built from compose/Dockerfile, found {sorted(brokers)}")
broker_ids = {}
http_ports = {}
for name, svc in brokers.items():
    cfg_src = [src for src, tgt in mounts(svc) if tgt == "/etc/sluice/server.properties"]
    if len(cfg_src) != 1 or not os.path.isfile(cfg_src[0]):
        bad(f"service {name}: no properties file mounted at /etc/sluice/server.properties")
        continue
    p = props(cfg_src[0])
    where = f"service {name} ({os.path.basename(cfg_src[0])})"
    for key in ("broker.id", "listeners", "advertised.listeners", "zookeeper.connect",
                "http.listener", "log.dirs"):
        if key not in p:
            bad(f"{where}: missing {key}")
    if any(k not in p for k in ("broker.id", "listeners", "advertised.listeners",
                                "zookeeper.connect", "http.listener", "log.dirs")):
        continue
    if p["broker.id"] in broker_ids:
        bad(f"{where}: broker.id {p['broker.id']} also used by {broker_ids[p['broker.id']]}")
    broker_ids[p["broker.id"]] = name
    # zookeeper.connect: exactly the ZooKeeper services on their client ports (optional chroot).
    hosts = p["zookeeper.connect"].split("/", 1)[0].split(",")
    got = {}
    for h in hosts:
        host, port = hostport(h)
        got[host] = port
    if set(got) != set(zk):
        bad(f"{where}: zookeeper.connect hosts {sorted(got)} != ZooKeeper services {sorted(zk)}")
    for host, port in got.items():
        if host in zk_client_ports and zk_client_ports[host] != port:
            bad(f"{where}: zookeeper.connect {host}:{port}, but {host} serves clients on {zk_client_ports[host]}")
    # listeners / advertised.listeners: same port; advertised host is this service's name.
    lm = re.fullmatch(r"PLAINTEXT://([^:,]*):(\d+)", p["listeners"])
    am = re.fullmatch(r"PLAINTEXT://([^:,]+):(\d+)", p["advertised.listeners"])
    if not lm or not am:
        bad(f"{where}: listeners/advertised.listeners must be one PLAINTEXT://host:port each")
        continue
    if am.group(1) not in (name, svc.get("hostname")):
        bad(f"{where}: advertised.listeners host {am.group(1)} is not the service name {name}")
    if am.group(2) != lm.group(2):
        bad(f"{where}: advertised port {am.group(2)} != listener port {lm.group(2)}")
    if lm.group(1) not in ("", "0.0.0.0", "::"):
        bad(f"{where}: listeners binds {lm.group(1)}; other containers need 0.0.0.0")
    published = {}
    for port in svc.get("ports", []):
        if isinstance(port, dict):
            published[int(port["target"])] = int(port.get("published", 0) or 0)
    if published.get(int(lm.group(2))) not in (None, int(lm.group(2))):
        bad(f"{where}: Kafka port {lm.group(2)} published as {published[int(lm.group(2))]}; "
            "advertised host:port must be the same on the host")
    # log.dirs on a named volume.
    vols = {tgt: src for src, tgt in mounts(svc)}
    for d in p["log.dirs"].split(","):
        if vols.get(d.strip()) not in named_volumes:
            bad(f"{where}: log.dirs {d} is not a named volume mount")
    # http.listener: reachable from other containers, the healthcheck probes it.
    hhost, hport = hostport(p["http.listener"].split("://")[-1])
    if hhost not in ("", "0.0.0.0", "::"):
        bad(f"{where}: http.listener binds {hhost}; Prometheus needs 0.0.0.0")
    http_ports[name] = hport
    test = " ".join(str(t) for t in (svc.get("healthcheck") or {}).get("test", []))
    if f":{hport}/" not in test:
        bad(f"{where}: healthcheck {test!r} does not probe http.listener port {hport}")
    deps = svc.get("depends_on") or {}
    if not set(zk) <= set(deps):
        bad(f"service {name}: depends_on {sorted(deps)} lacks ZooKeeper services")
if sorted(broker_ids) != [str(i) for i in range(1, len(broker_ids) + 1)]:
    bad(f"broker ids {sorted(broker_ids)} are not 1..{len(broker_ids)}")

# Prometheus: mounts compose/prometheus.yml; its static targets name brokers on http.listener.
prom = {n: s for n, s in services.items() if "prometheus" in str(s.get("image", ""))}
if len(prom) != 1:
    bad(f"expected one Prometheus service, found {sorted(prom)}")
for name, svc in prom.items():
    conf = None
    for src, tgt in mounts(svc):
        if os.path.isfile(os.path.join(src, "prometheus.yml")) and src.startswith("/"):
            conf = os.path.join(src, "prometheus.yml")
        elif src.endswith("prometheus.yml") and os.path.isfile(src):
            conf = src
    if conf is None:
        bad(f"service {name}: compose/prometheus.yml is not mounted (or does not exist)")
        continue
    pc = yaml.safe_load(open(conf)) or {}
    targets = []
    for job in pc.get("scrape_configs") or []:
        for sc in job.get("static_configs") or []:
            targets += sc.get("targets") or []
    scraped = set()
    for t in targets:
        host, port = hostport(t)
        if host in brokers:
            if port != http_ports.get(host):
                bad(f"prometheus.yml: target {t} is not {host}'s http.listener port {http_ports.get(host)}")
            scraped.add(host)
    if scraped != set(brokers):
        bad(f"prometheus.yml: scrapes brokers {sorted(scraped)}, expected {sorted(brokers)}")
    for rule in pc.get("rule_files") or []:
        if not os.path.isabs(rule) and not os.path.isfile(os.path.join(os.path.dirname(conf), rule)):
            bad(f"prometheus.yml: rule file {rule} not found next to it")

# Dockerfile: Debian 12 build stage, debian:12-slim run stage whose packages exist in Debian 12.
dockerfile = os.path.join(compose_dir, "Dockerfile")
text = open(dockerfile).read()
froms = re.findall(r"^FROM\s+(\S+)", text, re.M)
if not froms or froms[0] != "debian:12" or froms[-1] != "debian:12-slim":
    bad(f"Dockerfile: stages {froms}, expected debian:12 ... debian:12-slim")
run_stage = text.split("FROM debian:12-slim", 1)[-1]
m = re.search(r"apt-get install[^\n]*?--no-install-recommends((?:[^&]|&(?!&))*)", run_stage)
pkgs = m.group(1).replace("\\", " ").split() if m else []
for need in ("libzookeeper-mt2", "librdkafka1", "libgoogle-glog0v6", "libgflags2.2"):
    if need not in pkgs:
        bad(f"Dockerfile: run stage does not install {need}")
if shutil.which("apt-cache") and pkgs:
    r = subprocess.run(["apt-cache", "show", "--no-all-versions"] + pkgs,
                       capture_output=True, text=True)  # one call: apt-cache is slow to start
    known = set(re.findall(r"^Package: (\S+)$", r.stdout, re.M))
    if not known:  # no apt package lists on this machine (apt-get update never ran): cannot tell
        print("compose: apt-cache knows no packages; run-stage package names not checked",
              file=sys.stderr)
        pkgs = []
    for pkg in pkgs:
        if pkg not in known:
            bad(f"Dockerfile: run-stage package {pkg} is not a Debian package here")

for p in problems:
    print("compose: " + p, file=sys.stderr)
if not problems:
    print(f"compose: ok ({len(zk)} ZooKeeper, {len(brokers)} brokers, {len(prom)} Prometheus, "
          f"{len(services)} services with healthchecks)")
sys.exit(1 if problems else 0)
PY
}

command -v docker-compose >/dev/null ||
  { echo "compose: docker-compose is not installed (Debian package docker-compose)" >&2; exit 1; }
tmp=$(mktemp -d /tmp/sluice-compose-check-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

case "$mode" in
  config)
    docker-compose --project-directory "$dir" -f "$dir/docker-compose.yml" config -q
    echo "compose: docker-compose config ok"
    ;;
  consistency)
    check "$dir"
    ;;
  self-test)
    # Each mutation breaks one rule on a copy; the check must reject every one of them.
    mutations=(
      "broker-2.properties|s/^zookeeper.connect=.*/zookeeper.connect=zoo1:2181,zoo2:2181,zoo4:2181/"
      "broker-3.properties|s/^zookeeper.connect=zoo1:2181/zookeeper.connect=zoo1:2182/"
      "broker-1.properties|s#^advertised.listeners=PLAINTEXT://broker1:#advertised.listeners=PLAINTEXT://broker2:#"
      "broker-2.properties|s#^advertised.listeners=\\(PLAINTEXT://broker2\\):.*#advertised.listeners=\\1:19093#"
      "broker-3.properties|s/^broker.id=.*/broker.id=1/"
      "broker-1.properties|s#^log.dirs=.*#log.dirs=/tmp/logs#"
      "docker-compose.yml|/^    healthcheck:/,/^      start_period: 10s/d"
      "docker-compose.yml|s/server.3=zoo3:2888:3888;2181/server.3=zoo9:2888:3888;2181/"
      "Dockerfile|s/libzookeeper-mt2 /libzookeeper-mt9 /"
    )
    # A package name Debian does not have is only detectable where apt has package lists.
    if apt-cache show --no-all-versions libc6 2>/dev/null | grep -q '^Package: libc6$'; then
      mutations+=("Dockerfile|s/libgflags2.2 libunwind8/libgflags2.2 libunwind99/")
    fi
    compose_config "$dir" >"$tmp/original.yml"
    failures=0
    for m in "${mutations[@]}"; do
      file=${m%%|*}
      expr=${m#*|}
      rm -rf "$tmp/copy"
      cp -r "$dir" "$tmp/copy"
      sed -i "$expr" "$tmp/copy/$file"
      if cmp -s "$dir/$file" "$tmp/copy/$file"; then
        echo "self-test: mutation '$expr' did not change $file (fix the self-test)" >&2
        failures=$((failures + 1))
        continue
      fi
      if check "$tmp/copy" >/dev/null 2>"$tmp/err"; then
        echo "self-test: check accepted a broken $file ($expr)" >&2
        failures=$((failures + 1))
      else
        echo "rejected as expected ($file: $expr): $(head -1 "$tmp/err")"
      fi
    done
    ((failures == 0)) || exit 1
    check "$dir" >/dev/null  # and the unbroken original passes
    echo "self-test: all ${#mutations[@]} broken copies rejected"
    ;;
  *)
    echo "unknown mode $mode" >&2
    exit 2
    ;;
esac
