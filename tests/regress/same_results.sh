#!/usr/bin/env bash
# Before/after check of a refactor: runs a fixed set of jobs with two receval
# binaries and compares every report.json metric and every results.h5 / model.h5
# (h5diff, attributes included). Jobs write to the same paths for both binaries
# (the job spec names the output directory), so any difference is a real one.
#   usage: tests/regress/same_results.sh OLD_RECEVAL NEW_RECEVAL WORKDIR
# Exit 0 when every output is identical, 1 otherwise (the differences printed).
set -uo pipefail
OLD=$(readlink -f "$1"); NEW=$(readlink -f "$2"); W=$3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OPENBLAS_NUM_THREADS=1
MPIRUN=${RV_MPIEXEC:-mpirun}
PROTO=$(cd "$(dirname "$0")/../../proto" && pwd)
rm -rf "$W"; mkdir -p "$W"; cd "$W" || exit 1

jobs() {  # $1 = receval; every job writes into out/
  local R=$1
  "$MPIRUN" -np 2 "$R" gen out/g.h5 --users 3000 --items 4500 --dim 24 --categories 6 --seed 7 >/dev/null || return 1
  for sim in cosine dot euclidean; do
    "$MPIRUN" -np 3 "$R" eval g.h5 --out out/ev_$sim --k 1,5,20 --similarity $sim --metrics all >/dev/null || return 1
    "$MPIRUN" -np 4 "$R" eval g.h5 --out out/sh_$sim --k 5,50 --similarity $sim --item-shards 2 --metrics all --block-users 97 >/dev/null || return 1
  done
  "$MPIRUN" -np 2 "$R" eval nu.h5 --out out/pooled --k 10 --metrics all --keep-seen --convention trec >/dev/null || return 1
  "$MPIRUN" -np 2 "$R" eval g.h5 --out out/whiten --k 10 --whiten >/dev/null || return 1
  "$MPIRUN" -np 2 "$R" train g.h5 --out out/iw --model item-weight --epochs 2 --seed 1 >/dev/null || return 1
  "$MPIRUN" -np 3 "$R" eval g.h5 --out out/ev_iw --model out/iw --k 5,10 --metrics all >/dev/null || return 1
  "$MPIRUN" -np 2 "$R" train g.h5 --out out/bl --model bilinear --lambdas 1,10 >/dev/null || return 1
  "$MPIRUN" -np 2 "$R" eval g.h5 --out out/ev_bl --model out/bl --k 10 --metrics all >/dev/null || return 1
  "$MPIRUN" -np 3 "$R" runs g.h5 out/ev_cosine/results.h5 --out out/runs_h5 --k 1,5,10 --metrics all >/dev/null || return 1
  "$MPIRUN" -np 2 "$R" compare out/ev_cosine out/ev_dot --json out/cmp.json >out/compare.txt || return 1
  "$MPIRUN" -np 2 "$R" eval g.h5 --out out/summary --k 5 --metrics all | sed 's/ [0-9.]* s$//' >out/summary.txt || return 1
}
# the inputs are made once (HDF5 object headers carry times, and the reports
# carry the dataset's checksum); gen itself is compared as out/g.h5
"$MPIRUN" -np 2 "$OLD" gen g.h5 --users 3000 --items 4500 --dim 24 --categories 6 --seed 7 >/dev/null || exit 1
"$MPIRUN" -np 1 "$OLD" gen nu.h5 --users 1500 --items 400 --dim 16 --seed 3 --no-user-embeddings >/dev/null || exit 1
for side in old new; do
  bin=$OLD; [ $side = new ] && bin=$NEW
  rm -rf out; mkdir out
  jobs "$bin" || { echo "same_results: a job failed with $side ($bin)"; exit 1; }
  mv out "$side"
done
fail=0
for f in $(cd old && find . -type f | sort); do
  case $f in
    *.json)
      python3 - "old/$f" "new/$f" <<'PY' || { echo "DIFF $f"; fail=1; }
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
def strip(d):
    if isinstance(d, dict):
        return {k: strip(v) for k, v in d.items() if k not in ("timing", "version", "started", "host", "seconds", "elapsed", "wall")}
    if isinstance(d, list):
        return [strip(v) for v in d]
    return d
sa, sb = strip(a), strip(b)
if sa.get("metrics", sa) != sb.get("metrics", sb):
    sys.exit(1)
if sa != sb:
    print("  (metrics equal; other fields differ:", sorted(k for k in sa if sa.get(k) != sb.get(k)), ")")
PY
      ;;
    *.h5)
      h5diff -c "old/$f" "new/$f" >/tmp/h5diff.$$ 2>&1 || { echo "DIFF $f"; head -20 /tmp/h5diff.$$; fail=1; } ;;
    *.pb)  # decoded; the build's git revision and the timings may differ
      dec() { protoc --decode receval.Report -I "$PROTO" "$PROTO/receval.proto" < "$1" | grep -v -e '^git_revision:' -e 'seconds:'; }
      cmp -s <(dec "old/$f") <(dec "new/$f") || { echo "DIFF $f (decoded report.pb)"; fail=1; } ;;
    *.txt) cmp -s "old/$f" "new/$f" || { echo "DIFF $f"; fail=1; } ;;
  esac
  [ -e "new/$f" ] || { echo "MISSING in new: $f"; fail=1; }
done
n=$(cd old && find . -type f | wc -l)
[ $fail = 0 ] && echo "same_results: $n files compared, all metrics and HDF5 contents identical"
exit $fail
