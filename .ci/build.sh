#!/usr/bin/env bash
# Configures and builds receval into ${RV_BUILD:-build} (Release with symbols).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${RV_BUILD:-$ROOT/build}
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo ${RV_CMAKE_ARGS:-} >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
