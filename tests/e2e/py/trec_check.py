#!/usr/bin/python3
"""Cross-check receval's --convention trec output against trec_eval's definitions.

Usage: trec_check.py DATASET.h5 OUTDIR [--files DIR]

Writes the dataset's test items as a TREC qrels file (DIR/qrels.txt: "user 0
item rel", rel = /test/values or 1, which must be integers as trec_eval reads
them) and receval's lists from OUTDIR/results.h5 /topk/items as a TREC run file
(DIR/run.txt: "user Q0 item rank score receval", score = kmax - rank so that
no two documents of a query tie), reads both files back, and computes, for
every cutoff k of the run (report.json job.k), trec_eval's

  P_k          relevant retrieved in the top k / k (missing ranks count as
               non-relevant)
  recall_k     relevant retrieved in the top k / number relevant
  ndcg_cut_k   DCG@k / ideal DCG@k, gain = the qrels relevance (linear),
               discount log2(rank + 1) (trec_eval 9.0.x: "i+2 since doc i has
               rank i+1"); the ideal DCG is formed from ALL judged relevant
               documents sorted by gain, then cut at k
  map_cut_k    sum over relevant documents retrieved at rank r <= k of
               (relevant retrieved up to r) / r, divided by the number relevant
  success_k    1 if a relevant document is retrieved in the top k
  recip_rank   1 / rank of the first relevant document of the whole run list
               (no cut-off)

from those definitions (trec_eval itself is not packaged for Debian). As in
trec_eval, the run is ordered by score descending, ties by docno descending,
a document is relevant when rel >= 1, and the averages are over queries that
have relevant documents; a query with relevant documents and no retrieved
ones counts with 0 (trec_eval -c; without -c trec_eval would drop it: such
users are listed). Compared with receval: per-user values /per_user/<m>@k and
the report means of precision@k, recall@k, ndcg@k, map@k, hit@k and mrr@k
(every k: the trec convention takes recip_rank over the whole list), and the
number of averaged users. Prints a table; exit 1 on any difference > 1e-9.
"""
import argparse
import json
import math
import os
import sys
from collections import defaultdict

import h5py
import numpy as np

TOL = 1e-9
PAIRS = (("P", "precision"), ("recall", "recall"), ("ndcg_cut", "ndcg"), ("map_cut", "map"),
         ("success", "hit"))


def die(msg):
    print(f"trec_check: FAIL: {msg}")
    sys.exit(1)


def write_files(dataset, outdir, files):
    with h5py.File(dataset, "r") as f:
        ptr = f["test/indptr"][()].astype(np.int64)
        idx = f["test/indices"][()].astype(np.int64)
        vals = f["test/values"][()].astype(np.float64) if "test/values" in f else np.ones(len(idx))
    if np.any(vals != np.round(vals)) or np.any(vals < 1):
        die(f"{dataset}: /test/values must be integers >= 1 to be written as trec_eval qrels")
    with h5py.File(os.path.join(outdir, "results.h5"), "r") as r:
        items = r["topk/items"][()].astype(np.int64)
    n_users, kmax = items.shape
    qrels, run = os.path.join(files, "qrels.txt"), os.path.join(files, "run.txt")
    with open(qrels, "w") as q:
        for u in range(n_users):
            for j in range(ptr[u], ptr[u + 1]):
                q.write(f"{u} 0 {idx[j]} {int(vals[j])}\n")
    with open(run, "w") as o:
        for u in range(n_users):
            for r_, it in enumerate(items[u]):
                if it >= 0:
                    o.write(f"{u} Q0 {it} {r_ + 1} {kmax - r_} receval\n")
    return qrels, run, n_users, kmax


def read_qrels(path):
    q = defaultdict(dict)
    with open(path) as f:
        for line in f:
            qid, _, doc, rel = line.split()
            q[qid][doc] = int(rel)
    return q


def read_run(path):
    r = defaultdict(list)
    with open(path) as f:
        for line in f:
            qid, _, doc, _, score, _ = line.split()
            r[qid].append((float(score), doc))
    out = {}
    for qid, lst in r.items():
        lst.sort(key=lambda t: t[1], reverse=True)       # docno descending, then (stable)
        lst.sort(key=lambda t: t[0], reverse=True)       # score descending
        out[qid] = [doc for _, doc in lst]
    return out


def trec_measures(rels, docs, ks):
    """trec_eval's measures of one query: rels {doc: rel}, docs ranked list."""
    gains = [rels.get(d, 0) for d in docs]
    relv = [g >= 1 for g in gains]
    num_rel = sum(1 for v in rels.values() if v >= 1)
    ideal = sorted((v for v in rels.values() if v >= 1), reverse=True)
    m = {}
    for k in ks:
        top = relv[:k]
        hits = sum(top)
        m[f"P_{k}"] = hits / k
        m[f"recall_{k}"] = hits / num_rel
        dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains[:k]) if g > 0)
        idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal[:k]))
        m[f"ndcg_cut_{k}"] = dcg / idcg if idcg > 0 else 0.0
        s, so_far = 0.0, 0
        for i, v in enumerate(top):
            if v:
                so_far += 1
                s += so_far / (i + 1)
        m[f"map_cut_{k}"] = s / num_rel
        m[f"success_{k}"] = 1.0 if hits > 0 else 0.0
    first = next((i for i, v in enumerate(relv) if v), None)
    m["recip_rank"] = 0.0 if first is None else 1.0 / (first + 1)
    return m


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dataset")
    p.add_argument("outdir")
    p.add_argument("--files", help="where to write qrels.txt and run.txt (default: OUTDIR)")
    a = p.parse_args()
    files = a.files or a.outdir
    os.makedirs(files, exist_ok=True)
    try:
        with open(os.path.join(a.outdir, "report.json")) as fh:
            report = json.load(fh)
    except (OSError, ValueError) as e:
        die(f"cannot read report.json: {e}")
    conv = report.get("conventions", {}).get("convention")
    if conv != "trec":
        die(f"report conventions.convention is {conv!r}: run receval with --convention trec")
    ks = sorted(report["job"]["k"])
    needed = {"precision", "recall", "ndcg", "map", "hit", "mrr"}
    missing = needed - set(report["job"]["metrics"])
    if missing:
        die(f"receval was run without {sorted(missing)}")

    qrels_path, run_path, n_users, kmax = write_files(a.dataset, a.outdir, files)
    qrels, run = read_qrels(qrels_path), read_run(run_path)
    queries = sorted((q for q, r in qrels.items() if any(v >= 1 for v in r.values())), key=int)
    not_retrieved = [q for q in queries if q not in run]
    per_q = {q: trec_measures(qrels[q], run.get(q, []), ks) for q in queries}

    with h5py.File(os.path.join(a.outdir, "results.h5"), "r") as r:
        pu = {n: r[f"per_user/{n}"][()] for n in
              [f"{m}@{k}" for _, m in PAIRS for k in ks] + [f"mrr@{k}" for k in ks]}

    qi = np.array([int(q) for q in queries], dtype=np.int64)
    rows, bad = [], 0
    for t, m in PAIRS:
        for k in ks:
            rows.append((f"{t}_{k}", f"{m}@{k}"))
    rows += [("recip_rank", f"mrr@{k}") for k in ks]
    print(f"trec_check: {len(queries)} queries with relevant documents, {len(run)} queries in the run "
          f"(kmax {kmax}); files {qrels_path}, {run_path}")
    if not_retrieved:
        print(f"trec_check: note: {len(not_retrieved)} queries with relevant documents retrieve nothing "
              f"(counted as 0, trec_eval -c): {not_retrieved[:10]}")
    # users receval skipped must be exactly those without relevant documents
    for _, m in rows[:1]:
        ev = np.nonzero(~np.isnan(pu[m]))[0]
        if not np.array_equal(ev, qi):
            print(f"trec_check: users with a value of {m} differ from the queries with relevant documents")
            bad += 1
    print(f"  {'trec_eval':<14} {'receval':<14} {'trec_eval mean':>16} {'receval mean':>16} {'|diff|':>9} "
          f"{'max per-user':>12}")
    for tname, rname in rows:
        tv = np.array([per_q[q][tname] for q in queries])
        rv = pu[rname][qi] if len(qi) else np.zeros(0)
        tmean = math.fsum(tv) / len(tv) if len(tv) else math.nan
        entry = report["metrics"].get(rname, {})
        rmean = entry.get("mean")
        rmean = math.nan if rmean is None else rmean
        dm = abs(tmean - rmean)
        du = float(np.max(np.abs(tv - rv))) if len(tv) else 0.0
        ok = (dm <= TOL or (math.isnan(tmean) and math.isnan(rmean))) and du <= TOL \
            and entry.get("users") == len(queries)
        bad += not ok
        print(f"  {tname:<14} {rname:<14} {tmean:16.12f} {rmean:16.12f} {dm:9.2e} {du:12.2e}"
              + ("" if ok else f"   <-- DIFFERS (users {entry.get('users')} vs {len(queries)})"))
    if bad:
        print(f"trec_check: FAIL: {bad} measure(s) differ by more than {TOL}")
        return 1
    print("trec_check: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
