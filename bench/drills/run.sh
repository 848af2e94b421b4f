#!/usr/bin/env bash
# Full-length drills (issue 7 durations) with reports written here (JSON, table, CSV, PNG).
#   bench/drills/run.sh BUILD_DIR [scenario...]     (default: every scenario, then the negative
#                                                    control and the seeded random schedule)
# Needs root. One drill at a time; each takes 1-4 minutes.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: run.sh BUILD_DIR [scenario...]}
shift
drill="$build/tests/drills/sluice_drill"
[[ -x "$drill" ]] || { echo "no $drill (cmake --build $build --target sluice_drill)" >&2; exit 2; }
scenarios=("$@")
[[ ${#scenarios[@]} -gt 0 ]] || scenarios=(black_friday leader_isolated broker_zk_cut leader_cut \
  controller zookeeper rolling_restart slow negative_control random)
rc=0
for s in "${scenarios[@]}"; do
  case "$s" in
    negative_control) args=(--scenario=leader_cut --negative_control --expect_unsafe --name=negative_control) ;;
    random) args=(--scenario=random --seed=${SEED:-42} --name=random-seed${SEED:-42}) ;;
    *) args=(--scenario="$s") ;;
  esac
  echo "== $s: $drill ${args[*]} --out_dir=$here"
  "$drill" "${args[@]}" --out_dir="$here" || rc=1
done
exit $rc
