#!/usr/bin/env bash
# Configures and builds Sluice into build/ (Release, Ninja, 2 jobs). Extra args go to the build
# step, e.g. `scripts/build.sh --target sluiced`. BUILD_DIR and BUILD_TYPE override the defaults.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
BUILD_TYPE=${BUILD_TYPE:-Release}
JOBS=${JOBS:-2}

if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]] || ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$BUILD_DIR/CMakeCache.txt"; then
  rm -rf "$BUILD_DIR"
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE"
else
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="$BUILD_TYPE" >/dev/null
fi
cmake --build "$BUILD_DIR" -j"$JOBS" "$@"
