#!/usr/bin/python3
"""Write a small random dataset in the receval HDF5 format, independently of receval.

Usage: make_dataset.py OUT.h5 --users U --items N --dim D --seed S
                       [--no-user-embeddings] [--graded] [--categories G]

Embeddings are gaussian with cluster structure; users interact mostly with
items of their own cluster, skewed by popularity; train and test items are
disjoint per user. The same seed gives the same embeddings and interactions
whatever the optional flags (they only add or drop datasets).

Deliberate edge cases (U >= 4, N >= 3 required):
  user 0        train items, no test items   (skipped by the metrics)
  user 1        test items, no train items   (zero vector without user embeddings)
  user U//2     train = every item but two, test = one of those two
                (candidate list of length 2, shorter than any k >= 3)
  user U-1      train = the whole catalogue, no test items (empty candidate list)
  item 1        all-zero embedding (cosine 0 with everything)
  item N-1      exact copy of item 0's embedding (exact score ties, index decides)
  item 2        no category (with --categories)
"""
import argparse

import h5py
import numpy as np


def csr(rows, dtype=np.int32):
    """(indptr int64, indices) from a list of 1-D arrays."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.concatenate(rows).astype(dtype) if rows else np.zeros(0, dtype)
    return indptr, indices


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("--users", type=int, required=True)
    p.add_argument("--items", type=int, required=True)
    p.add_argument("--dim", type=int, required=True)
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--no-user-embeddings", action="store_true")
    p.add_argument("--graded", action="store_true", help="write /test/values in {1,2,3}")
    p.add_argument("--categories", type=int, metavar="G", help="write /items/category with G categories")
    a = p.parse_args()
    if a.users < 4 or a.items < 3 or a.dim < 1:
        p.error("need --users >= 4, --items >= 3, --dim >= 1 (for the edge cases)")
    if a.categories is not None and a.categories < 1:
        p.error("--categories must be >= 1")

    rng = np.random.default_rng(a.seed)
    U, N, D = a.users, a.items, a.dim

    # Embeddings: cluster centres plus noise; item norms vary so cosine != dot.
    n_clusters = max(2, min(10, N // 20))
    centres = rng.normal(size=(n_clusters, D))
    item_cluster = rng.integers(n_clusters, size=N)
    items = centres[item_cluster] + 0.5 * rng.normal(size=(N, D))
    items *= rng.uniform(0.5, 2.0, size=(N, 1))
    items[1] = 0.0                      # zero item
    items[N - 1] = items[0]             # exact duplicate of item 0
    item_cluster[N - 1] = item_cluster[0]
    items = items.astype(np.float32)
    user_cluster = rng.integers(n_clusters, size=U)
    users = (centres[user_cluster] + 0.7 * rng.normal(size=(U, D))).astype(np.float32)

    # Interactions.
    no_test, no_train, almost_full, full = 0, 1, U // 2, U - 1
    popularity = 1.0 / (5.0 + rng.permutation(N))
    max_train, max_test = max(1, min(60, N // 4)), max(1, min(20, N // 8))
    all_items = np.arange(N)
    train, test = [], []
    for u in range(U):
        if u == full:
            tr, te = all_items, all_items[:0]
        elif u == almost_full:
            left = np.sort(rng.choice(N, 2, replace=False))
            tr, te = np.setdiff1d(all_items, left), left[[rng.integers(2)]]
        else:
            n_tr = 0 if u == no_train else int(rng.integers(1, max_train + 1))
            n_te = 0 if u == no_test else int(rng.integers(1, max_test + 1))
            n_te = min(n_te, N - n_tr)
            w = popularity * np.where(item_cluster == user_cluster[u], 6.0, 1.0)
            chosen = rng.choice(N, n_tr + n_te, replace=False, p=w / w.sum())
            tr, te = np.sort(chosen[:n_tr]), np.sort(chosen[n_tr:])
        train.append(tr)
        test.append(te)
    train_indptr, train_indices = csr(train)
    test_indptr, test_indices = csr(test)
    values = rng.integers(1, 4, size=len(test_indices)).astype(np.float32)

    if a.categories is not None:
        G = a.categories
        cats = []
        for i in range(N):
            c = {int(item_cluster[i]) % G}
            if rng.random() < 0.3:
                c.add(int(rng.integers(G)))
            cats.append(np.array(sorted(c)))
        cats[2] = cats[2][:0]           # an item without category
        cat_indptr, cat_indices = csr(cats)

    with h5py.File(a.out, "w") as f:
        f.attrs["format"] = "receval-dataset"
        f.attrs["version"] = np.int64(1)
        f.attrs["n_users"] = np.int64(U)
        f.attrs["n_items"] = np.int64(N)
        f.attrs["dim"] = np.int64(D)
        f["items/embedding"] = items
        if not a.no_user_embeddings:
            f["users/embedding"] = users
        f["train/indptr"], f["train/indices"] = train_indptr, train_indices
        f["test/indptr"], f["test/indices"] = test_indptr, test_indices
        if a.graded:
            f["test/values"] = values
        if a.categories is not None:
            f["items/category/indptr"], f["items/category/indices"] = cat_indptr, cat_indices

    print(f"wrote {a.out}: {U} users, {N} items, dim {D}, train nnz {len(train_indices)}, "
          f"test nnz {len(test_indices)}; edge users: no_test={no_test} no_train={no_train} "
          f"almost_full={almost_full} full={full}; zero item 1, item {N - 1} duplicates item 0")


if __name__ == "__main__":
    main()
