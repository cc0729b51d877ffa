#!/usr/bin/env bash
# valgrind (memcheck) over the MPI tests: test_mpi at 1-4 ranks, and the
# receval executable at 2 ranks (gen; eval with every metric; eval of an
# invalid dataset, the error path). Build without -march=native (valgrind
# does not decode AVX-512) in ${RV_VG_BUILD:-build-valgrind}. Suppressions:
# Open MPI's own file plus .ci/valgrind.supp (Open MPI and PMIx frames only);
# any other error, or a definite leak, in any rank fails the run.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/.ci/deps.sh"
BUILD=${RV_VG_BUILD:-$ROOT/build-valgrind}
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRV_NATIVE=OFF >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target receval test_mpi >/dev/null
WORK=$BUILD/valgrind-runs
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK"
VG=(valgrind --error-exitcode=97 --leak-check=full --show-leak-kinds=definite
    --errors-for-leak-kinds=definite --num-callers=50 --track-origins=yes
    --suppressions=/usr/share/openmpi/openmpi-valgrind.supp
    --suppressions="$ROOT/.ci/valgrind.supp" --gen-suppressions=all)
pass=0 fail=0
# vg NAME EXPECTED-RC NP ARGS...: every rank under valgrind, one log per rank.
vg() {
  local name=$1 want=$2 np=$3 rc errs; shift 3
  mkdir -p "$name"
  local t0=$SECONDS
  set +e
  mpirun -np "$np" --timeout 600 "${VG[@]}" --log-file="$name/vg.%p.log" "$@" > "$name/out" 2>&1
  rc=$?
  set -e
  errs=$(grep -h "ERROR SUMMARY" "$name"/vg.*.log | awk '{s += $4} END {print s + 0}')
  local nlogs
  nlogs=$(ls "$name"/vg.*.log | wc -l)
  if [ "$rc" = "$want" ] && [ "$errs" = 0 ] && [ "$nlogs" = "$np" ]; then
    echo "PASS valgrind $name  [rc=$rc, $np ranks, 0 errors, $((SECONDS - t0)) s]"
    pass=$((pass + 1))
  else
    echo "FAIL valgrind $name: rc=$rc (expected $want), $errs errors in $nlogs logs"
    grep -h -B3 -A30 -E "Invalid|uninitialised|Conditional|definitely lost in" "$name"/vg.*.log | head -120 || true
    tail -5 "$name/out"
    fail=$((fail + 1))
  fi
}
for np in 1 2 3 4; do vg "test_mpi_np$np" 0 "$np" "$BUILD/tests/test_mpi"; done
vg gen 0 2 "$BUILD/receval" gen small.h5 --users 600 --items 80 --dim 8 --seed 2 --categories 4
vg eval_all_metrics 0 2 "$BUILD/receval" eval small.h5 --out ev --metrics all --k 5,10 --similarity dot
/usr/bin/python3 - <<'PY'
import shutil, h5py, numpy as np
shutil.copyfile("small.h5", "bad.h5")
with h5py.File("bad.h5", "r+") as f:
    x = f["/users/embedding"][...]; x[500, 3] = np.nan; f["/users/embedding"][...] = x
PY
vg eval_invalid_data 3 2 "$BUILD/receval" eval bad.h5 --out evbad
echo "valgrind: $pass passed, $fail failed"
[ "$fail" = 0 ]
