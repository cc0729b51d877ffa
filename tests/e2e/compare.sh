#!/usr/bin/env bash
# `receval compare` end to end, against statistics computed independently in
# Python (no scipy): the t statistic and its p-value (numerical integration
# of Student's t density), Wilcoxon W+ and W- with average ranks, the
# tie-corrected normal approximation, the exact p for small untied samples
# by enumerating every sign pattern, Cohen's d_z, the rank-biserial
# correlation and Holm's adjustment; users without a value in either run are
# left out of the pairs. Then on two real evaluations (eval vs runs of a
# popularity baseline) and the error cases.
# Usage: compare.sh RECEVAL WORKDIR   (env: RV_PYTHON3, RV_MPIEXEC)
set -u
RECEVAL=$1 WORK=$2
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1

# 1. Hand-made results.h5 pairs: m1 small untied (exact Wilcoxon), m2 ties
#    and zeros (normal), m3 larger random, m4 with NaN users.
check make_results "$PY" - <<'PYEOF'
import h5py, numpy as np
rng = np.random.default_rng(5)
n = 40
a = {"m1@10": np.full(n, np.nan), "m2@10": np.zeros(n), "m3@10": rng.random(n), "m4@10": rng.random(n)}
b = {k: v.copy() for k, v in a.items()}
a["m1@10"][:9] = [0.1, 0.5, 0.2, 0.9, 0.3, 0.33, 0.7, 0.05, 0.6]
b["m1@10"][:9] = [0.15, 0.4, 0.45, 0.95, 0.61, 0.32, 0.72, 0.17, 0.99]
b["m2@10"] = np.round(rng.normal(0.1, 1.0, n)).clip(-2, 3) / 4       # many ties and zeros
b["m3@10"] = a["m3@10"] + rng.normal(0.05, 0.2, n)
b["m4@10"] = a["m4@10"] + rng.normal(-0.02, 0.3, n)
a["m4@10"][[3, 7]] = np.nan
b["m4@10"][[7, 11, 12]] = np.nan
for name, vals in (("A", a), ("B", b)):
    with h5py.File(f"{name}/results.h5" if False else f"{name}.h5", "w") as f:
        f.attrs["format"] = np.bytes_("receval-results")
        f.attrs["version"] = np.int64(1)
        f.attrs["dataset_checksum"] = np.bytes_("rvh64:0123456789abcdef")
        f["topk/items"] = np.zeros((n, 10), np.int32)
        for k, v in vals.items():
            f["per_user/" + k] = v
PYEOF
mkdir -p A B && mv A.h5 A/results.h5 && mv B.h5 B/results.h5
check compare_json "$RECEVAL" compare A B --json cmp.json
check reference "$PY" - <<'PYEOF'
import itertools, json, math, h5py, numpy as np
res = json.load(open("cmp.json"))["metrics"]
A, B = h5py.File("A/results.h5", "r"), h5py.File("B/results.h5", "r")

def t_pvalue(t, df):
    # two-sided: 2 * integral from |t| to inf of the t density (substitution x = |t| + s/(1-s))
    c = math.gamma((df + 1) / 2) / (math.sqrt(df * math.pi) * math.gamma(df / 2))
    s = np.linspace(0, 1, 400001)[:-1]
    x = abs(t) + s / (1 - s)
    f = c * (1 + x * x / df) ** (-(df + 1) / 2) / (1 - s) ** 2
    return 2 * np.trapz(f, s)

pvals = {}
for k in ["m1@10", "m2@10", "m3@10", "m4@10"]:
    a, b = A["per_user"][k][:], B["per_user"][k][:]
    ok = ~np.isnan(a) & ~np.isnan(b)
    d = b[ok] - a[ok]
    n = len(d)
    r = res[k]
    assert r["users"] == n, (k, r["users"], n)
    sd = d.std(ddof=1)
    t = d.mean() / (sd / math.sqrt(n))
    assert math.isclose(r["t"], t, rel_tol=1e-12), (k, r["t"], t)
    assert math.isclose(r["cohen_dz"], d.mean() / sd, rel_tol=1e-12)
    pt = t_pvalue(t, n - 1)
    assert abs(r["p_t"] - pt) < 1e-7 * max(1, pt), (k, r["p_t"], pt)
    nz = d[d != 0]
    m = len(nz)
    absd = np.abs(nz)
    ranks = np.array([(np.sum(absd < x) + 1 + np.sum(absd <= x)) / 2 for x in absd])   # average ranks
    wp, wm = ranks[nz > 0].sum(), ranks[nz < 0].sum()
    assert r["wilcoxon_nonzero"] == m and r["wilcoxon_w_plus"] == wp and r["wilcoxon_w_minus"] == wm, (k, r, wp, wm)
    assert math.isclose(r["rank_biserial"], (wp - wm) / (wp + wm), rel_tol=1e-12)
    _, cnt = np.unique(absd, return_counts=True)
    ties = (cnt > 1).any()
    if m <= 50 and not ties:
        if m <= 16:
            # exact: every one of the 2^m sign patterns of the ranks 1..m
            ws = np.array([sum(rk for rk, sg in zip(range(1, m + 1), signs) if sg)
                           for signs in itertools.product([0, 1], repeat=m)])
            lo, hi = np.sum(ws <= wp), np.sum(ws >= wp)
        else:
            # exact: coefficients of prod_r (1 + x^r) in Python integers
            poly = [1]
            for rk in range(1, m + 1):
                nxt = poly + [0] * rk
                for s_, c in enumerate(poly):
                    nxt[s_ + rk] += c
                poly = nxt
            lo, hi = sum(poly[:int(wp) + 1]), sum(poly[int(wp):])
        p = min(1.0, 2 * min(lo, hi) / 2 ** m)
        assert r["wilcoxon_exact"] and abs(r["p_wilcoxon"] - p) < 1e-14, (k, r["p_wilcoxon"], p)
    else:
        var = m * (m + 1) * (2 * m + 1) / 24 - np.sum(cnt ** 3 - cnt) / 48
        z = (wp - m * (m + 1) / 4) / math.sqrt(var)
        p = math.erfc(abs(z) / math.sqrt(2))
        assert not r["wilcoxon_exact"] and math.isclose(r["wilcoxon_z"], z, rel_tol=1e-12), (k, r["wilcoxon_z"], z)
        assert math.isclose(r["p_wilcoxon"], p, rel_tol=1e-10), (k, r["p_wilcoxon"], p)
    pvals[k] = (r["p_t"], r["p_wilcoxon"])
# Holm over the four metrics, for each test.
for j, key in ((0, "p_t_holm"), (1, "p_wilcoxon_holm")):
    order = sorted(pvals, key=lambda k: pvals[k][j])
    run = 0
    for i, k in enumerate(order):
        run = max(run, min(1.0, (len(order) - i) * pvals[k][j]))
        assert math.isclose(res[k][key], run, rel_tol=1e-12), (k, key, res[k][key], run)
assert res["m1@10"]["users"] == 9 and res["m4@10"]["users"] == 36
PYEOF
check compare_table grep -q "m1@10" log.compare_json
check compare_metrics_opt bash -c "'$RECEVAL' compare A B --metrics m3@10 > out.m && grep -q m3@10 out.m && ! grep -q m1@10 out.m"
check compare_unknown_metric bash -c "'$RECEVAL' compare A B --metrics nope@1 > /dev/null 2>&1; test \$? -eq 2"
check compare_missing bash -c "'$RECEVAL' compare A nothere > /dev/null 2>&1; test \$? -eq 4"
mkdir -p C && cp B/results.h5 C/ && "$PY" -c "import h5py, numpy as np; h5py.File('C/results.h5', 'r+').attrs['dataset_checksum'] = np.bytes_('rvh64:ffffffffffffffff')"
check compare_other_dataset bash -c "'$RECEVAL' compare A C > out.o 2>&1; test \$? -eq 3 && grep -q 'different datasets' out.o"

# 2. Real outputs: eval of a generated dataset against a popularity run, at 2 ranks.
check gen run 2 "$RECEVAL" gen g.h5 --users 500 --items 300 --dim 16 --seed 4
check eval run 2 "$RECEVAL" eval g.h5 --out ev --k 5,10
check pop_run "$PY" - <<'PYEOF'
import h5py, numpy as np
f = h5py.File("g.h5", "r")
ptr, idx = f["train/indptr"][:], f["train/indices"][:]
pop = np.bincount(idx, minlength=f.attrs["n_items"])
order = np.lexsort((np.arange(len(pop)), -pop))     # most popular first, ties by index
with open("pop.trec", "w") as out:
    for u in range(len(ptr) - 1):
        seen = set(idx[ptr[u]:ptr[u + 1]])
        picks = [i for i in order if i not in seen][:10]
        for r, i in enumerate(picks):
            out.write(f"{u} Q0 {i} {r + 1} {pop[i]} pop\n")
PYEOF
check runs_pop run 2 "$RECEVAL" runs g.h5 pop.trec --out pop --k 5,10
check compare_real run 2 "$RECEVAL" compare pop ev --json real.json
check compare_real_json "$PY" -c "
import json; r = json.load(open('real.json'))
assert set(r['metrics']) >= {'ndcg@10', 'precision@5'} and r['metrics']['ndcg@10']['users'] > 0
assert 'validity@10' not in r['metrics']   # only metrics both runs hold"

echo "compare.sh: $fails failure(s)"
exit $((fails > 0))
