#!/usr/bin/python3
"""Independent reference evaluator (numpy float64) that checks receval's outputs.

Usage: refeval.py DATASET.h5 OUTDIR --k 10,20 [--similarity cosine|dot|euclidean] [--keep-seen]

Reads the dataset and OUTDIR/report.json, OUTDIR/results.h5, recomputes top-k
lists, per-user metrics, exposure and the report's means and 95% Student-t
intervals, and compares. Exit 0 on agreement, 1 on disagreement (up to 10 shown).

receval scores in float32, so near-ties may legitimately swap: a list is
accepted when, at every rank, the float64 score of receval's item is within
TOPK_TOL (relative to max(1, |score|)) of the reference score at that rank.
Expected metrics are then computed from receval's own (accepted) lists.
"""
import argparse
import json
import math
import os
import sys

import h5py
import numpy as np

METRICS = ("precision", "recall", "ndcg", "hit")
TOPK_TOL = 1e-4    # scores and near-ties, relative to max(1, |score|)
USER_TOL = 1e-12   # per-user metric values
MEAN_TOL = 1e-9    # report means and interval bounds
BLOCK = 256        # users per scoring block
SHOWN = 10


class Check:
    """Collects disagreements; keeps the first SHOWN messages."""

    def __init__(self):
        self.count, self.msgs = 0, []

    def fail(self, msg):
        self.count += 1
        if len(self.msgs) < SHOWN:
            self.msgs.append(msg)


def die(msg):
    print(f"refeval: FAIL: {msg}")
    sys.exit(1)


# ---------------------------------------------------------------- statistics

def t_cdf_abs(t, df):
    """P(|T| < t) for Student's t with integer df >= 1 (Abramowitz-Stegun 26.7.3-4)."""
    theta = math.atan(t / math.sqrt(df))
    c2, s = math.cos(theta) ** 2, math.sin(theta)
    if df % 2 == 0:    # sin(th) * (1 + 1/2 c^2 + 1*3/(2*4) c^4 + ... up to c^(df-2))
        j = np.arange(1, df // 2)
        terms = np.cumprod((2 * j - 1) / (2 * j) * c2)
        return s * (1.0 + terms.sum())
    if df == 1:
        return 2.0 * theta / math.pi
    # odd: 2/pi * (th + sin(th) * (c + 2/3 c^3 + 2*4/(3*5) c^5 + ... up to c^(df-2)))
    j = np.arange(1, (df - 1) // 2)
    terms = math.sqrt(c2) * np.cumprod((2 * j) / (2 * j + 1) * c2)
    return 2.0 / math.pi * (theta + s * (math.sqrt(c2) + terms.sum()))


def t_quantile_975(df):
    """t with P(T <= t) = 0.975, by bisection on the exact integer-df CDF."""
    lo, hi = 0.0, 1.0
    while t_cdf_abs(hi, df) < 0.95:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        lo, hi = (mid, hi) if t_cdf_abs(mid, df) < 0.95 else (lo, mid)
    return 0.5 * (lo + hi)


def mean_ci95(v):
    """Mean and [lo, hi] (two-pass sample std); n=0: NaN, n=1: [mean, mean]."""
    n = len(v)
    if n == 0:
        return math.nan, [math.nan, math.nan]
    mean = math.fsum(v) / n
    if n == 1:
        return mean, [mean, mean]
    s = math.sqrt(math.fsum((v - mean) ** 2) / (n - 1))
    half = t_quantile_975(n - 1) * s / math.sqrt(n)
    return mean, [mean - half, mean + half]


# ---------------------------------------------------------------- dataset

def read_csr(f, name, n_rows, n_cols):
    indptr = f[name + "/indptr"][()].astype(np.int64)
    indices = f[name + "/indices"][()].astype(np.int64)
    nnz = len(indices)
    if len(indptr) != n_rows + 1 or indptr[0] != 0 or indptr[-1] != nnz or np.any(np.diff(indptr) < 0):
        die(f"dataset /{name}/indptr is not a valid CSR row pointer")
    if nnz and (indices.min() < 0 or indices.max() >= n_cols):
        die(f"dataset /{name}/indices out of range")
    within = np.ones(max(nnz - 1, 0), dtype=bool)      # pairs (j-1, j) inside one row
    starts = indptr[1:-1]
    within[starts[(starts > 0) & (starts < nnz)] - 1] = False
    if np.any(np.diff(indices)[within] <= 0):
        die(f"dataset /{name}/indices not strictly increasing within a row")
    return indptr, indices


def load_dataset(path):
    with h5py.File(path, "r") as f:
        fmt = f.attrs.get("format")
        fmt = fmt.decode() if isinstance(fmt, bytes) else fmt
        if fmt != "receval-dataset":
            die(f"{path}: format attribute is {fmt!r}, not 'receval-dataset'")
        n_users, n_items, dim = (int(f.attrs[k]) for k in ("n_users", "n_items", "dim"))
        d = {"n_users": n_users, "n_items": n_items}
        d["items"] = f["items/embedding"][()].astype(np.float64)
        d["users"] = f["users/embedding"][()].astype(np.float64) if "users/embedding" in f else None
        if d["items"].shape != (n_items, dim) or (d["users"] is not None and d["users"].shape != (n_users, dim)):
            die(f"{path}: embedding shapes disagree with n_users/n_items/dim")
        d["train"] = read_csr(f, "train", n_users, n_items)
        d["test"] = read_csr(f, "test", n_users, n_items)
        nnz_test = len(d["test"][1])
        if "test/values" in f:
            vals = f["test/values"][()].astype(np.float64)
            if len(vals) != nnz_test or not np.all(vals > 0):
                die(f"{path}: /test/values must hold {nnz_test} values > 0")
        else:
            vals = np.ones(nnz_test)
        d["values"] = vals
    return d


def user_vectors(d):
    """/users/embedding, else the mean of the user's train item embeddings (0 if none)."""
    if d["users"] is not None:
        return d["users"]
    indptr, indices = d["train"]
    counts = np.diff(indptr)
    sums = np.zeros((d["n_users"], d["items"].shape[1]))
    nz = counts > 0
    if nz.any():
        sums[nz] = np.add.reduceat(d["items"][indices], indptr[:-1][nz], axis=0)
    return sums / np.maximum(counts, 1)[:, None]


def normalise(x):
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(n > 0, n, 1.0)


def row_mask(indptr, indices, lo, hi, n_cols):
    """Dense [hi-lo, n_cols] boolean matrix of CSR rows lo..hi-1 (plus the values' positions)."""
    a, b = indptr[lo], indptr[hi]
    rows = np.repeat(np.arange(hi - lo), np.diff(indptr[lo:hi + 1]))
    m = np.zeros((hi - lo, n_cols), dtype=bool)
    m[rows, indices[a:b]] = True
    return m, rows, slice(a, b)


# ---------------------------------------------------------------- checks

def check_list(u, lst, sc, srow, ref_top, chk):
    """Is receval's list `lst` (scores `sc`) for user u acceptable? srow: float64
    scores of all items, -inf for non-candidates; ref_top: reference top scores."""
    m = len(ref_top)
    if not (np.all(lst[:m] >= 0) and np.all(lst[m:] == -1)):
        chk.fail(f"user {u}: expected {m} items then -1 padding, got {lst.tolist()}")
        return False
    li = lst[:m]
    if np.any(li >= len(srow)) or len(np.unique(li)) != m or np.any(np.isneginf(srow[li])):
        chk.fail(f"user {u}: list has an out-of-range, duplicate or seen item: {li.tolist()}")
        return False
    ok = True
    f = srow[li]
    bad = np.nonzero(np.abs(f - ref_top) > TOPK_TOL * np.maximum(1.0, np.abs(ref_top)))[0]
    if len(bad):
        j = bad[0]
        chk.fail(f"user {u}: rank {j + 1} has item {li[j]} (reference score {f[j]:.9g}) "
                 f"but the reference score at that rank is {ref_top[j]:.9g}; not a near-tie")
        ok = False
    bad = np.nonzero(~(np.abs(sc[:m] - f) <= TOPK_TOL * np.maximum(1.0, np.abs(f))))[0]
    if len(bad):
        j = bad[0]
        chk.fail(f"user {u}: score of item {li[j]} at rank {j + 1} is {sc[j]:.9g}, reference {f[j]:.9g}")
        ok = False
    if not np.all(np.isnan(sc[m:])):
        chk.fail(f"user {u}: padding scores after rank {m} are not NaN: {sc[m:].tolist()}")
        ok = False
    a, b, ia, ib = sc[:max(m - 1, 0)], sc[1:m], li[:max(m - 1, 0)], li[1:m]
    bad = np.nonzero((a < b) | ((a == b) & (ia > ib)))[0]
    if len(bad):
        j = bad[0]
        chk.fail(f"user {u}: ranks {j + 1},{j + 2} out of order by receval's own scores: "
                 f"(item {ia[j]}, {a[j]!r}) before (item {ib[j]}, {b[j]!r})")
        ok = False
    return ok


def close(a, b, tol):
    if a is None or b is None:
        return (a is None or math.isnan(a)) and (b is None or math.isnan(b))
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= tol


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dataset")
    p.add_argument("outdir")
    p.add_argument("--k", required=True, help="comma-separated cutoffs, e.g. 10,20")
    p.add_argument("--similarity", choices=("cosine", "dot", "euclidean"), default="cosine")
    p.add_argument("--keep-seen", action="store_true")
    a = p.parse_args()
    try:
        ks = sorted({int(x) for x in a.k.split(",")})
    except ValueError:
        p.error("--k must be comma-separated integers")
    if ks[0] < 1:
        p.error("--k values must be >= 1")
    kmax = ks[-1]

    d = load_dataset(a.dataset)
    n_users, n_items = d["n_users"], d["n_items"]
    E, Uv = d["items"], user_vectors(d)
    if a.similarity == "cosine":
        E, Uv = normalise(E), normalise(Uv)
    e_sq = (E * E).sum(axis=1)
    tr_ptr, tr_idx = d["train"]
    te_ptr, te_idx = d["test"]
    vals = d["values"]
    n_rel = np.diff(te_ptr)
    skipped = n_rel == 0
    disc = 1.0 / np.log2(np.arange(2, kmax + 2))

    # receval's outputs
    path = os.path.join(a.outdir, "results.h5")
    try:
        with h5py.File(path, "r") as r:
            ds = {k: r[k] for k in ["topk/items", "topk/scores", "exposure/count"]
                  + [f"per_user/{m}@{k}" for k in ks for m in METRICS]}
            want = {"topk/items": (np.int32, (n_users, kmax)), "topk/scores": (np.float32, (n_users, kmax)),
                    "exposure/count": (np.int64, (n_items,))}
            for name, x in ds.items():
                dt, shape = want.get(name, (np.float64, (n_users,)))
                if x.dtype != dt or x.shape != shape:
                    die(f"{path}: /{name} is {x.dtype} {x.shape}, expected {np.dtype(dt)} {shape}")
            got = {k: x[()] for k, x in ds.items()}
    except (OSError, KeyError) as e:
        die(f"cannot read {path}: {e}")
    try:
        with open(os.path.join(a.outdir, "report.json")) as fh:
            report = json.load(fh)
    except (OSError, ValueError) as e:
        die(f"cannot read report.json: {e}")

    chk = Check()
    items_r, scores_r = got["topk/items"].astype(np.int64), got["topk/scores"].astype(np.float64)
    per_user = {f"{m}@{k}": np.full(n_users, np.nan) for k in ks for m in METRICS}
    n_same = n_ties = 0
    for lo in range(0, n_users, BLOCK):
        hi = min(lo + BLOCK, n_users)
        B = hi - lo
        Ub = Uv[lo:hi]
        S = Ub @ E.T
        if a.similarity == "euclidean":
            S = -((Ub * Ub).sum(axis=1)[:, None] + e_sq[None, :] - 2.0 * S)
        seen, _, _ = row_mask(tr_ptr, tr_idx, lo, hi, n_items)
        n_cand = np.full(B, n_items) if a.keep_seen else n_items - seen.sum(axis=1)
        if not a.keep_seen:
            S[seen] = -np.inf
        order = np.argsort(-S, axis=1, kind="stable")[:, :kmax]   # ties: smaller index first
        top = np.take_along_axis(S, order, axis=1)

        # Lists the metrics are computed from: receval's if acceptable, else the reference.
        lists = np.full((B, kmax), -1, dtype=np.int64)
        for i in range(B):
            u, m = lo + i, min(kmax, int(n_cand[i]))
            ref = order[i, :m]
            lists[i, :m] = ref
            if check_list(u, items_r[u], scores_r[u], S[i], top[i, :m], chk):
                if np.array_equal(items_r[u, :m], ref):
                    n_same += 1
                else:
                    n_ties += 1
                    lists[i] = items_r[u]

        # Relevance of listed items, and ideal relevances for IDCG.
        _, rows, sl = row_mask(te_ptr, te_idx, lo, hi, n_items)
        rel = np.zeros((B, n_items))
        rel[rows, te_idx[sl]] = vals[sl]
        G = np.where(lists >= 0, np.take_along_axis(rel, np.maximum(lists, 0), axis=1), 0.0)
        ideal = np.zeros((B, kmax))                          # kmax may exceed n_items
        best = -np.sort(-rel, axis=1)[:, :kmax]
        ideal[:, :best.shape[1]] = best
        nr = n_rel[lo:hi]
        ev = nr > 0
        for k in ks:
            hits = (G[:, :k] > 0).sum(axis=1)
            dcg, idcg = G[:, :k] @ disc[:k], ideal[:, :k] @ disc[:k]
            with np.errstate(divide="ignore", invalid="ignore"):
                vals_k = {"precision": hits / k, "recall": hits / nr, "ndcg": dcg / idcg,
                          "hit": (hits > 0).astype(np.float64)}
            for mname, v in vals_k.items():
                per_user[f"{mname}@{k}"][lo:hi] = np.where(ev, v, np.nan)

    # exposure of receval's lists
    valid = items_r[(items_r >= 0) & (items_r < n_items)]
    exp_count = np.bincount(valid, minlength=n_items)
    bad = np.nonzero(exp_count != got["exposure/count"])[0]
    if len(bad):
        i = bad[0]
        chk.fail(f"exposure/count differs for {len(bad)} items, e.g. item {i}: "
                 f"receval {got['exposure/count'][i]}, lists give {exp_count[i]}")

    # per-user metrics
    for name, exp in per_user.items():
        g = got[f"per_user/{name}"]
        bad = np.nonzero(~((np.isnan(exp) & np.isnan(g)) | (np.abs(exp - g) <= USER_TOL)))[0]
        for u in bad[:3]:
            chk.fail(f"per_user/{name}[{u}]: receval {g[u]!r}, reference {exp[u]!r}")
        if len(bad) > 3:
            chk.fail(f"per_user/{name}: {len(bad)} users differ in total")

    # report.json
    n_eval = int((~skipped).sum())
    counts = report.get("counts", {})
    for key, want in (("users", n_users), ("users_evaluated", n_eval), ("users_skipped_no_test", n_users - n_eval)):
        if counts.get(key) != want:
            chk.fail(f"report counts.{key} = {counts.get(key)!r}, expected {want}")
    summary = []
    for name, exp in per_user.items():
        mean, ci = mean_ci95(exp[~skipped])
        summary.append((name, mean, ci))
        entry = report.get("metrics", {}).get(name)
        if not isinstance(entry, dict):
            chk.fail(f"report metrics has no entry {name!r}")
            continue
        if entry.get("users") != n_eval:
            chk.fail(f"report {name}.users = {entry.get('users')!r}, expected {n_eval}")
        rci = entry.get("ci95")
        if not close(entry.get("mean"), mean, MEAN_TOL):
            chk.fail(f"report {name}.mean = {entry.get('mean')!r}, expected {mean!r}")
        if not (isinstance(rci, list) and len(rci) == 2 and all(close(x, y, MEAN_TOL) for x, y in zip(rci, ci))):
            chk.fail(f"report {name}.ci95 = {rci!r}, expected {ci!r}")

    print(f"refeval: {a.dataset}: {n_users} users ({n_eval} evaluated, {n_users - n_eval} skipped), "
          f"{n_items} items; {a.similarity}, keep_seen={a.keep_seen}, k={','.join(map(str, ks))}")
    print(f"refeval: top-k lists identical {n_same}, accepted near-tie differences {n_ties}, "
          f"rejected {n_users - n_same - n_ties}")
    for name, mean, ci in summary:
        print(f"  {name:<14} {mean:.6f}  [{ci[0]:.6f}, {ci[1]:.6f}]")
    if chk.count:
        print(f"refeval: FAIL: {chk.count} disagreement(s); first {len(chk.msgs)}:")
        for msg in chk.msgs:
            print("  " + msg)
        sys.exit(1)
    print("refeval: OK")


if __name__ == "__main__":
    main()
