#!/usr/bin/env bash
# The whole test suite (the same ctest as .ci/test.sh) in an AddressSanitizer
# + UndefinedBehaviorSanitizer build, ${RV_ASAN_BUILD:-build-asan}. Any ASan
# or UBSan report aborts the process (UBSan does not recover): the test fails.
#
# Leaks: LeakSanitizer needs the slow unwinder (fast_unwind_on_malloc=0) for
# the suppressions of Open MPI's own allocations (.ci/lsan.supp) to match, and
# that makes every MPI process ~9x slower (9.3 s instead of 1.1 s for one
# 3-rank failing eval). So the ctest suite runs with detect_leaks=0 and leaks
# are checked after it: the unit tests, test_mpi at 1-4 ranks, and the
# receval executable on a success path and three error paths (2 ranks),
# with LeakSanitizer and the suppressions. valgrind (.ci/valgrind.sh) checks
# definite leaks too.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/.ci/deps.sh"
BUILD=${RV_ASAN_BUILD:-$ROOT/build-asan}
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRV_SANITIZE=ON \
  -DRV_ASAN_OPTIONS="detect_leaks=0" -DRV_LSAN_OPTIONS="" >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd "$BUILD"
# The Slurm tests (label slurm) test the job scripts and the cluster, already
# run by .ci/test.sh; under ASan they would only repeat receval runs the
# other tests make, for minutes.
ctest --output-on-failure -j2 --timeout 1200 -LE slurm

# ---- leaks ----
export ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0
export LSAN_OPTIONS=suppressions=$ROOT/.ci/lsan.supp:print_suppressions=0
WORK=$BUILD/lsan-runs
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK"
pass=0 fail=0
# lk NAME EXPECTED-RC CMD...: LeakSanitizer exits 23 on a leak.
lk() {
  local name=$1 want=$2 rc; shift 2
  set +e
  "$@" > "$name.out" 2>&1
  rc=$?
  set -e
  if [ "$rc" = "$want" ] && ! grep -q "LeakSanitizer" "$name.out"; then
    echo "PASS lsan $name  [rc=$rc, no leak]"; pass=$((pass + 1))
  else
    echo "FAIL lsan $name: rc=$rc (expected $want)"; grep -A25 "LeakSanitizer" "$name.out" | head -60 || tail -5 "$name.out"
    fail=$((fail + 1))
  fi
}
for t in score example topk registry xsum stats partition rng synth \
         accuracy auc exposure information beyond scorehist similarity robust; do
  lk "unit_$t" 0 "$BUILD/tests/test_$t"
done
for np in 1 2 3 4; do lk "test_mpi_np$np" 0 mpirun -np "$np" --timeout 300 "$BUILD/tests/test_mpi"; done
R=$BUILD/receval
lk gen 0 mpirun -np 2 --timeout 300 "$R" gen d.h5 --users 700 --items 60 --dim 6 --seed 4 --categories 3
lk eval_all_metrics 0 mpirun -np 2 --timeout 300 "$R" eval d.h5 --out ok --metrics all --k 3,10
/usr/bin/python3 - <<'PY'
import shutil, h5py
shutil.copyfile("d.h5", "bad.h5")
with h5py.File("bad.h5", "r+") as f:
    x = f["/train/indices"][...]; x[-1] = 60; f["/train/indices"][...] = x   # on the last rank
PY
lk eval_invalid_rows 3 mpirun -np 2 --timeout 300 "$R" eval bad.h5 --out bad
lk eval_usage 2 mpirun -np 2 --timeout 300 "$R" eval d.h5 --out bad --k 0
lk eval_missing_file 4 mpirun -np 2 --timeout 300 "$R" eval nosuch.h5 --out bad
echo "lsan: $pass passed, $fail failed"
[ "$fail" = 0 ]
