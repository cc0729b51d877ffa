#!/usr/bin/env bash
# Every metric of the specification, end to end: `receval eval --metrics all`
# on a generated dataset (with categories) and on a hand-built one with edge-case
# users (graded relevance, categories, a zero item, a duplicate item, short and
# empty candidate lists), for cosine, dot and euclidean, at 1-4 ranks.
#  - outputs are bitwise identical at every rank count (compare_runs.py);
#  - an independent numpy evaluator (refeval.py) recomputes every report entry
#    and every /per_user array;
#  - trec_check.py recomputes trec_eval's P, recall, ndcg_cut, map_cut, success
#    and recip_rank from a qrels and a run file against --convention trec;
#  - --keep-seen with pooled user vectors (no /users/embedding);
#  - calibration on a dataset without categories is omitted, not an error;
#  - test items that are train items; a zero item scoring exactly 0 (bin edge);
#  - users whose train items have a zero profile vector (specification: h_u = 0).
# Usage: metrics.sh RECEVAL WORKDIR   (env: RV_PYTHON3, RV_MPIEXEC)
set -u
RECEVAL=$1 WORK=$2
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
K=1,5,10,50

# 1. Datasets.
check gen_g run 2 "$RECEVAL" gen g.h5 --users 2000 --items 1000 --dim 24 --seed 7 --categories 7
check make_e "$PY" "$HERE/py/make_dataset.py" e.h5 --users 400 --items 250 --dim 16 --seed 5 --graded --categories 5
check make_pooled "$PY" "$HERE/py/make_dataset.py" ep.h5 --users 300 --items 180 --dim 12 --seed 8 --graded --categories 4 --no-user-embeddings
check make_nocat "$PY" "$HERE/py/make_dataset.py" nc.h5 --users 60 --items 40 --dim 8 --seed 9
# Zero profiles: user 0 trains only on the all-zero item 1; user 1 on items 2 and 3,
# whose unit vectors cancel; user 2 has an ordinary profile; user 3 no train items.
check make_zero_profile "$PY" - <<'PYEOF'
import h5py, numpy as np
items = np.array([[1, 0], [0, 0], [0, 1], [0, -1], [1, 1], [-1, 2]], np.float32)
users = np.array([[1, 0.5], [0.3, 1], [1, -1], [0.5, 0.5]], np.float32)
train, test = [[1], [2, 3], [0, 4], []], [[0, 5], [4], [5], [2]]
def csr(rows):
    ptr = np.zeros(len(rows) + 1, np.int64)
    ptr[1:] = np.cumsum([len(r) for r in rows])
    return ptr, np.array([i for r in rows for i in r], np.int32)
with h5py.File("zp.h5", "w") as f:
    f.attrs.update(format="receval-dataset", version=np.int64(1), n_users=np.int64(4),
                   n_items=np.int64(6), dim=np.int64(2))
    f["items/embedding"], f["users/embedding"] = items, users
    f["train/indptr"], f["train/indices"] = csr(train)
    f["test/indptr"], f["test/indices"] = csr(test)
PYEOF

# 2. --metrics all at 1-4 ranks, three similarities: identical outputs, reference agrees.
for ds in g e; do
  for sim in cosine dot euclidean; do
    dirs=()
    for np in 1 2 3 4; do
      d="${ds}_${sim}_np$np"
      check "eval_$d" run $np "$RECEVAL" eval $ds.h5 --out "$d" --metrics all --k $K --similarity $sim
      dirs+=("$d")
    done
    check "identical_${ds}_$sim" "$PY" "$HERE/py/compare_runs.py" "${dirs[@]}"
    check "reference_${ds}_$sim" "$PY" "$HERE/py/refeval.py" $ds.h5 "${dirs[0]}" --k $K --similarity $sim
  done
done

# 3. trec convention: trec_eval's definitions from qrels and run files, and the reference.
for ds in g e; do
  check "eval_trec_$ds" run 3 "$RECEVAL" eval $ds.h5 --out "trec_$ds" --metrics all --k $K --convention trec
  check "trec_check_$ds" "$PY" "$HERE/py/trec_check.py" $ds.h5 "trec_$ds"
  check "reference_trec_$ds" "$PY" "$HERE/py/refeval.py" $ds.h5 "trec_$ds" --k $K --convention trec
done

# 4. --keep-seen with pooled user vectors (dot), trec convention, at 1 and 3 ranks.
for np in 1 3; do
  check "eval_keep_seen_np$np" run $np "$RECEVAL" eval ep.h5 --out "keep_np$np" --metrics all --k $K \
    --similarity dot --keep-seen --convention trec
done
check identical_keep_seen "$PY" "$HERE/py/compare_runs.py" keep_np1 keep_np3
check reference_keep_seen "$PY" "$HERE/py/refeval.py" ep.h5 keep_np1 --k $K --similarity dot --keep-seen --convention trec
check trec_check_keep_seen "$PY" "$HERE/py/trec_check.py" ep.h5 keep_np1

# 5. Test items that are also train items (not candidates unless --keep-seen), users
#    without train or test items, an item without category, and a zero item whose dot
#    score is exactly 0 for every user (the mid-range edge of the I(S;Y) bins).
check make_overlap "$PY" - <<'PYEOF'
import h5py, numpy as np
rng = np.random.default_rng(1)
U, N, D = 40, 30, 5
items = rng.normal(size=(N, D)).astype(np.float32)
items[3] = 0.0
users = rng.normal(size=(U, D)).astype(np.float32)
train = [np.sort(rng.choice(N, rng.integers(0, 8), replace=False)) for _ in range(U)]
test = [np.sort(rng.choice(N, rng.integers(0, 6), replace=False)) for _ in range(U)]   # may overlap
train = [t if list(t) != [3] else np.array([3, 7]) for t in train]   # no zero profile here (step 7)
test[0] = train[0][:2] if len(train[0]) >= 2 else test[0]                             # only seen items
cats = [np.array(sorted({i % 3, (i * 7) % 4})) for i in range(N)]
cats[5] = cats[5][:0]
def csr(rows):
    ptr = np.zeros(len(rows) + 1, np.int64)
    ptr[1:] = np.cumsum([len(r) for r in rows])
    return ptr, np.concatenate(rows).astype(np.int32)
with h5py.File("ov.h5", "w") as f:
    f.attrs.update(format="receval-dataset", version=np.int64(1), n_users=np.int64(U),
                   n_items=np.int64(N), dim=np.int64(D))
    f["items/embedding"], f["users/embedding"] = items, users
    f["train/indptr"], f["train/indices"] = csr(train)
    f["test/indptr"], f["test/indices"] = csr(test)
    f["test/values"] = rng.integers(1, 4, size=sum(len(t) for t in test)).astype(np.float32)
    f["items/category/indptr"], f["items/category/indices"] = csr(cats)
PYEOF
for ks in seen keep; do
  flag=; [ $ks = keep ] && flag=--keep-seen
  for np in 1 2; do
    check "eval_overlap_${ks}_np$np" run $np "$RECEVAL" eval ov.h5 --out "ov_${ks}_np$np" --metrics all --k 1,3,30 --similarity dot $flag
  done
  check "identical_overlap_$ks" "$PY" "$HERE/py/compare_runs.py" "ov_${ks}_np1" "ov_${ks}_np2"
  check "reference_overlap_$ks" "$PY" "$HERE/py/refeval.py" ov.h5 "ov_${ks}_np1" --k 1,3,30 --similarity dot $flag
done

# 6. calibration without /items/category: the job succeeds, the metric is listed in
#    report.json "omitted" and appears nowhere else.
check eval_calibration_omitted run 2 "$RECEVAL" eval nc.h5 --out nocat --metrics calibration,precision --k 5
check calibration_omitted "$PY" - <<'PYEOF'
import json, h5py
r = json.load(open("nocat/report.json"))
assert "calibration" in r["job"]["metrics"], r["job"]["metrics"]
assert not any(m.startswith("calibration") for m in r["metrics"]), list(r["metrics"])
assert "precision@5" in r["metrics"], list(r["metrics"])
with h5py.File("nocat/results.h5", "r") as h:
    assert not any(n.startswith("calibration") for n in h["per_user"]), list(h["per_user"])
om = r.get("omitted")
assert isinstance(om, list) and any(str(x).startswith("calibration") for x in om), \
    f'report.json has no "omitted" entry for calibration: {om!r} (keys: {list(r)})'
print("omitted:", om)
PYEOF
check reference_calibration_omitted "$PY" "$HERE/py/refeval.py" nc.h5 nocat --k 5

# 7. Zero profile vectors count for unexpectedness and serendipity (every term 1 - 0).
check eval_zero_profile run 1 "$RECEVAL" eval zp.h5 --out zp --metrics unexpectedness,serendipity,ild,novelty --k 1,3
check reference_zero_profile "$PY" "$HERE/py/refeval.py" zp.h5 zp --k 1,3

echo "metrics.sh: $fails failure(s)"
exit $((fails > 0))
