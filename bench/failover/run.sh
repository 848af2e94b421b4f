#!/usr/bin/env bash
# Availability drills at full length ("Black Friday", issue 3): the cluster test binary
# sluice_failover_tests (tests/cluster/failover_*.cc) from a Release build, 10 s of load before
# the fault and 30 s after. Each drill starts its own 3 ZooKeeper + 3 sluiced on OS-assigned
# ports and stops them by PID. The one-line summaries go to stdout and, with the date, commit,
# build type and this command, are appended to bench/failover/RESULTS.md ("Raw runs").
#
#   bench/failover/run.sh                       # all three drills
#   DRILLS='*Sigterm*' bench/failover/run.sh    # a gtest filter
#   BUILD_DIR=/path/to/release-build SKIP_BUILD=1 bench/failover/run.sh
#
# Environment: BUILD_DIR (default build-broker-rel), RATE (10000), BEFORE_S (10), AFTER_S (30),
# DRILLS (gtest filter, default all), SKIP_BUILD=1 (use the binaries as they are), SOURCE_NOTE
# (what the binaries were built from, if not this checkout's HEAD). Also records the load average.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build-broker-rel}
RATE=${RATE:-10000}
BEFORE_S=${BEFORE_S:-10}
AFTER_S=${AFTER_S:-30}
DRILLS=${DRILLS:-FailoverDrill.*}
RESULTS=$ROOT/bench/failover/RESULTS.md

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD_DIR" --target sluiced sluice_failover_tests -j2
fi
BUILD_KIND=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD_DIR/CMakeCache.txt")
BIN=$BUILD_DIR/tests/cluster/sluice_failover_tests
export SLUICED=${SLUICED:-$BUILD_DIR/broker/sluiced}

SUMMARY=$(mktemp /tmp/sluice-failover-XXXXXX)
trap 'rm -f "$SUMMARY"' EXIT
CMD="FAILOVER_RATE=$RATE FAILOVER_BEFORE_S=$BEFORE_S FAILOVER_AFTER_S=$AFTER_S $BIN --gtest_filter='$DRILLS'"
echo "+ $CMD" >&2
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
set +e
FAILOVER_RATE=$RATE FAILOVER_BEFORE_S=$BEFORE_S FAILOVER_AFTER_S=$AFTER_S \
  FAILOVER_SUMMARY_FILE=$SUMMARY "$BIN" --gtest_filter="$DRILLS" 2>&1 |
  grep -E '^\[failover\]|^\[ *(OK|FAILED|PASSED) *\]|Failure|Expected|actual' >&2
STATUS=${PIPESTATUS[0]}
set -e
cat "$SUMMARY"
{
  echo
  echo "### $(date -u '+%Y-%m-%d %H:%M UTC') — $BUILD_KIND, commit ${SOURCE_NOTE:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)}, gtest exit $STATUS"
  echo
  echo '```'
  echo "$CMD"
  echo "# load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores, shared)"
  cat "$SUMMARY"
  echo '```'
} >>"$RESULTS"
exit "$STATUS"
