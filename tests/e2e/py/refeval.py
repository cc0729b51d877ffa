#!/usr/bin/python3
"""Independent reference evaluator (numpy float64) that checks receval's outputs.

Usage: refeval.py DATASET.h5 OUTDIR --k 10,20 [--similarity cosine|dot|euclidean]
                  [--keep-seen] [--convention default|trec] [--metrics LIST|all]
                  [--mi-bins B]

Reads the dataset and OUTDIR/report.json, OUTDIR/results.h5, recomputes the
top-k lists and every metric of the specification (shared METRICS.md) that the
run selected (--metrics, default: job.metrics of report.json), and compares
every report entry (mean, ci95, users), every /per_user/<name> array, the
exposure counts and the user counts. Exit 0 on agreement, 1 on disagreement
(up to 10 shown). --convention and --mi-bins default to the report's
"conventions"; given explicitly, they must match it.

What is recomputed how, and why the tolerances are what they are:

* Vectors. receval stores the vectors it scores with in float32: the file's
  embeddings (or, without /users/embedding, the mean of the user's train
  items accumulated in double in CSR order and rounded to float32), rows
  scaled to unit length in double and rounded to float32 (cosine, and the
  unit item vectors e_i of ILD / unexpectedness / serendipity; a zero row
  stays zero), squared norms rounded to float32 (euclidean), and the profile
  h_u (unit mean of the train items' unit vectors) rounded to float32. These
  roundings are reproduced here (numpy float32 casts of float64 values, sums
  in receval's sequential order via cumsum), so that embedding-based
  per-user values agree to ~1e-15 instead of ~1e-8; everything after that is
  float64. Without the reproduction ILD, unexpectedness etc. differ by up to
  ~5e-8 (measured), which would force a tolerance 10^4 times looser.
* Scores: float64 dot products of those float32 vectors (exact products,
  ~1e-16 summation error). receval's sgemm scores differ by at most
  gamma_d * sum_k |u_k e_k| (d the dimension, float32 unit roundoff u=2^-24);
  this file uses delta = 2 (d+2) u sum_k|u_k e_k| per (user, item) pair
  (euclidean: 2 (d+6) u (2 sum|u_k e_k| + |u|^2 + |e|^2) for the extra float
  operations), a rigorous bound with a factor 2 of margin.
* Top-k lists: receval's list is accepted when, at every rank, the float64
  score of its item is within TOPK_TOL of the reference score at that rank
  (near-ties may swap); every list metric is then computed from receval's
  accepted lists (else from the reference list, and the user is reported).
* Per-user values: |receval - reference| <= USER_TOL * max(1, |reference|).
  Report means and ci95 bounds: MEAN_TOL * max(1, |value|), from the
  expected per-user values (Student-t, exact integer-df quantile).
* auc: counted in float64 per user over all candidates (positives = test
  items that are candidates, negatives = the other candidates, ties 1/2).
  A (positive, negative) pair is ambiguous when the two float64 scores are
  within delta_pos + max(delta over the user's row) of each other: sgemm's
  float32 rounding may order it either way, or tie it. receval's per-user AUC
  must lie in [correct/(P N), (correct + ambiguous)/(P N)] (+1e-12); without
  ambiguous pairs this is an exact check. The report's auc mean is then
  checked against receval's accepted per-user values.
* mi_score_relevance[_norm]: the (bin, Y) histogram over every (user,
  candidate) pair, bins as receval documents them: the range every score can
  take ([-1,1] cosine; [-M,M], M = max|u| max|i| of the scored vectors, dot;
  [-(max|u|+max|i|)^2, 0] euclidean), covered by B bins of the smallest
  power-of-two width w from an origin o that is a multiple of w; bin =
  floor(s/w) - o/w clamped (derived here again, and checked against the
  report's conventions.mi_bin_grid). Computed from the float64 scores: s/w is
  exact, so a pair moves only when an edge lies within delta of its float64
  score (sgemm's float32 rounding); those moves are enumerated, the exact
  change of I(S;Y) for moving that one pair is computed, and the tolerance
  is 2 * sum of those |changes| + 1e-12 (first order, factor 2 for the
  interaction of moves). Without ambiguous pairs the check is MEAN_TOL.
  Pairs with a zero user or item vector score exactly 0 in any arithmetic:
  they are never ambiguous and get the bin of 0 in exact rational arithmetic.
* mi_user_item@k = I(U;R) = H(R) - H(R|U) from its definition: p(u) uniform
  over the users with a list, p(i|u) uniform over L_u@k, so H(R) is the
  entropy of p(i) = (1/N) sum_{u: i in L_u} 1/|L_u| (not of the exposure
  counts), H(R|U) = mean_u log2 |L_u|; mi_user_item_norm@k = I(U;R) / H(R).
  The specification's shortcut entropy@k - mean_u log2 |L_u| equals this only
  when all lists have the same length; where it differs (short lists) the
  shortcut's value is printed as a note.
* unexpectedness / serendipity: a user with train items whose profile is the
  zero vector (all train embeddings zero, or unit vectors cancelling) has
  h_u = 0 by the specification (a zero vector stays zero when normalised,
  its cosine with anything is 0), so every term is 1: such a user counts.
  Only users without train items are skipped.
"""
import argparse
import json
import math
import os
import sys
from fractions import Fraction

import h5py
import numpy as np

TOPK_TOL = 1e-4    # scores and near-ties, relative to max(1, |score|)
USER_TOL = 1e-12   # per-user metric values, relative to max(1, |value|)
MEAN_TOL = 1e-9    # report means and interval bounds, relative to max(1, |value|)
AUC_SLACK = 1e-12  # added to the [lo, hi] interval of an AUC
BLOCK = 256        # users per scoring block
SHOWN = 10
U32 = 2.0 ** -24   # float32 unit roundoff
CAL_ALPHA = 0.01
HEAD_SHARE = (4, 5)  # short head: >= 4/5 of train interactions

# Registry order of receval's report: (name, kind, at_k).
REGISTRY = (
    ("precision", "user", True), ("recall", "user", True), ("f1", "user", True),
    ("ndcg", "user", True), ("map", "user", True), ("mrr", "user", True), ("hit", "user", True),
    ("auc", "user", False), ("coverage", "exposure", True), ("gini", "exposure", True),
    ("entropy", "exposure", True), ("ild", "user", True), ("novelty", "user", True),
    ("unexpectedness", "user", True), ("serendipity", "user", True),
    ("personalization", "exposure", True), ("arp", "user", True), ("aplt", "user", True),
    ("calibration", "user", True), ("mi_user_item", "exposure", True),
    ("mi_user_item_norm", "exposure", True), ("mi_score_relevance", "scan", False),
    ("mi_score_relevance_norm", "scan", False))
KIND = {n: k for n, k, _ in REGISTRY}
AT_K = {n: a for n, _, a in REGISTRY}


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


def xlog2x(c):
    """c log2 c elementwise, 0 for c = 0 (c >= 0)."""
    c = np.asarray(c, dtype=np.float64)
    return np.where(c > 0, c * np.log2(np.where(c > 0, c, 1.0)), 0.0)


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
        d = {"n_users": n_users, "n_items": n_items, "dim": dim}
        d["items32"] = f["items/embedding"][()].astype(np.float32)
        d["users32"] = f["users/embedding"][()].astype(np.float32) if "users/embedding" in f else None
        if d["items32"].shape != (n_items, dim) or (d["users32"] is not None and d["users32"].shape != (n_users, dim)):
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
        d["categories"] = None
        if "items/category/indptr" in f:
            cptr = f["items/category/indptr"][()].astype(np.int64)
            cidx = f["items/category/indices"][()].astype(np.int64)
            if len(cptr) != n_items + 1 or cptr[0] != 0 or cptr[-1] != len(cidx) or np.any(np.diff(cptr) < 0) \
                    or (len(cidx) and cidx.min() < 0):
                die(f"{path}: /items/category is not a valid CSR")
            d["categories"] = (cptr, cidx)
    return d


# ------------------------------------------- float32 vectors as receval stores them

def seq_sumsq(x32):
    """Per row sum of squares in double, accumulated left to right (as receval's loops)."""
    x = x32.astype(np.float64)
    if x.shape[1] == 0:
        return np.zeros(x.shape[0])
    return np.cumsum(x * x, axis=1)[:, -1]


def unit_f32(x32):
    """Rows scaled to unit length in double, rounded to float32; zero rows stay zero."""
    ss = seq_sumsq(x32)
    inv = 1.0 / np.sqrt(np.where(ss > 0, ss, 1.0))
    out = (x32.astype(np.float64) * inv[:, None]).astype(np.float32)
    out[ss == 0] = 0.0
    return out


def seq_row_sums(vec32, indptr, indices):
    """Per CSR row, the double sum of vec32[indices] accumulated in CSR order."""
    n_rows = len(indptr) - 1
    counts = np.diff(indptr)
    acc = np.zeros((n_rows, vec32.shape[1]))
    for t in range(int(counts.max()) if n_rows else 0):
        rows = np.nonzero(counts > t)[0]
        acc[rows] += vec32[indices[indptr[rows] + t]].astype(np.float64)
    return acc, counts


def user_vectors32(d):
    """/users/embedding, else the mean of the user's train item embeddings (0 if none), float32."""
    if d["users32"] is not None:
        return d["users32"]
    acc, counts = seq_row_sums(d["items32"], *d["train"])
    out = (acc / np.maximum(counts, 1)[:, None]).astype(np.float32)
    out[counts == 0] = 0.0
    return out


def profiles32(unit32, train):
    """h_u: unit vector of the sum (same direction as the mean) of the train items' unit
    vectors, rounded to float32; zero when that sum is zero. has_train: user has train items."""
    acc, counts = seq_row_sums(unit32, *train)
    ss = np.cumsum(acc * acc, axis=1)[:, -1] if acc.shape[1] else np.zeros(len(acc))
    inv = 1.0 / np.sqrt(np.where(ss > 0, ss, 1.0))
    h = (acc * inv[:, None]).astype(np.float32)
    h[ss == 0] = 0.0
    return h.astype(np.float64), counts > 0, ss > 0


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
    """a, b: float or None (JSON null = undefined); tol relative to max(1, |b|)."""
    a = math.nan if a is None else a
    b = math.nan if b is None else b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= tol * max(1.0, abs(b))


def bin_of_x(x, bins):
    """floor(x) clamped to [0, bins-1]."""
    b = np.floor(np.where(np.isfinite(x), x, 0.0)).astype(np.int64)
    return np.clip(b, 0, bins - 1)


def bin_exact(s, w, o, bins):
    """The documented bin floor(s/w) - o/w, clamped, in exact rational arithmetic."""
    x = math.floor(Fraction(float(s)) / Fraction(w)) - Fraction(o) / Fraction(w)
    return int(min(max(x, 0), bins - 1))


def grid_equal(text, w, o):
    """conventions.mi_bin_grid ("width W from O") against (w, o)."""
    try:
        _, ws, _, os_ = text.split()
        return float(ws) == w and float(os_) == o
    except ValueError:
        return False


def dyadic_grid(lo, hi, bins):
    """receval's documented grid: the smallest power-of-two width w such that
    bins bins from o = floor(lo/w) w cover [lo, hi]. Returns (w, o)."""
    span = Fraction(hi) - Fraction(lo)
    e = 0
    while Fraction(2) ** e * bins < span:       # up to a width that covers the span ...
        e += 1
    while Fraction(2) ** (e - 1) * bins >= span:  # ... and down to the smallest one
        e -= 1
    while True:
        w = Fraction(2) ** e
        o = math.floor(Fraction(lo) / w) * w
        if o + bins * w >= Fraction(hi):
            return float(w), float(o)
        e += 1


def mi_hist(h):
    """I(S;Y) and H(Y) in bits from a [bins, 2] count histogram (NaN when empty)."""
    h = np.asarray(h, dtype=np.float64)
    n = h.sum()
    if n == 0:
        return math.nan, math.nan
    ny, nb = h.sum(axis=0), h.sum(axis=1)
    hy = -sum(c / n * math.log2(c / n) for c in ny if c > 0)
    mi = 0.0
    for b in range(h.shape[0]):
        for y in range(2):
            c = h[b, y]
            if c > 0:
                mi += c / n * math.log2(c * n / (nb[b] * ny[y]))
    return mi, hy


def mi_move_delta(h, b, y, b2):
    """Exact change of I(S;Y) when one count of class y moves from bin b to bin b2."""
    h = h.astype(np.float64)
    n = h.sum()
    nb = h.sum(axis=1)
    t = lambda c: c * math.log2(c) if c > 0 else 0.0  # noqa: E731
    d = (t(h[b, y] - 1) - t(h[b, y]) + t(h[b2, y] + 1) - t(h[b2, y])
         - (t(nb[b] - 1) - t(nb[b])) - (t(nb[b2] + 1) - t(nb[b2])))
    return d / n


# ---------------------------------------------------------------- main

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dataset")
    p.add_argument("outdir")
    p.add_argument("--k", required=True, help="comma-separated cutoffs, e.g. 10,20")
    p.add_argument("--similarity", choices=("cosine", "dot", "euclidean"), default="cosine")
    p.add_argument("--keep-seen", action="store_true")
    p.add_argument("--convention", choices=("default", "trec"),
                   help="what receval was run with (default: the report's conventions.convention)")
    p.add_argument("--metrics", help="what receval was run with: comma-separated names or 'all' "
                                     "(default: job.metrics of report.json)")
    p.add_argument("--mi-bins", type=int, help="receval's --mi-bins (default: the report's conventions.mi_bins)")
    a = p.parse_args()
    try:
        ks = sorted({int(x) for x in a.k.split(",")})
    except ValueError:
        p.error("--k must be comma-separated integers")
    if ks[0] < 1:
        p.error("--k values must be >= 1")
    kmax = ks[-1]

    try:
        with open(os.path.join(a.outdir, "report.json")) as fh:
            report = json.load(fh)
    except (OSError, ValueError) as e:
        die(f"cannot read report.json: {e}")
    job, conv = report.get("job", {}), report.get("conventions", {})
    chk = Check()

    # What receval was asked for, and how.
    job_metrics = job.get("metrics")
    if a.metrics is None:
        if not isinstance(job_metrics, list):
            die("report.json has no job.metrics and --metrics was not given")
        selected = list(job_metrics)
    else:
        selected = [n for n, _, _ in REGISTRY] if a.metrics == "all" else [x for x in a.metrics.split(",") if x]
        if isinstance(job_metrics, list) and sorted(job_metrics) != sorted(selected):
            chk.fail(f"report job.metrics {job_metrics} is not --metrics {selected}")
    unknown = [m for m in selected if m not in KIND]
    if unknown:
        die(f"unknown metric name(s) {unknown}")
    convention = a.convention or conv.get("convention", "default")
    if conv.get("convention") not in (None, convention):
        chk.fail(f"report conventions.convention = {conv.get('convention')!r}, expected {convention!r}")
    trec = convention == "trec"
    bins = a.mi_bins or int(conv.get("mi_bins", 64))
    if str(conv.get("mi_bins", bins)) != str(bins):
        chk.fail(f"report conventions.mi_bins = {conv.get('mi_bins')!r}, expected {bins}")
    for key, want in (("k", ks), ("similarity", a.similarity), ("keep_seen", a.keep_seen)):
        if key in job and (sorted(job[key]) if key == "k" else job[key]) != want:
            chk.fail(f"report job.{key} = {job[key]!r}, expected {want!r}")

    d = load_dataset(a.dataset)
    n_users, n_items, dim = d["n_users"], d["n_items"], d["dim"]
    has_cat = d["categories"] is not None
    omitted = ["calibration"] if ("calibration" in selected and not has_cat) else []
    wanted = [n for n, _, _ in REGISTRY if n in selected and n not in omitted]
    names = [f"{n}@{k}" if AT_K[n] else n for n in wanted for k in (ks if AT_K[n] else [None])]
    user_names = [x for x in names if KIND[x.split("@")[0]] == "user"]

    # receval's outputs.
    path = os.path.join(a.outdir, "results.h5")
    try:
        with h5py.File(path, "r") as r:
            have_pu = sorted(r["per_user"].keys()) if "per_user" in r else []
            if have_pu != sorted(user_names):
                chk.fail(f"results.h5 /per_user holds {have_pu}, expected {sorted(user_names)}")
            ds = {k: r[k] for k in ["topk/items", "topk/scores", "exposure/count"]
                  + [f"per_user/{x}" for x in user_names if x in have_pu]}
            want = {"topk/items": (np.int32, (n_users, kmax)), "topk/scores": (np.float32, (n_users, kmax)),
                    "exposure/count": (np.int64, (n_items,))}
            for name, x in ds.items():
                dt, shape = want.get(name, (np.float64, (n_users,)))
                if x.dtype != dt or x.shape != shape:
                    die(f"{path}: /{name} is {x.dtype} {x.shape}, expected {np.dtype(dt)} {shape}")
            got = {k: x[()] for k, x in ds.items()}
    except (OSError, KeyError) as e:
        die(f"cannot read {path}: {e}")

    # Vectors as receval scores them (float32), then float64 from here on.
    items32 = d["items32"]
    users32 = user_vectors32(d)
    unit32 = unit_f32(items32)
    if a.similarity == "cosine":
        E32, U32v = unit32, unit_f32(users32)
    else:
        E32, U32v = items32, users32
    E, Uv = E32.astype(np.float64), U32v.astype(np.float64)
    Eabs, Uabs = np.abs(E), np.abs(Uv)
    e_sq = seq_sumsq(E32).astype(np.float32).astype(np.float64)    # float32 squared norms
    u_sq = seq_sumsq(U32v).astype(np.float32).astype(np.float64)
    Eunit = unit32.astype(np.float64)

    tr_ptr, tr_idx = d["train"]
    te_ptr, te_idx = d["test"]
    vals = d["values"]
    n_rel = np.diff(te_ptr)
    skipped = n_rel == 0
    disc = 1.0 / np.log2(np.arange(2, kmax + 2))

    # Histogram range of mi_score_relevance (receval's documented choice).
    need_hist = any(n.startswith("mi_score_relevance") for n in wanted)
    need_auc = "auc" in wanted
    if a.similarity == "cosine":
        h_lo, h_hi = -1.0, 1.0
    else:
        mu = float(np.sqrt(seq_sumsq(U32v)).max()) if n_users else 0.0
        mi_ = float(np.sqrt(seq_sumsq(E32)).max())
        if a.similarity == "dot":
            h_hi = mu * mi_
            h_lo = -h_hi
        else:
            h_lo, h_hi = -(mu + mi_) * (mu + mi_), 0.0
        if not h_hi > h_lo:
            h_hi = h_lo + 1.0
    h_w, h_o = dyadic_grid(h_lo, h_hi, bins)
    if need_hist:
        want_grid = f"width {h_w!r} from {h_o!r}"
        got_grid = conv.get("mi_bin_grid")
        if got_grid is None or not grid_equal(got_grid, h_w, h_o):
            chk.fail(f"report conventions.mi_bin_grid = {got_grid!r}, expected {want_grid!r}")
    hist = np.zeros((bins, 2), dtype=np.int64)
    amb_pairs = []      # (bin, y, lowest possible bin, highest possible bin) of ambiguous pairs
    exact_bin = {}      # exact scores (zero vectors): their documented bin
    auc_exp = np.full(n_users, np.nan)
    auc_lo, auc_hi = np.full(n_users, np.nan), np.full(n_users, np.nan)
    n_auc_amb_users = 0

    items_r, scores_r = got["topk/items"].astype(np.int64), got["topk/scores"].astype(np.float64)
    lists = np.full((n_users, kmax), -1, dtype=np.int64)
    n_cand_all = np.zeros(n_users, dtype=np.int64)
    n_same = n_ties = 0
    rejected = []
    for lo in range(0, n_users, BLOCK):
        hi = min(lo + BLOCK, n_users)
        B = hi - lo
        Ub = Uv[lo:hi]
        S = Ub @ E.T
        mag = Uabs[lo:hi] @ Eabs.T
        if a.similarity == "euclidean":
            S = np.minimum(2.0 * S - u_sq[lo:hi, None] - e_sq[None, :], 0.0)
            delta = 2.0 * (dim + 6) * U32 * (2.0 * mag + u_sq[lo:hi, None] + e_sq[None, :])
        else:
            delta = 2.0 * (dim + 2) * U32 * mag
        seen, _, _ = row_mask(tr_ptr, tr_idx, lo, hi, n_items)
        cand = np.ones((B, n_items), dtype=bool) if a.keep_seen else ~seen
        n_cand = cand.sum(axis=1)
        n_cand_all[lo:hi] = n_cand
        S = np.where(cand, S, -np.inf)
        order = np.argsort(-S, axis=1, kind="stable")[:, :kmax]   # ties: smaller index first
        top = np.take_along_axis(S, order, axis=1)

        # Lists the metrics are computed from: receval's if acceptable, else the reference.
        for i in range(B):
            u, m = lo + i, min(kmax, int(n_cand[i]))
            ref = order[i, :m]
            lists[u, :m] = ref
            if check_list(u, items_r[u], scores_r[u], S[i], top[i, :m], chk):
                if np.array_equal(items_r[u, :m], ref):
                    n_same += 1
                else:
                    n_ties += 1
                    lists[u] = items_r[u]
            else:
                rejected.append(u)

        testm, _, _ = row_mask(te_ptr, te_idx, lo, hi, n_items)
        pos = testm & cand

        if need_hist:
            x = S / h_w - h_o / h_w                # exact in float64: w is a power of two
            b = bin_of_x(x, bins)
            y = pos.astype(np.int64)
            exact = cand & (delta == 0)          # a zero vector: the score is exactly 0 in any arithmetic
            for sv in np.unique(S[exact]):
                if sv not in exact_bin:
                    exact_bin[sv] = bin_exact(sv, h_w, h_o, bins)
                b[exact & (S == sv)] = exact_bin[sv]
            np.add.at(hist, (b[cand], y[cand]), 1)
            blo, bhi = bin_of_x((S - delta) / h_w - h_o / h_w, bins), bin_of_x((S + delta) / h_w - h_o / h_w, bins)
            amb = cand & ~exact & (blo != bhi)
            for bb, yy, l1, h1 in zip(b[amb], y[amb], blo[amb], bhi[amb]):
                amb_pairs.append((int(bb), int(yy), int(l1), int(h1)))

        if need_auc:
            for i in range(B):
                u = lo + i
                P, N = int(pos[i].sum()), int(n_cand[i] - pos[i].sum())
                if P == 0 or N == 0 or n_rel[u] == 0:
                    continue
                neg = cand[i] & ~pos[i]
                sn = np.sort(S[i, neg])
                sp, dp = S[i, pos[i]], delta[i, pos[i]]
                dmax = float(delta[i, neg].max())
                below = np.searchsorted(sn, sp, side="left")             # negatives strictly below
                equal = np.searchsorted(sn, sp, side="right") - below
                auc_exp[u] = (below.sum() + 0.5 * equal.sum()) / (P * N)
                sure_below = np.searchsorted(sn, sp - dp - dmax, side="left")
                sure_above = N - np.searchsorted(sn, sp + dp + dmax, side="right")
                amb_n = int((N - sure_below - sure_above).sum())
                auc_lo[u] = sure_below.sum() / (P * N)
                auc_hi[u] = (sure_below.sum() + amb_n) / (P * N)
                n_auc_amb_users += amb_n > 0

    # ------------------------------------------------ per-user metrics from the lists
    valid = lists >= 0
    L = np.maximum(lists, 0)
    length = valid.sum(axis=1)
    # relevance of listed items
    G = np.zeros((n_users, kmax))
    ideal = np.zeros((n_users, kmax))
    for u in range(n_users):
        t = te_idx[te_ptr[u]:te_ptr[u + 1]]
        if len(t) == 0:
            continue
        rel = dict(zip(t.tolist(), vals[te_ptr[u]:te_ptr[u + 1]].tolist()))
        G[u, :length[u]] = [rel.get(int(x), 0.0) for x in lists[u, :length[u]]]
        best = sorted(rel.values(), reverse=True)[:kmax]
        ideal[u, :len(best)] = best
    hitm = G > 0
    chits = np.cumsum(hitm, axis=1)
    ranks = np.arange(1, kmax + 1)

    pop = np.bincount(tr_idx, minlength=n_items).astype(np.int64)
    total = int(pop.sum())
    head = np.zeros(n_items, dtype=bool)
    if total > 0:
        order_pop = np.lexsort((np.arange(n_items), -pop))     # pop desc, index asc
        cum = np.cumsum(pop[order_pop])
        m = int(np.argmax(HEAD_SHARE[1] * cum >= HEAD_SHARE[0] * total)) + 1
        head[order_pop[:m]] = True
    selfinfo = -np.log2(np.maximum(pop, 1) / n_users)

    h_prof, has_train, _ = profiles32(unit32, d["train"])
    if has_cat:
        cptr, cidx = d["categories"]
        n_cat = int(cidx.max()) + 1 if len(cidx) else 0
        W = np.zeros((n_items, max(n_cat, 1)))
        ncat_item = np.diff(cptr)
        rows = np.repeat(np.arange(n_items), ncat_item)
        W[rows, cidx] = 1.0 / ncat_item[rows]
        has_c = ncat_item > 0
        P_cat = np.zeros((n_users, W.shape[1]))
        wp = np.zeros(n_users)
        for lo in range(0, n_users, BLOCK):
            hi = min(lo + BLOCK, n_users)
            tm, _, _ = row_mask(tr_ptr, tr_idx, lo, hi, n_items)
            P_cat[lo:hi] = tm.astype(np.float64) @ W
            wp[lo:hi] = (tm & has_c[None, :]).sum(axis=1)
        P_cat = P_cat / np.where(wp > 0, wp, 1.0)[:, None]

    per_user = {}
    ev = ~skipped
    nr = n_rel.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        for k in ks:
            n_k = np.minimum(length, k)
            vk = valid[:, :k]
            hits = chits[:, k - 1]
            prec = hits / k
            rec = hits / nr
            dcg, idcg = G[:, :k] @ disc[:k], ideal[:, :k] @ disc[:k]
            ap_sum = np.where(hitm[:, :k], chits[:, :k] / ranks[:k], 0.0).sum(axis=1)
            denom = nr if trec else np.minimum(nr, k)
            kk = kmax if trec else k        # trec: recip_rank over the whole list
            first = np.where(hitm[:, :kk].any(axis=1), 1.0 / (np.argmax(hitm[:, :kk], axis=1) + 1), 0.0)
            acc = {"precision": prec, "recall": rec,
                   "f1": np.where(prec + rec > 0, 2 * prec * rec / (prec + rec), 0.0),
                   "ndcg": dcg / idcg, "map": ap_sum / denom, "mrr": first,
                   "hit": (hits > 0).astype(np.float64)}
            for mname, v in acc.items():
                per_user[f"{mname}@{k}"] = np.where(ev, v, np.nan)

            X = Eunit[L[:, :k]] * vk[:, :, None]                 # [users, k, dim], padding zero
            gram = np.einsum("uid,ujd->uij", X, X)
            iu = np.triu_indices(k, 1)
            pair_sum = gram[:, iu[0], iu[1]].sum(axis=1) if k > 1 else np.zeros(n_users)
            n_pairs = n_k * (n_k - 1) / 2.0
            per_user[f"ild@{k}"] = np.where(n_k >= 2, 1.0 - pair_sum / n_pairs, np.nan)

            nonempty = n_k > 0
            per_user[f"novelty@{k}"] = np.where(nonempty, (selfinfo[L[:, :k]] * vk).sum(axis=1) / n_k, np.nan)
            per_user[f"arp@{k}"] = np.where(nonempty, (pop[L[:, :k]] * vk).sum(axis=1) / n_k, np.nan)
            per_user[f"aplt@{k}"] = np.where(nonempty, ((~head[L[:, :k]]) & vk).sum(axis=1) / n_k, np.nan)

            cosu = np.einsum("ukd,ud->uk", X, h_prof)
            surprise = (1.0 - cosu) * vk
            ok_u = nonempty & has_train
            per_user[f"unexpectedness@{k}"] = np.where(ok_u, surprise.sum(axis=1) / n_k, np.nan)
            per_user[f"serendipity@{k}"] = np.where(ok_u & ev, (surprise * hitm[:, :k]).sum(axis=1) / n_k, np.nan)

            if has_cat:
                Q = (W[L[:, :k]] * vk[:, :, None]).sum(axis=1)
                wq = (has_c[L[:, :k]] & vk).sum(axis=1)
                Q = Q / np.where(wq > 0, wq, 1.0)[:, None]
                mix = (1.0 - CAL_ALPHA) * Q + CAL_ALPHA * P_cat
                kl = np.where(P_cat > 0, P_cat * np.log2(np.where(P_cat > 0, P_cat, 1.0) / np.where(P_cat > 0, mix, 1.0)), 0.0)
                per_user[f"calibration@{k}"] = np.where(nonempty & (wp > 0), kl.sum(axis=1), np.nan)

    # AUC: receval's value must lie in the interval the float32 ambiguity allows.
    auc_use = auc_exp.copy()
    if need_auc:
        g = got.get("per_user/auc")
        if g is not None:
            for u in range(n_users):
                if np.isnan(auc_exp[u]):
                    if not np.isnan(g[u]):
                        chk.fail(f"per_user/auc[{u}]: receval {g[u]!r}, reference undefined (NaN)")
                    continue
                if not (auc_lo[u] - AUC_SLACK <= g[u] <= auc_hi[u] + AUC_SLACK):
                    chk.fail(f"per_user/auc[{u}]: receval {g[u]!r} outside [{auc_lo[u]!r}, {auc_hi[u]!r}] "
                             f"(float64 value {auc_exp[u]!r})")
                else:
                    auc_use[u] = g[u]
        per_user["auc"] = auc_use

    # ------------------------------------------------ exposure, from the lists
    exp_count = np.bincount(lists[valid], minlength=n_items)
    bad = np.nonzero(exp_count != got["exposure/count"])[0]
    if len(bad):
        i = bad[0]
        chk.fail(f"exposure/count differs for {len(bad)} items, e.g. item {i}: "
                 f"receval {got['exposure/count'][i]}, lists give {exp_count[i]}")
    n_lists = int((length > 0).sum())
    finals, notes = {}, []
    for k in ks:
        n_k = np.minimum(length, k)
        c = np.bincount(lists[:, :k][valid[:, :k]], minlength=n_items).astype(np.int64)
        tot = int(c.sum())
        finals[f"coverage@{k}"] = float((c > 0).sum()) / n_items
        if tot > 0:
            if n_items <= 4000:     # mean absolute difference form, exact in integers
                mad = int(np.abs(c[:, None] - c[None, :]).sum())
                finals[f"gini@{k}"] = mad / (2.0 * n_items * tot)
            else:
                cs = np.sort(c)
                finals[f"gini@{k}"] = (2.0 * float((np.arange(1, n_items + 1) * cs).sum()) / (n_items * tot)
                                       - (n_items + 1.0) / n_items)
            pr = c[c > 0] / tot
            ent = float(-(pr * np.log2(pr)).sum())
        else:
            finals[f"gini@{k}"] = math.nan
            ent = math.nan
        finals[f"entropy@{k}"] = ent
        if n_lists >= 2:
            shared = sum(int(x) * (int(x) - 1) // 2 for x in c)       # user pairs sharing an item
            finals[f"personalization@{k}"] = 1.0 - (shared / (n_lists * (n_lists - 1) / 2.0)) / k
        else:
            finals[f"personalization@{k}"] = math.nan
        # I(U;R) = H(R) - H(R|U), p(u) uniform over the users with a list, p(i|u) uniform on
        # L_u@k: H(R) of the item marginal p(i) = (1/N) sum_{u: i in L_u} 1/|L_u|.
        has = n_k > 0
        lens = n_k[has]
        if len(lens):
            vk = valid[:, :k][has]
            w = np.broadcast_to((1.0 / lens)[:, None], vk.shape)[vk]
            pi = np.bincount(lists[:, :k][has][vk], weights=w, minlength=n_items) / len(lens)
            h_r = float(-(pi[pi > 0] * np.log2(pi[pi > 0])).sum())
            mui = max(h_r - math.fsum(np.log2(lens)) / len(lens), 0.0)
            shortcut = ent - math.fsum(np.log2(lens)) / len(lens)
            if "mi_user_item" in wanted and abs(shortcut - mui) > 1e-12:
                notes.append(f"mi_user_item@{k}: I(U;R) {mui:.12g}; the specification's shortcut "
                             f"entropy@k - mean log2|L_u| would give {shortcut:.12g} "
                             f"({int((lens < k).sum())} lists shorter than k)")
        else:
            h_r = mui = math.nan
        finals[f"mi_user_item@{k}"] = mui
        finals[f"mi_user_item_norm@{k}"] = mui / h_r if h_r > 0 else math.nan

    mi_tol_abs, hy = None, math.nan
    if need_hist:
        mi, hy = mi_hist(hist)
        finals["mi_score_relevance"] = mi
        finals["mi_score_relevance_norm"] = mi / hy if hy > 0 else math.nan
        bound = 0.0
        for bb, yy, l1, h1 in amb_pairs:
            bound += max((abs(mi_move_delta(hist, bb, yy, b2)) for b2 in range(l1, h1 + 1) if b2 != bb),
                         default=0.0)
        mi_tol_abs = 2.0 * bound + 1e-12 if amb_pairs else None

    # ------------------------------------------------ per-user values against results.h5
    worst = (0.0, None)
    for name in user_names:
        exp = per_user[name]
        g = got.get(f"per_user/{name}")
        if g is None or name == "auc":
            continue
        both = ~np.isnan(exp) & ~np.isnan(g)
        if both.any():
            rel = np.abs(exp[both] - g[both]) / np.maximum(1.0, np.abs(exp[both]))
            if rel.max() > worst[0]:
                worst = (float(rel.max()), name)
        bad = np.nonzero(~((np.isnan(exp) & np.isnan(g)) |
                           (np.abs(exp - g) <= USER_TOL * np.maximum(1.0, np.abs(exp)))))[0]
        for u in bad[:3]:
            chk.fail(f"per_user/{name}[{u}]: receval {g[u]!r}, reference {exp[u]!r}")
        if len(bad) > 3:
            chk.fail(f"per_user/{name}: {len(bad)} users differ in total")

    # ------------------------------------------------ report.json
    n_eval = int((~skipped).sum())
    counts = report.get("counts", {})
    n_short = int((n_cand_all < kmax).sum())
    for key, want in (("users", n_users), ("users_evaluated", n_eval),
                      ("users_skipped_no_test", n_users - n_eval), ("users_short_list", n_short)):
        if counts.get(key) != want:
            chk.fail(f"report counts.{key} = {counts.get(key)!r}, expected {want}")
    rep_metrics = report.get("metrics", {})
    if list(rep_metrics) != names:
        chk.fail(f"report metrics are {list(rep_metrics)}, expected (in this order) {names}")
    rep_omitted = report.get("omitted")
    omitted_names = sorted(str(x).split(":")[0] for x in rep_omitted) if isinstance(rep_omitted, list) else None
    if omitted and omitted_names != omitted:
        chk.fail(f"report.json \"omitted\" is {rep_omitted!r}: expected an entry for {omitted} "
                 f"(dataset without /items/category)")
    if not omitted and omitted_names:
        chk.fail(f"report.json \"omitted\" is {rep_omitted!r}, expected none")
    summary = []
    for name in names:
        base = name.split("@")[0]
        entry = rep_metrics.get(name)
        if KIND[base] == "user":
            v = per_user[name]
            v = v[~np.isnan(v)]
            mean, ci = mean_ci95(v)
            n_exp = len(v)
        else:
            mean, ci = finals[name], [math.nan, math.nan]
            n_exp = n_lists
        summary.append((name, mean, ci, n_exp))
        if not isinstance(entry, dict):
            chk.fail(f"report metrics has no entry {name!r}")
            continue
        if entry.get("users") != n_exp:
            chk.fail(f"report {name}.users = {entry.get('users')!r}, expected {n_exp}")
        tol = MEAN_TOL
        if base.startswith("mi_score_relevance") and mi_tol_abs is not None:
            tol = mi_tol_abs / (hy if base.endswith("_norm") else 1.0)
            if not close(entry.get("mean"), mean, MEAN_TOL) and entry.get("mean") is not None \
                    and abs(entry["mean"] - mean) <= tol:
                notes.append(f"{name}: receval {entry['mean']!r}, float64 bins {mean!r}: within the "
                             f"bin-edge bound {tol:.3g} ({len(amb_pairs)} ambiguous pairs)")
                continue
        if not close(entry.get("mean"), mean, tol):
            chk.fail(f"report {name}.mean = {entry.get('mean')!r}, expected {mean!r}"
                     )
        rci = entry.get("ci95")
        if not (isinstance(rci, list) and len(rci) == 2 and all(close(x, y, MEAN_TOL) for x, y in zip(rci, ci))):
            chk.fail(f"report {name}.ci95 = {rci!r}, expected {ci!r}")

    print(f"refeval: {a.dataset}: {n_users} users ({n_eval} evaluated, {n_users - n_eval} skipped), "
          f"{n_items} items; {a.similarity}, keep_seen={a.keep_seen}, convention={convention}, "
          f"k={','.join(map(str, ks))}, {len(names)} values")
    print(f"refeval: top-k lists identical {n_same}, accepted near-tie differences {n_ties}, "
          f"rejected {len(rejected)}")
    if need_auc:
        print(f"refeval: auc: {int((~np.isnan(auc_exp)).sum())} users, {n_auc_amb_users} with float32-ambiguous "
              f"pairs (checked against an interval)")
    if need_hist:
        print(f"refeval: mi_score_relevance: {int(hist.sum())} pairs, {len(amb_pairs)} within rounding of a "
              f"bin edge" + (f" (tolerance {mi_tol_abs:.3g} bits)" if amb_pairs else " (exact check)"))
    print(f"refeval: largest per-user difference (relative to max(1,|value|)): {worst[0]:.3g}"
          + (f" ({worst[1]})" if worst[1] else ""))
    for note in notes:
        print(f"refeval: note: {note}")
    for name, mean, ci, n in summary:
        cis = "" if math.isnan(ci[0]) else f"  [{ci[0]:.6f}, {ci[1]:.6f}]"
        print(f"  {name:<26} {mean:.6f}{cis}  users={n}")
    if chk.count:
        print(f"refeval: FAIL: {chk.count} disagreement(s); first {len(chk.msgs)}:")
        for msg in chk.msgs:
            print("  " + msg)
        sys.exit(1)
    print("refeval: OK")


if __name__ == "__main__":
    main()
