#!/usr/bin/env bash
# Installs every Debian 12 package Sluice needs to build, test and run its demo.
# Idempotent and quick on reruns: apt is skipped when everything is already installed.
# Runs as root (CI, containers) or through sudo when available.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config python3
  libzookeeper-mt-dev zookeeper          # ZooKeeper C client (coordinator/) and server (tests, demo)
  libevent-dev                           # broker event loop
  libgoogle-glog-dev libgflags-dev       # logging, flags
  libgtest-dev libgmock-dev              # unit and cluster tests
  librdkafka-dev kcat                    # cluster tests, benchmarks, CLI, demo
  libsnappy-dev liblz4-dev libzstd-dev zlib1g-dev  # record batch compression codecs
  nlohmann-json3-dev                     # znode JSON
  clang libclang-rt-14-dev               # fuzz targets and sanitizer presets
  procps iproute2                        # ps/kill/ss used by scripts and tests; ip netns for drills
  prometheus                             # promtool check metrics/rules, a real Prometheus in tests
  chromium                               # headless dashboard test
  docker-compose                         # static check of compose/docker-compose.yml (no engine)
  iptables gnuplot-nox                   # netns drills: link cuts inside the namespaces; report plots
)

# Node.js and npm run the kafkajs consumer-group test (tests/cluster/kafkajs, npm registry). A
# machine that already has node and npm (e.g. nodesource's build) keeps them; otherwise Debian's.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  "${missing[@]}"
echo "install-deps: done"
