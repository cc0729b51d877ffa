#!/usr/bin/python3
"""Writes a copy of DATASET.h5 whitened with numpy (float64 eigh of the item
covariance, W = V diag(max(l, 1e-9 max l))^-1/2, x -> (x - mu) W, as
docs/training.md defines --whiten), so that `receval eval` of the copy can be
compared with `receval eval --whiten` of the original. Pooled users (no
/users/embedding) are left to receval: it pools the whitened items.

  whiten_ref.py DATASET.h5 OUT.h5
  whiten_ref.py compare DIR_A DIR_B METRIC   per-user values agree"""
import shutil
import sys

import h5py
import numpy as np


def write(src, dst):
    shutil.copyfile(src, dst)
    with h5py.File(dst, "r+") as f:
        it = f["items/embedding"][...].astype(np.float64)
        mu = it.mean(axis=0)
        c = (it - mu).T @ (it - mu) / it.shape[0]
        l, v = np.linalg.eigh(c)
        w = v / np.sqrt(np.maximum(l, 1e-9 * l[-1]))[None, :]
        white = (it - mu) @ w
        cov = white.T @ white / white.shape[0]
        print(f"whitened item covariance: max |C - I| = {np.abs(cov - np.eye(len(l))).max():.2e}")
        f["items/embedding"][...] = white.astype(np.float32)
        if "users/embedding" in f:
            f["users/embedding"][...] = ((f["users/embedding"][...].astype(np.float64) - mu) @ w).astype(np.float32)
    return 0


def compare(a, b, metric):
    x = h5py.File(f"{a}/results.h5", "r")[f"per_user/{metric}"][...]
    y = h5py.File(f"{b}/results.h5", "r")[f"per_user/{metric}"][...]
    ok = np.isnan(x) == np.isnan(y)
    m = ~np.isnan(x)
    same = np.mean(np.abs(x[m] - y[m]) < 1e-9)
    diff = abs(x[m].mean() - y[m].mean())
    print(f"{metric}: {100 * same:.2f}% of users identical, mean differs by {diff:.2e}")
    # Scores differ only by float rounding (W is unique up to signs, which
    # dot products do not see): near-ties may reorder a few lists.
    return 0 if ok.all() and same >= 0.98 and diff < 2e-3 else 1


if __name__ == "__main__":
    sys.exit(compare(*sys.argv[2:5]) if sys.argv[1] == "compare" else write(sys.argv[1], sys.argv[2]))
