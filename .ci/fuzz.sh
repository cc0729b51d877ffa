#!/usr/bin/env bash
# libFuzzer harnesses (tests/fuzz) built with clang + ASan + UBSan in
# ${RV_FUZZ_BUILD:-build-fuzz}, each run for RV_FUZZ_SECONDS (default 20)
# from the seed corpus in tests/fuzz/corpus/NAME. A crash, sanitizer report,
# leak, oracle failure (trap), timeout or allocation over the malloc limit
# fails the run; libFuzzer leaves the input as crash-* / leak-* / oom-* in
# the build's fuzz-artifacts/ (reproduce: ./fuzz_NAME ARTIFACT).
# A longer run: RV_FUZZ_SECONDS=600 bash .ci/fuzz.sh (docs/robustness.md).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/.ci/deps.sh"
BUILD=${RV_FUZZ_BUILD:-$ROOT/build-fuzz}
SECONDS_EACH=${RV_FUZZ_SECONDS:-20}
CC=clang cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRV_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target fuzz_jobspec fuzz_dataset fuzz_trec fuzz_gzip fuzz_csv >/dev/null
export ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0
export LSAN_OPTIONS=suppressions=$ROOT/.ci/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ART=$BUILD/fuzz-artifacts
mkdir -p "$ART"
export RV_FUZZ_TMPDIR=$BUILD/fuzz-tmp   # the dataset harness's scratch files
rm -rf "$RV_FUZZ_TMPDIR" && mkdir -p "$RV_FUZZ_TMPDIR"
status=0
for h in jobspec dataset trec gzip csv; do
  corpus=$BUILD/fuzz-corpus/$h   # a working copy: the committed seeds stay as they are
  rm -rf "$corpus" && mkdir -p "$corpus"
  cp "$ROOT/tests/fuzz/corpus/$h"/* "$corpus"/
  log=$BUILD/fuzz-$h.log
  if "$BUILD/tests/fuzz/fuzz_$h" "$corpus" -max_total_time="$SECONDS_EACH" -timeout=30 \
       -rss_limit_mb=2048 -malloc_limit_mb=512 -print_final_stats=1 \
       -artifact_prefix="$ART/$h-" > "$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    echo "PASS fuzz_$h  [${SECONDS_EACH} s, $runs inputs, coverage $cov edges, no failure]"
  else
    echo "FAIL fuzz_$h: see $log and $ART"
    grep -E "ERROR|SUMMARY|==[0-9]+==|Test unit written" "$log" | head -20
    status=1
  fi
done
rm -rf "$RV_FUZZ_TMPDIR"
exit $status
