#!/usr/bin/env bash
# Installs dependencies, builds into build/ and runs every test (unit, fuzz smoke, cluster)
# through ctest. Exits non-zero if anything fails. Extra args go to ctest, e.g.
# `scripts/test.sh -L unit` or `scripts/test.sh -R Kcat`.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}

"$ROOT/scripts/install-deps.sh"
"$ROOT/scripts/build.sh"

# Two cores: run tests two at a time; cluster tests carry their own TIMEOUTs.
ctest --test-dir "$BUILD_DIR" --output-on-failure -j"${CTEST_JOBS:-2}" --timeout 900 "$@"
