#!/usr/bin/env bash
# A dataset written by another program (h5py, tests/e2e/py/make_dataset.py)
# that follows the contract, with edge cases (user without test items, user
# without train items, a short candidate list, a fully seen catalogue, a
# zero embedding, duplicate items): receval at 1-4 ranks gives identical
# outputs, and an independent numpy evaluator agrees with them.
# Usage: contract.sh RECEVAL WORKDIR
set -u
RECEVAL=$1 WORK=$2
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1

check make_graded "$PY" "$HERE/py/make_dataset.py" a.h5 --users 401 --items 300 --dim 12 --seed 4 --graded --categories 5
check make_pooled "$PY" "$HERE/py/make_dataset.py" b.h5 --users 257 --items 120 --dim 6 --seed 9 --no-user-embeddings
for ds in a b; do
  for sim in cosine dot euclidean; do
    dirs=()
    for np in 1 2 3 4; do
      d="${ds}_${sim}_np$np"
      check "eval_$d" run $np "$RECEVAL" eval $ds.h5 --out "$d" --k 1,3,10,100 --similarity $sim --block-users 13
      dirs+=("$d")
    done
    check "identical_${ds}_$sim" "$PY" "$HERE/py/compare_runs.py" "${dirs[@]}"
    check "reference_${ds}_$sim" "$PY" "$HERE/py/refeval.py" $ds.h5 "${dirs[0]}" --k 1,3,10,100 --similarity $sim
  done
done
check eval_keep_seen run 3 "$RECEVAL" eval a.h5 --out ks --k 5 --keep-seen
check reference_keep_seen "$PY" "$HERE/py/refeval.py" a.h5 ks --k 5 --keep-seen
echo "contract.sh: $fails failure(s)"
exit $((fails > 0))
