#!/usr/bin/env bash
# README command 2: install what is missing, build, run the whole test suite
# (unit, MPI at 1-4 ranks, end to end).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/.ci/deps.sh"
bash "$ROOT/.ci/build.sh"
BUILD=${RV_BUILD:-$ROOT/build}
cd "$BUILD"
ctest --output-on-failure -j2 --timeout 1200
