#!/usr/bin/env bash
# `receval runs` end to end:
#  - a run file written from `eval`'s own lists (TREC, by index) and eval's
#    results.h5 itself (HDF5 lists) reproduce eval's report and per-user
#    values exactly, and runs' outputs are identical at 1, 2 and 4 ranks;
#  - a hand-written run with an unknown item, a repeated item, a title match,
#    an unknown user, a short and an empty list: the run counters,
#    validity@k, duplicate_rate@k, short_list_rate@k and accuracy values
#    against hand-derived numbers, for --order score and --order rank;
#  - HDF5 lists with out-of-range indices and repeats;
#  - malformed run files: exit 3 naming file and line, nothing written.
# Usage: runs.sh RECEVAL WORKDIR   (env: RV_PYTHON3, RV_MPIEXEC)
set -u
RECEVAL=$1 WORK=$2
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1

# 1. eval's own lists, as a TREC run and as HDF5 lists.
check gen run 2 "$RECEVAL" gen g.h5 --users 700 --items 400 --dim 16 --seed 11 --categories 5
check eval run 2 "$RECEVAL" eval g.h5 --out ev --metrics all --k 1,5,10
check write_run "$PY" - <<'PYEOF'
import h5py
r = h5py.File("ev/results.h5", "r")
it, sc = r["topk/items"][:], r["topk/scores"][:]
with open("own.trec", "w") as f:
    for u in range(it.shape[0]):
        for j in range(it.shape[1]):
            if it[u, j] >= 0:
                f.write(f"{u} Q0 {it[u, j]} {j + 1} {sc[u, j]:.9g} receval\n")
PYEOF
for np in 1 2 4; do
  check "runs_trec_np$np" run $np "$RECEVAL" runs g.h5 own.trec --out "rt$np" --metrics all --k 1,5,10 --order rank
done
check runs_h5 run 3 "$RECEVAL" runs g.h5 ev/results.h5 --out rh --metrics all --k 1,5,10
check identical_ranks "$PY" "$HERE/py/compare_runs.py" rt1 rt2 rt4 rh
# Lists of a sharded eval (2 item shards need more than one 2048-item tile).
check gen2 run 2 "$RECEVAL" gen g2.h5 --users 300 --items 4300 --dim 8 --seed 3
check eval_unsharded run 2 "$RECEVAL" eval g2.h5 --out ev2 --metrics all --k 5,10
check eval_sharded run 4 "$RECEVAL" eval g2.h5 --out evs --metrics all --k 5,10 --item-shards 2
check runs_unsharded run 2 "$RECEVAL" runs g2.h5 ev2/results.h5 --out rh2 --metrics all --k 5,10
check runs_sharded run 4 "$RECEVAL" runs g2.h5 evs/results.h5 --out rhs --metrics all --k 5,10
check identical_sharded "$PY" "$HERE/py/compare_runs.py" rh2 rhs
check reproduces_eval "$PY" - <<'PYEOF'
import json, h5py, numpy as np
e = json.load(open("ev/report.json"))
ev = h5py.File("ev/results.h5", "r")
for d in ["rt1", "rh"]:
    r = json.load(open(d + "/report.json"))
    common = [k for k in e["metrics"] if k in r["metrics"]]
    assert set(e["metrics"]) - set(common) == {"auc", "mi_score_relevance", "mi_score_relevance_norm"}, set(e["metrics"]) - set(common)
    for k in common:
        assert e["metrics"][k] == r["metrics"][k], (d, k, e["metrics"][k], r["metrics"][k])
    h = h5py.File(d + "/results.h5", "r")
    for k in ev["per_user"]:
        if k in h["per_user"]:
            assert np.array_equal(ev["per_user"][k][:], h["per_user"][k][:], equal_nan=True), (d, k)
    assert np.array_equal(ev["topk/items"][:], h["topk/items"][:])
    assert np.array_equal(ev["exposure/count"][:], h["exposure/count"][:])
    assert all(r["metrics"][f"validity@{k}"]["mean"] == 1.0 for k in (1, 5, 10))
    assert r["run"]["unknown_items"] == 0 and r["run"]["duplicates"] == 0
    assert r["counts"] == e["counts"], (r["counts"], e["counts"])
PYEOF

# 2. A hand-written run on a hand-made dataset (prepare csv, leave-one-out):
#    u1: i1@1 i2@2 i3@3 -> test i3 | u2: i2@1 i4@2 -> test i4
#    u3: i1@5 i5@6 i6@7 -> test i6 | u4: i6@1 -> no test
printf 'user_id;movie;when\nu1;i1;1\nu1;i2;2\nu1;i3;3\nu2;i2;1\nu2;i4;2\nu3;i1;5\nu3;i5;6\nu3;i6;7\nu4;i6;1\n' > inter.csv
printf 'item,title\ni1,Alpha (2001)\ni2,"Beta, The (1999)"\ni3,Gamma\ni4,Delta\ni5,Epsilon\ni6,Zeta\n' > meta.csv
check prepare "$RECEVAL" prepare csv inter.csv h.h5 --delimiter ';' --user-col user_id --item-col movie \
  --time-col when --item-meta meta.csv --dim 4
cat > hand.trec <<'TREC'
u1 Q0 i3 1 0.9 r
u1 Q0 nope 2 0.8 r
u1 Q0 i3 3 0.7 r
u1 Q0 "beta,  THE (1999)" 4 0.6 r
u2 Q0 i4 1 0.5 r
u2 Q0 i5 2 0.95 r
u9 Q0 i1 1 0.5 r
u3 Q0 "Nonexistent Film" 1 0.3 r
TREC
for order in score rank; do
  check "runs_hand_$order" run 2 "$RECEVAL" runs h.h5 hand.trec --out "hand_$order" --k 2,3 --order $order \
    --metrics precision,recall,mrr,hit
done
gzip -c hand.trec > hand.trec.gz
check runs_hand_gz run 1 "$RECEVAL" runs h.h5 hand.trec.gz --out hand_gz --k 2,3 --metrics precision,recall,mrr,hit
check hand_gz_same "$PY" "$HERE/py/compare_runs.py" hand_score hand_gz
check hand_values "$PY" - <<'PYEOF'
import json, h5py, math
# By score: u1 raw [i3, nope, i3 (repeat), i2 (title)], u2 [i5, i4], u3 [none], u4 absent.
#  validity@2: u1 1/2, u2 2/2, u3 0/1 -> mean 1/2;  @3: u1 2/3, u2 1, u3 0 -> 5/9
#  duplicate_rate@2: 0;  @3: u1 1/3 -> 1/9
#  cleaned lists: u1 [i3, i2], u2 [i5, i4], u3 []; users with test: u1, u2, u3
#  short_list_rate@2: u3 only -> 1/3;  @3: all three -> 1
#  precision@2: (1/2 + 1/2 + 0)/3 = 1/3; recall@2: (1 + 1 + 0)/3 = 2/3
#  mrr@2 by score: (1 + 1/2 + 0)/3 = 1/2; by rank u2 is [i4, i5]: (1 + 1 + 0)/3 = 2/3
want = {"validity@2": 0.5, "validity@3": 5 / 9, "duplicate_rate@2": 0.0, "duplicate_rate@3": 1 / 9,
        "short_list_rate@2": 1 / 3, "short_list_rate@3": 1.0, "precision@2": 1 / 3, "recall@2": 2 / 3,
        "hit@2": 2 / 3}
for order, mrr in (("score", 0.5), ("rank", 2 / 3)):
    r = json.load(open(f"hand_{order}/report.json"))
    got = {k: v["mean"] for k, v in r["metrics"].items()}
    for k, v in dict(want, **{"mrr@2": mrr}).items():
        assert math.isclose(got[k], v, rel_tol=0, abs_tol=1e-15), (order, k, got[k], v)
    assert r["metrics"]["validity@2"]["users"] == 3 and r["metrics"]["short_list_rate@2"]["users"] == 3
    assert r["run"] == {"format": "trec", "entries": 8, "users_in_run": 3, "unknown_user_entries": 1,
                        "unknown_items": 2, "duplicates": 1, "matched_by_title": 1, "beyond_kmax": 0}, r["run"]
    assert r["counts"]["users_short_list"] == 3 + 1     # u4 has an empty list too
    h = h5py.File(f"hand_{order}/results.h5", "r")
    assert [list(x) for x in h["topk/items"][:]] == ([[2, 1, -1], [4, 3, -1], [-1, -1, -1], [-1, -1, -1]] if order == "score"
                                                     else [[2, 1, -1], [3, 4, -1], [-1, -1, -1], [-1, -1, -1]])
    v = h["per_user/validity@3"][:]
    assert math.isclose(v[0], 2 / 3) and v[1] == 1 and v[2] == 0 and math.isnan(v[3])
    assert math.isnan(h["per_user/short_list_rate@2"][3])  # u4 has no test items
PYEOF

# 3. HDF5 lists: -1 pads, an index out of range, a repeat.
check h5_lists "$PY" - <<'PYEOF'
import h5py, numpy as np
with h5py.File("lists.h5", "w") as f:
    f["lists/items"] = np.array([[2, 2, 99, -1], [-1, 3, -1, 4], [-1, -1, -1, -1], [-5, 0, 1, 2]], np.int32)
PYEOF
check runs_h5_lists run 2 "$RECEVAL" runs h.h5 lists.h5 --out hl --k 2,4 --metrics precision
check h5_lists_values "$PY" - <<'PYEOF'
import json, math
r = json.load(open("hl/report.json"))
# entries: u1 3 (2, 2, 99), u2 2 (3, 4), u4 4 (-5, 0, 1, 2); invalid: 99 and -5; repeat: u1's second 2.
assert r["run"] == {"format": "hdf5", "entries": 9, "users_in_run": 3, "unknown_user_entries": 0,
                    "unknown_items": 2, "duplicates": 1, "matched_by_title": 0, "beyond_kmax": 0}, r["run"]
m = {k: v["mean"] for k, v in r["metrics"].items()}
# validity@2: u1 2/2, u2 2/2, u4 1/2 -> 5/6; duplicate_rate@2: u1 1/2 -> 1/6
assert math.isclose(m["validity@2"], 5 / 6) and math.isclose(m["duplicate_rate@2"], 1 / 6), m
# precision@2 over users with test (u1 [i3]: hit, u2 [i4, i5]: hit, u3 []): (1/2 + 1/2 + 0)/3
assert math.isclose(m["precision@2"], 1 / 3), m
PYEOF

# 4. Malformed run files: exit 3, file and line named, no report.
printf 'u1 Q0 i1 1 0.5 r\nu1 Q0 i2 two 0.4 r\n' > bad.trec
check bad_rank bash -c "'$MPIRUN' --timeout 60 -np 2 '$RECEVAL' runs h.h5 bad.trec --out bad --k 2 > out.br 2>&1; test \$? -eq 3 && grep -q \"bad.trec:2: rank 'two' is not an integer\" out.br && test ! -e bad/report.json"
printf 'u1 Q0 i1 1 0.5\n' > five.trec
check five_fields bash -c "'$RECEVAL' runs h.h5 five.trec --out bad --k 2 > out.ff 2>&1; test \$? -eq 3 && grep -q 'five.trec:1: 5 fields, expected 6' out.ff"
check missing_run bash -c "'$RECEVAL' runs h.h5 nothere.trec --out bad --k 2 > out.mr 2>&1; test \$? -eq 4"
check bad_order bash -c "'$RECEVAL' runs h.h5 hand.trec --out bad --order random > /dev/null 2>&1; test \$? -eq 2"

echo "runs.sh: $fails failure(s)"
exit $((fails > 0))
