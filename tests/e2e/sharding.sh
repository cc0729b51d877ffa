#!/usr/bin/env bash
# Item sharding (--item-shards P_i over a P_u x P_i grid): every metric,
# results.h5 and the merged top-k lists are bitwise identical to one rank
# holding the whole catalogue, for the three similarities, pooled users,
# keep-seen and odd block sizes; bad grids are usage errors with no output.
# Usage: sharding.sh RECEVAL WORKDIR
set -u
RECEVAL=$1 WORK=$2
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1

# 9000 items = 5 tiles of 2048 (the last one partial): shards of 1-3 tiles.
check gen run 2 "$RECEVAL" gen s.h5 --users 2100 --items 9000 --dim 16 --seed 21 --categories 9
check gen_pooled run 2 "$RECEVAL" gen p.h5 --users 900 --items 4500 --dim 12 --seed 22 --no-user-embeddings
# grids "ranks shards": 1x2, 2x2, 1x4, 1x3, 1x5
GRIDS="2:2 4:2 4:4 3:3 5:5"
for sim in cosine dot euclidean; do
  dirs=("ref_$sim")
  check "ref_$sim" run 1 "$RECEVAL" eval s.h5 --out "ref_$sim" --k 1,10,100 --metrics all --similarity $sim
  for g in $GRIDS; do
    np=${g%:*} pi=${g#*:}
    d="sh_${sim}_${np}x$pi"
    check "eval_${sim}_np${np}_shards$pi" run "$np" "$RECEVAL" eval s.h5 --out "$d" --k 1,10,100 --metrics all \
      --similarity $sim --item-shards "$pi" --block-users 300
    dirs+=("$d")
  done
  check "identical_$sim" "$PY" "$HERE/py/compare_runs.py" "${dirs[@]}"
done
check grid_in_report "$PY" -c "
import json; p = json.load(open('sh_cosine_4x2/report.json'))['parallel']
assert (p['ranks'], p['grid']) == (4, [2, 2]), p"

# Pooled user vectors (fetched across shards), keep-seen.
check ref_pooled run 1 "$RECEVAL" eval p.h5 --out pool_ref --k 5,50 --keep-seen --metrics all
check eval_pooled_2x2 run 4 "$RECEVAL" eval p.h5 --out pool_2x2 --k 5,50 --keep-seen --metrics all --item-shards 2
check eval_pooled_1x3 run 3 "$RECEVAL" eval p.h5 --out pool_1x3 --k 5,50 --keep-seen --metrics all --item-shards 3
check identical_pooled "$PY" "$HERE/py/compare_runs.py" pool_ref pool_2x2 pool_1x3

# Bad grids: exit 2, one line naming the problem, nothing written.
bad() { # NAME NP EXPECT ARGS...
  local name=$1 np=$2 want=$3; shift 3
  setsid "$MPIRUN" --timeout 60 -np "$np" "$RECEVAL" eval s.h5 --out "bad_$name" "$@" > "out.$name" 2>&1
  local rc=$?
  [ $rc = 2 ] && grep -q "$want" "out.$name" && [ ! -e "bad_$name/report.json" ] || { echo "rc=$rc"; cat "out.$name"; return 1; }
}
check bad_not_divisor bad not_divisor 4 "does not divide the 4 ranks" --item-shards 3
check bad_more_than_tiles bad more_than_tiles 6 "exceeds the 5 item tiles" --item-shards 6
echo "sharding.sh: $fails failure(s)"
exit $((fails > 0))
