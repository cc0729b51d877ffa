#!/usr/bin/env bash
# gen -> eval end to end: the generator writes the same file at 1-4 ranks, and
# eval gives bitwise-identical reports and results.h5 at 1-4 ranks and any
# --block-users; an independent numpy evaluator agrees; report.pb decodes
# with protoc; results.h5 reads with h5dump and h5py.
# Usage: determinism.sh RECEVAL WORKDIR
set -u
RECEVAL=$1 WORK=$2
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
PROTO=${RV_PROTO:-$HERE/../../proto}
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1

# 1. The generator: same seed, same contents at any rank count.
for np in 1 2 3 4; do
  check "gen_np$np" run $np "$RECEVAL" gen "g$np.h5" --users 3001 --items 1500 --dim 24 --seed 11 --categories 6
done
for np in 2 3 4; do check "gen_same_np1_np$np" h5diff g1.h5 "g$np.h5"; done
check gen_pooled run 2 "$RECEVAL" gen p.h5 --users 1003 --items 700 --dim 16 --seed 5 --no-user-embeddings --binary

# 2. eval at 1-4 ranks and several block sizes, three similarities.
for sim in cosine dot euclidean; do
  dirs=()
  for np in 1 2 3 4; do
    for b in 1 7 256; do
      [ "$np" = 1 ] || [ "$b" = 256 ] || [ "$b" = 7 ] || continue
      d="e_${sim}_np${np}_b$b"
      check "eval_${sim}_np${np}_b$b" run $np "$RECEVAL" eval g1.h5 --out "$d" --k 5,10,20 --similarity $sim --block-users $b
      dirs+=("$d")
    done
  done
  check "identical_$sim" "$PY" "$HERE/py/compare_runs.py" "${dirs[@]}"
  check "reference_$sim" "$PY" "$HERE/py/refeval.py" g1.h5 "${dirs[0]}" --k 5,10,20 --similarity $sim
done
# Pooled user vectors (no /users/embedding), binary relevance, keep-seen, 5 ranks > users per chunk.
dirs=()
for np in 1 3 4; do
  check "eval_pooled_np$np" run $np "$RECEVAL" eval p.h5 --out "pool_np$np" --k 1,10 --keep-seen --block-users 64
  dirs+=("pool_np$np")
done
check identical_pooled "$PY" "$HERE/py/compare_runs.py" "${dirs[@]}"
check reference_pooled "$PY" "$HERE/py/refeval.py" p.h5 pool_np1 --k 1,10 --keep-seen

# 3. Outputs readable by other tools.
check protoc_decode bash -c "protoc --decode=receval.Report -I '$PROTO' '$PROTO/receval.proto' < e_cosine_np1_b256/report.pb | grep -q 'name: \"ndcg@10\"'"
check h5dump_results bash -c "h5dump -H e_cosine_np2_b256/results.h5 | grep -q '/topk' || h5dump -H e_cosine_np2_b256/results.h5 | grep -q 'topk'"
check no_tmp_left bash -c "! ls e_*/*.tmp 2>/dev/null | grep -q ."
# The metric means in report.pb equal those in report.json.
check pb_equals_json "$PY" - <<PYEOF
import json, subprocess
txt = subprocess.run(["protoc", "--decode=receval.Report", "-I", "$PROTO", "$PROTO/receval.proto"],
                     stdin=open("e_dot_np3_b256/report.pb", "rb"), capture_output=True, check=True).stdout.decode()
rep = json.load(open("e_dot_np3_b256/report.json"))
names = [l.split('"')[1] for l in txt.splitlines() if l.strip().startswith("name:")]
means = [float(l.split(":")[1]) for l in txt.splitlines() if l.strip().startswith("mean:")]
assert names == list(rep["metrics"]), (names, list(rep["metrics"]))
for n, m in zip(names, means):
    assert abs(m - rep["metrics"][n]["mean"]) <= 1e-12 * max(1, abs(m)), (n, m)
print("pb == json for", len(names), "metrics")
PYEOF

echo "determinism.sh: $fails failure(s)"
exit $((fails > 0))
