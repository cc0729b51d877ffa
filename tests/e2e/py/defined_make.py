#!/usr/bin/python3
"""Valid-but-unusual copies of a receval dataset and their checks, for the
"defined behaviour" part of tests/e2e/errors.sh.

  defined_make.py make BASE.h5 OUTDIR
      OUTDIR/zero_rows.h5: user ZU (a user of the last rank of a 3-rank run)
        has an all-zero embedding and item ZI an all-zero embedding;
      OUTDIR/gzip.h5: every dataset chunked and gzip-compressed (values equal).
      Prints "ZU ZI".
  defined_make.py check-zero DATA.h5 OUTDIR ZU ZI
      With cosine similarity a zero vector scores exactly 0 against anything
      (documented in docs/robustness.md). Checked from first principles with
      numpy, not from receval's own output:
      - user ZU: every listed score is 0.0 and the list is its unseen items in
        index order (ties: smaller item index first);
      - item ZI: wherever listed its score is 0.0; a user whose list holds an
        item with a (numpy) cosine clearly below 0 must list ZI (it beats that
        item), and a user listing ZI lists no item whose cosine is clearly below 0.
  defined_make.py check-short DATA.h5 OUTDIR K
      K (the largest cutoff) above some users' candidates (unseen items):
      each list holds exactly min(K, n_items - |train_u|) distinct unseen
      items, the missing slots are item -1 with a NaN score, and report.json
      counts users_short_list = the users with fewer than K candidates.
  defined_make.py same-metrics A/report.json B/report.json
      metric names and values identical (bitwise, as JSON text).
"""
import json
import shutil
import sys

import h5py
import numpy as np


def make(base, outdir):
    import os
    os.makedirs(outdir, exist_ok=True)
    with h5py.File(base, "r") as f:
        U = int(f.attrs["n_users"])
    zu, zi = U - 5, 7
    z = os.path.join(outdir, "zero_rows.h5")
    shutil.copyfile(base, z)
    with h5py.File(z, "r+") as f:
        f["/users/embedding"][zu, :] = 0.0
        f["/items/embedding"][zi, :] = 0.0
    g = os.path.join(outdir, "gzip.h5")
    with h5py.File(base, "r") as src, h5py.File(g, "w") as dst:
        for k, v in src.attrs.items():
            dst.attrs[k] = v

        def copy(name, obj):
            if isinstance(obj, h5py.Dataset):
                x = obj[...]
                chunks = tuple(max(1, min(s, 97)) for s in x.shape)   # odd chunking, several chunks
                dst.create_dataset(name, data=x, chunks=chunks, compression="gzip", shuffle=True)
        src.visititems(copy)
    print(zu, zi)


def unit(x):
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, n, out=np.zeros_like(x), where=n > 0)


def check_zero(data, outdir, zu, zi):
    bad = []
    with h5py.File(data, "r") as f:
        U, N = int(f.attrs["n_users"]), int(f.attrs["n_items"])
        ue = unit(f["/users/embedding"][...].astype(np.float64))
        ie = unit(f["/items/embedding"][...].astype(np.float64))
        tp, ti = f["/train/indptr"][...], f["/train/indices"][...]
    with h5py.File(f"{outdir}/results.h5", "r") as r:
        items, scores = r["/topk/items"][...], r["/topk/scores"][...]
    k = items.shape[1]
    seen = set(ti[tp[zu]:tp[zu + 1]].tolist())
    want = [i for i in range(N) if i not in seen][:k]
    if items[zu].tolist() != want:
        bad.append(f"user {zu}: list {items[zu].tolist()}, expected unseen items in index order {want}")
    if np.any(scores[zu] != 0.0):
        bad.append(f"user {zu}: scores {scores[zu].tolist()}, expected all 0")
    cos = ue @ ie.T
    n_with = 0
    for u in range(U):
        if u == zu:
            continue
        row = items[u].tolist()
        s_user = set(ti[tp[u]:tp[u + 1]].tolist())
        if zi in row:
            n_with += 1
            r = row.index(zi)
            if scores[u][r] != 0.0:
                bad.append(f"user {u}: item {zi} scored {scores[u][r]}, expected 0")
            above = [i for i in row[:r] if cos[u, i] < -1e-4]
            below = [i for i in row[r + 1:] if cos[u, i] > 1e-4]
            if above or below:
                bad.append(f"user {u}: zero item {zi} at rank {r} is out of order "
                           f"(cosine < 0 before it: {above}; > 0 after it: {below})")
        elif zi not in s_user:
            neg = [i for i in row if cos[u, i] < -1e-4]
            if neg:
                bad.append(f"user {u}: lists {neg} (cosine < 0) but not zero item {zi}")
    if n_with == 0:
        bad.append(f"no user lists zero item {zi}: the test does not exercise it")
    for b in bad[:10]:
        print("FAIL", b)
    print(f"check-zero: user {zu}, item {zi}, {n_with} lists hold item {zi}, {len(bad)} problems")
    return 1 if bad else 0


def check_short(data, outdir, k):
    bad = []
    with h5py.File(data, "r") as f:
        U, N = int(f.attrs["n_users"]), int(f.attrs["n_items"])
        tp, ti = f["/train/indptr"][...], f["/train/indices"][...]
    with h5py.File(f"{outdir}/results.h5", "r") as r:
        items, scores = r["/topk/items"][...], r["/topk/scores"][...]
    if items.shape != (U, k):
        bad.append(f"/topk/items has shape {items.shape}, expected {(U, k)}")
    n_short = 0
    for u in range(U):
        seen = set(ti[tp[u]:tp[u + 1]].tolist())
        want = min(k, N - len(seen))
        n_short += want < k
        row = items[u].tolist()
        got = [i for i in row if i >= 0]
        if len(got) != want or row[:want] != got:
            bad.append(f"user {u}: {len(got)} items, expected {want} then -1")
        elif len(set(got)) != want or seen & set(got):
            bad.append(f"user {u}: repeated or seen items in {got}")
        elif not np.all(np.isnan(scores[u][want:])):
            bad.append(f"user {u}: missing slots have scores {scores[u][want:].tolist()}")
    rep = json.load(open(f"{outdir}/report.json"))
    got_short = rep["counts"]["users_short_list"]
    if got_short != n_short:
        bad.append(f"report counts.users_short_list = {got_short}, expected {n_short}")
    if n_short == 0:
        bad.append("no user has fewer candidates than k: the test does not exercise short lists")
    for b in bad[:10]:
        print("FAIL", b)
    print(f"check-short: k={k}, {n_short} of {U} users with short lists, {len(bad)} problems")
    return 1 if bad else 0


def same_metrics(a, b):
    ma = [(n, m["mean"]) for n, m in json.load(open(a))["metrics"].items()]
    mb = [(n, m["mean"]) for n, m in json.load(open(b))["metrics"].items()]
    if ma != mb:
        for x, y in zip(ma, mb):
            if x != y:
                print("FAIL differ:", x, y)
        return 1
    print(f"same-metrics: {len(ma)} values identical")
    return 0


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "make":
        make(sys.argv[2], sys.argv[3])
    elif cmd == "check-zero":
        sys.exit(check_zero(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])))
    elif cmd == "check-short":
        sys.exit(check_short(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    elif cmd == "same-metrics":
        sys.exit(same_metrics(sys.argv[2], sys.argv[3]))
    else:
        sys.exit(f"unknown command {cmd}")
