#!/usr/bin/env bash
# The whole test suite (the same ctest as .ci/test.sh) in an AddressSanitizer
# + UndefinedBehaviorSanitizer build, ${RV_ASAN_BUILD:-build-asan}. Any
# sanitizer report aborts the process (UBSan does not recover), so the test
# fails. LeakSanitizer is on, with suppressions for Open MPI's own
# allocations only (.ci/lsan.supp; fast_unwind_on_malloc=0 so that the
# suppressions see through the libraries' frames).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/.ci/deps.sh"
BUILD=${RV_ASAN_BUILD:-$ROOT/build-asan}
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRV_SANITIZE=ON \
  -DRV_ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0:allocator_may_return_null=0" \
  -DRV_LSAN_OPTIONS="suppressions=$ROOT/.ci/lsan.supp:print_suppressions=0" >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd "$BUILD"
ctest --output-on-failure -j2 --timeout 1200
