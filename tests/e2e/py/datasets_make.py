#!/usr/bin/python3
"""Datasets at the edges of the contract, for tests/e2e/datasets.sh.

Usage: datasets_make.py OUTDIR

Writes into OUTDIR a small valid base dataset and variants of it, each
differing in one place, all written with h5py's defaults (a zero-length
array is a contiguous dataset with no storage allocated):

  empty_test.h5      no test items at all: /test/indptr all 0, /test/indices []
  cold.h5            no train items at all (with user embeddings)
  cold_pooled.h5     no train items and no /users/embedding (zero user vectors)
  no_categories.h5   /items/category present with no entries at all
  elink.h5           /items/embedding an external link to other.h5:/emb
  elink_group.h5     /test an external link to a group of other.h5
  soft_elink.h5      /items/embedding a soft link to /alias, an external link
  soft_ok.h5         /items/embedding a soft link to /store/emb (in the file: valid)
  dup_users.h5       /users/id repeats: rows 100 and 600 ('u100'), rows 200 and
                     400 ('u200'); the first repeat in row order is row 400
  dup_items.h5       /items/id repeats: rows 7 and 31 ('i7')
  lzf.h5             /items/embedding compressed with h5py's lzf filter (id 32000)
  u64.h5             root attribute n_users a uint64 2^64 - 1

Users span three 256-user grains, so a 3-rank run gives every rank users.
"""
import os
import sys

import h5py
import numpy as np

U, N, D = 700, 40, 8


def csr(rows):
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    return indptr, np.concatenate(rows).astype(np.int32)


def base(seed=5):
    """The base arrays: clustered embeddings, disjoint train and test rows."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(4, D))
    cl = rng.integers(4, size=N)
    items = (centres[cl] + 0.5 * rng.normal(size=(N, D))).astype(np.float32)
    users = (centres[rng.integers(4, size=U)] + 0.7 * rng.normal(size=(U, D))).astype(np.float32)
    train, test = [], []
    for _ in range(U):
        chosen = rng.choice(N, int(rng.integers(2, 9)), replace=False)
        n_tr = int(rng.integers(1, len(chosen)))
        train.append(np.sort(chosen[:n_tr]))
        test.append(np.sort(chosen[n_tr:]))
    cats = [np.array(sorted({int(cl[i]), int(cl[i] + 1) % 4})) for i in range(N)]
    return {"items": items, "users": users, "train": csr(train), "test": csr(test), "cat": csr(cats)}


def empty_csr(n):
    return np.zeros(n + 1, np.int64), np.zeros(0, np.int32)


def write(path, a, users=True, cats=False, n_users=None):
    with h5py.File(path, "w") as f:
        f.attrs["format"] = "receval-dataset"
        f.attrs["version"] = np.int64(1)
        f.attrs["n_users"] = np.int64(U) if n_users is None else n_users
        f.attrs["n_items"] = np.int64(N)
        f.attrs["dim"] = np.int64(D)
        f["items/embedding"] = a["items"]
        if users:
            f["users/embedding"] = a["users"]
        f["train/indptr"], f["train/indices"] = a["train"]
        f["test/indptr"], f["test/indices"] = a["test"]
        if cats:
            f["items/category/indptr"], f["items/category/indices"] = a["cat"]


def relink(path, name, link):
    """Replaces dataset or group `name` of path by `link` (an h5py link object)."""
    with h5py.File(path, "a") as f:
        del f[name]
        f[name] = link


def ids(path, name, values):
    with h5py.File(path, "a") as f:
        f.create_dataset(name, data=values, dtype=h5py.string_dtype("utf-8"))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    p = lambda name: os.path.join(out, name)
    a = base()
    write(p("base.h5"), a)
    write(p("empty_test.h5"), dict(a, test=empty_csr(U)))
    write(p("cold.h5"), dict(a, train=empty_csr(U)))
    write(p("cold_pooled.h5"), dict(a, train=empty_csr(U)), users=False)
    write(p("no_categories.h5"), dict(a, cat=empty_csr(N)), cats=True)

    with h5py.File(p("other.h5"), "w") as f:
        f["emb"] = a["items"][::-1].copy()      # a different embedding set of the same shape
        f["test/indptr"], f["test/indices"] = a["test"]
    write(p("elink.h5"), a)
    relink(p("elink.h5"), "items/embedding", h5py.ExternalLink("other.h5", "/emb"))
    write(p("elink_group.h5"), a)
    relink(p("elink_group.h5"), "test", h5py.ExternalLink("other.h5", "/test"))
    write(p("soft_elink.h5"), a)
    relink(p("soft_elink.h5"), "items/embedding", h5py.SoftLink("/alias"))
    with h5py.File(p("soft_elink.h5"), "a") as f:
        f["alias"] = h5py.ExternalLink("other.h5", "/emb")
    write(p("soft_ok.h5"), a)
    with h5py.File(p("soft_ok.h5"), "a") as f:
        f["store/emb"] = a["items"]
    relink(p("soft_ok.h5"), "items/embedding", h5py.SoftLink("/store/emb"))

    uid = [f"u{u}" for u in range(U)]
    uid[600], uid[400] = "u100", "u200"
    write(p("dup_users.h5"), a)
    ids(p("dup_users.h5"), "users/id", uid)
    iid = [f"i{i}" for i in range(N)]
    iid[31] = "i7"
    write(p("dup_items.h5"), a)
    ids(p("dup_items.h5"), "items/id", iid)

    write(p("lzf.h5"), a)
    with h5py.File(p("lzf.h5"), "a") as f:
        del f["items/embedding"]
        f.create_dataset("items/embedding", data=a["items"], compression="lzf")
    write(p("u64.h5"), a, n_users=np.uint64(2**64 - 1))


if __name__ == "__main__":
    main()
