#!/usr/bin/env bash
# README command 1: install what is missing, build, generate a synthetic
# dataset and evaluate it on 2 MPI ranks; prints the metrics.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/.ci/deps.sh"
bash "$ROOT/.ci/build.sh"
BUILD=${RV_BUILD:-$ROOT/build}
DEMO=${RV_DEMO_DIR:-$BUILD/demo}
mkdir -p "$DEMO"
mpirun -np 2 "$BUILD/receval" gen "$DEMO/synthetic.h5" --users 20000 --items 5000 --dim 64 --seed 1 --categories 12
mpirun -np 2 "$BUILD/receval" eval "$DEMO/synthetic.h5" --out "$DEMO/eval" --k 10,20
echo "report: $DEMO/eval/report.json"
