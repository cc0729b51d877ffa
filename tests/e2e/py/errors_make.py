#!/usr/bin/python3
"""Derive broken copies of a valid receval dataset, for tests/e2e/errors.sh.

Usage: errors_make.py BASE.h5 OUTDIR [--ranks R] [--grain G]

Each broken copy differs from BASE.h5 in one place. Writes OUTDIR/cases.tsv,
one case a line, tab-separated:

    id  exit-codes  file  fragments  description

exit-codes is a comma-separated list of accepted codes; fragments are
'|'-separated strings that must all appear in the "receval: error:" line
(the file name is checked separately by the caller). No field is empty
(the reader splits on tabs, which collapses empty fields).

Per-user errors (indices, user embeddings, test values) are placed in rows
owned by chosen ranks of an R-rank run (default 3), computed with the same
cost-balanced partition as src/kernels/partition.c, so that an error found
on a non-zero rank must be agreed and reported by rank 0.
"""
import argparse
import os
import shutil
import sys

import h5py
import numpy as np


def partition(n_users, n_items, tr, te, parts, grain):
    """Bounds as rv_partition_users (src/kernels/partition.c): inner bounds are
    multiples of grain, each at the grain boundary nearest to p/parts of the
    total cost, cost(u) = u * (n_items + 1) + train and test entries before u.
    errors.sh checks the last boundary empirically (the boundary probe)."""
    def cost(u):
        return u * n_items + u + int(tr[u] - tr[0]) + int(te[u] - te[0])

    total = cost(n_users)
    n_grains = (n_users + grain - 1) // grain
    b = [0]
    for p in range(1, parts):
        target = p * total
        lo, hi = (b[-1] + grain - 1) // grain, n_grains
        while lo < hi:
            mid = lo + (hi - lo) // 2
            if cost(min(mid * grain, n_users)) * parts >= target:
                hi = mid
            else:
                lo = mid + 1
        if lo > 0 and lo * grain > b[-1]:
            below = target - cost((lo - 1) * grain) * parts
            above = cost(min(lo * grain, n_users)) * parts - target
            if below < above:
                lo -= 1
        b.append(min(lo * grain, n_users))
    b.append(n_users)
    return b


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base")
    ap.add_argument("outdir")
    ap.add_argument("--ranks", type=int, default=3)
    ap.add_argument("--grain", type=int, default=256, help="RV_GEMM_ROWS of src/core/evaluate.c")
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)

    with h5py.File(a.base, "r") as f:
        U = int(f.attrs["n_users"])
        N = int(f.attrs["n_items"])
        D = int(f.attrs["dim"])
        tr_ptr = f["/train/indptr"][...]
        tr_idx = f["/train/indices"][...]
        te_ptr = f["/test/indptr"][...]
        te_idx = f["/test/indices"][...]
        assert "/users/embedding" in f and "/test/values" in f, "base needs user embeddings and test values"
    R = a.ranks
    bounds = partition(U, N, tr_ptr, te_ptr, R, a.grain)
    print(f"errors_make: {U} users, {N} items, dim {D}; {R}-rank bounds {bounds}", file=sys.stderr)
    if not all(bounds[r] < bounds[r + 1] for r in range(R)):
        raise SystemExit(f"errors_make: some rank of {R} gets no users; bounds {bounds} (use more users)")
    last = R - 1
    mid = R // 2

    def owner(u):
        return max(r for r in range(R) if bounds[r] <= u)

    def row_with(ptr, rank, min_len, prefer=None):
        """A user owned by `rank` with at least min_len entries in ptr."""
        lo, hi = bounds[rank], bounds[rank + 1]
        order = list(range(lo, hi))
        if prefer is not None and lo <= prefer < hi:
            order = [prefer] + order
        for u in order:
            if ptr[u + 1] - ptr[u] >= min_len:
                return u
        raise SystemExit(f"errors_make: no user of rank {rank} has {min_len} entries")

    cases = []

    def derive(cid, codes, frags, desc, edit):
        path = os.path.join(a.outdir, cid + ".h5")
        shutil.copyfile(a.base, path)
        with h5py.File(path, "r+") as f:
            edit(f)
        cases.append((cid, codes, path, frags, desc))

    def replace(f, name, data):
        del f[name]
        f.create_dataset(name, data=data)

    # --- not HDF5 / truncated ---
    txt = os.path.join(a.outdir, "notes.txt")
    with open(txt, "w") as t:
        t.write("this is not an HDF5 file\n" * 50)
    cases.append(("02_not_hdf5", "3", txt, "not an HDF5 file", "a text file is not HDF5"))
    raw = open(a.base, "rb").read()
    trunc = os.path.join(a.outdir, "truncated.h5")
    with open(trunc, "wb") as t:
        t.write(raw[: len(raw) // 2])
    # HDF5 may notice the truncation in H5Fis_hdf5 (3) or only when opening (4).
    cases.append(("03_truncated", "3,4", trunc, "truncated.h5", "first half of a valid file"))

    # --- header ---
    derive("04a_format_vlen", "3", "'format'|something-else", "format attribute 'something-else' (vlen str)",
           lambda f: f.attrs.__setitem__("format", "something-else"))
    derive("04b_format_fixed", "3", "'format'|something-else", "format attribute 'something-else' (fixed bytes)",
           lambda f: f.attrs.__setitem__("format", np.bytes_(b"something-else")))
    derive("04c_format_missing", "3", "'format'|missing", "format attribute absent",
           lambda f: f.attrs.__delitem__("format"))
    # Root attributes must be scalars: an array must be rejected, not read
    # into a one-element buffer.
    derive("04d_format_array_fixed", "3", "'format'", "format: array of 8 fixed-length strings",
           lambda f: f.attrs.__setitem__("format", np.array([b"receval-dataset"] * 8)))
    derive("04e_format_array_vlen", "3", "'format'", "format: array of 8 variable-length strings",
           lambda f: f.attrs.__setitem__("format", np.array(["receval-dataset"] * 8, dtype=h5py.string_dtype())))
    derive("04f_format_long_fixed", "3", "'format'|string of 5000 bytes",
           "format: one fixed-length string of 5000 bytes (sizes from the file are bounded)",
           lambda f: f.attrs.__setitem__("format", np.bytes_(b"receval-dataset" + b"x" * 4985)))
    derive("05e_version_array", "3", "'version'", "version: int64 array [1, 2, 3, 4]",
           lambda f: f.attrs.__setitem__("version", np.array([1, 2, 3, 4], np.int64)))
    derive("05a_version_2", "3", "'version'|is 2", "version 2",
           lambda f: f.attrs.__setitem__("version", np.int64(2)))
    derive("05b_version_str", "3", "'version'|not an integer", "version stored as a string",
           lambda f: f.attrs.__setitem__("version", "1"))
    derive("05c_n_users_0", "3", "'n_users'|is 0", "n_users 0",
           lambda f: f.attrs.__setitem__("n_users", np.int64(0)))
    derive("05d_dim_negative", "3", "'dim'|is -8", "dim -8",
           lambda f: f.attrs.__setitem__("dim", np.int64(-8)))

    # --- required datasets, dtypes, shapes ---
    derive("06a_no_test_indptr", "3", "/test/indptr|missing", "/test/indptr removed",
           lambda f: f.__delitem__("/test/indptr"))
    derive("06b_no_items_embedding", "3", "/items/embedding|missing", "/items/embedding removed",
           lambda f: f.__delitem__("/items/embedding"))
    derive("06c_no_train_group", "3", "/train/indptr|missing", "whole /train group removed",
           lambda f: f.__delitem__("/train"))
    derive("07a_items_float64", "3", "/items/embedding|dtype|8 bytes", "/items/embedding float64",
           lambda f: replace(f, "/items/embedding", f["/items/embedding"][...].astype(np.float64)))
    derive("07b_train_indptr_int32", "3", "/train/indptr|dtype|4 bytes", "/train/indptr int32",
           lambda f: replace(f, "/train/indptr", f["/train/indptr"][...].astype(np.int32)))
    derive("07c_test_indices_uint32", "3", "/test/indices|unsigned", "/test/indices uint32",
           lambda f: replace(f, "/test/indices", f["/test/indices"][...].astype(np.uint32)))
    derive("07d_test_values_float64", "3", "/test/values|dtype|8 bytes", "/test/values float64",
           lambda f: replace(f, "/test/values", f["/test/values"][...].astype(np.float64)))
    derive("08a_n_items_header", "3", f"/items/embedding|n_items={N - 1}|[{N}, {D}]",
           f"header n_items={N - 1}, /items/embedding has {N} rows",
           lambda f: f.attrs.__setitem__("n_items", np.int64(N - 1)))
    derive("08b_items_1d", "3", "/items/embedding|dimensions", "/items/embedding flattened to 1-D",
           lambda f: replace(f, "/items/embedding", f["/items/embedding"][...].reshape(-1)))
    derive("09_users_dim", "3", f"/users/embedding|[{U}, {D // 2}]|dim={D}",
           f"/users/embedding [{U},{D // 2}] vs items dim {D}",
           lambda f: replace(f, "/users/embedding", f["/users/embedding"][:, : D // 2]))
    derive("09b_test_values_len", "3", "/test/values|length", "/test/values one short",
           lambda f: replace(f, "/test/values", f["/test/values"][:-1]))

    # --- non-finite embeddings ---
    def set_item(name, idx, v):
        def edit(f):
            x = f[name][...]
            x[idx] = v
            f[name][...] = x
        return edit

    derive("10a_items_nan_row5", "3", "/items/embedding|row 5,|column 3|nan", "NaN in /items/embedding row 5",
           set_item("/items/embedding", (5, 3), np.nan))
    derive("10b_items_inf_row7", "3", "/items/embedding|row 7,|inf", "+Inf in /items/embedding row 7",
           set_item("/items/embedding", (7, 0), np.inf))
    u_nan = U - 10 if owner(U - 10) == last else (bounds[last] + bounds[last + 1]) // 2
    derive("11_users_nan_lastrank", "3", f"/users/embedding|row {u_nan},|nan",
           f"NaN in /users/embedding row {u_nan} (rank {owner(u_nan)} of {R})",
           set_item("/users/embedding", (u_nan, 2), np.nan))

    # --- indptr ---
    r_dec = next(u for u in range(U // 2, U) if tr_ptr[u - 1] > 0)
    def ptr_edit(name, i, v):
        def edit(f):
            p = f[name][...]
            p[i] = v
            f[name][...] = p
        return edit
    derive("12a_train_indptr_decreasing", "3",
           f"/train/indptr|row {r_dec}:|value {tr_ptr[r_dec - 1] - 1} < previous {tr_ptr[r_dec - 1]}",
           f"/train/indptr decreases at row {r_dec}",
           ptr_edit("/train/indptr", r_dec, tr_ptr[r_dec - 1] - 1))
    derive("12b_train_indptr_start", "3", "/train/indptr|row 0|value 1|start at 0", "/train/indptr[0] = 1",
           ptr_edit("/train/indptr", 0, 1))
    nnz = int(tr_ptr[-1])
    derive("12c_train_indptr_last", "3", f"/train/indptr|last value {nnz + 7}|nnz = {nnz}",
           f"/train/indptr last = nnz+7",
           ptr_edit("/train/indptr", U, nnz + 7))
    derive("12d_train_indptr_length", "3", f"/train/indptr|length {U}|{U + 1}", f"/train/indptr has {U} entries",
           lambda f: replace(f, "/train/indptr", f["/train/indptr"][:-1]))
    tnnz = int(te_ptr[-1])
    derive("12e_test_indptr_last", "3", f"/test/indptr|last value {tnnz + 3}|nnz = {tnnz}",
           "/test/indptr last = nnz+3", ptr_edit("/test/indptr", U, tnnz + 3))

    # --- indices (rows chosen on given ranks of an R-rank run) ---
    def idx_edit(name, t, v):
        def edit(f):
            x = f[name][...]
            x[t] = v
            f[name][...] = x
        return edit

    u = row_with(tr_ptr, last, 1)
    t = int(tr_ptr[u + 1] - 1)
    derive("13a_train_index_n_items", "3", f"/train/indices|row {u},|entry {t}:|item {N} out of range",
           f"/train/indices = n_items in row {u} (rank {last})", idx_edit("/train/indices", t, N))
    u = row_with(tr_ptr, mid, 2)
    t = int(tr_ptr[u])
    a0, a1 = int(tr_idx[t]), int(tr_idx[t + 1])
    derive("13b_train_row_unsorted", "3",
           f"/train/indices|row {u},|entry {t + 1}:|item {a0} is below previous {a1}",
           f"/train/indices row {u} unsorted (rank {mid})",
           lambda f: f["/train/indices"].__setitem__(slice(t, t + 2), np.array([a1, a0], np.int32)))
    u = row_with(tr_ptr, 0, 2, prefer=3)
    t = int(tr_ptr[u]) + 1
    dup = int(tr_idx[t - 1])
    derive("13c_train_row_duplicate", "3", f"/train/indices|row {u},|entry {t}:|item {dup} repeats",
           f"/train/indices row {u} has a duplicate (rank 0)", idx_edit("/train/indices", t, dup))
    u = row_with(tr_ptr, last, 1, prefer=bounds[last] + 3)
    t = int(tr_ptr[u])
    derive("13d_train_index_negative", "3", f"/train/indices|row {u},|entry {t}:|item -1 out of range",
           f"/train/indices -1 in row {u} (rank {last})", idx_edit("/train/indices", t, -1))
    u = row_with(te_ptr, mid, 1)
    t = int(te_ptr[u + 1] - 1)
    derive("13e_test_index_big", "3", f"/test/indices|row {u},|item {N + 1000}",
           f"/test/indices = n_items+1000 in row {u} (rank {mid})", idx_edit("/test/indices", t, N + 1000))

    # --- test values ---
    u = row_with(te_ptr, mid, 1)
    t = int(te_ptr[u])
    derive("14a_test_value_zero", "3", f"/test/values|entry {t}:|value 0,",
           f"/test/values[{t}] = 0 (user {u}, rank {mid})", idx_edit("/test/values", t, 0.0))
    u = row_with(te_ptr, last, 1, prefer=bounds[last] + 1)
    t = int(te_ptr[u])
    derive("14b_test_value_negative", "3", f"/test/values|entry {t}:|value -2.5",
           f"/test/values[{t}] = -2.5 (user {u}, rank {last})", idx_edit("/test/values", t, -2.5))
    u = row_with(te_ptr, 0, 1)
    t = int(te_ptr[u])
    derive("14c_test_value_nan", "3", f"/test/values|entry {t}:|nan",
           f"/test/values[{t}] = NaN (user {u}, rank 0)", idx_edit("/test/values", t, np.nan))

    # --- test rows: unsorted and repeated (train rows are cases 13b, 13c) ---
    u = row_with(te_ptr, last, 2)
    t = int(te_ptr[u])
    b0, b1 = int(te_idx[t]), int(te_idx[t + 1])
    derive("13f_test_row_unsorted", "3", f"/test/indices|row {u},|entry {t + 1}:|item {b0} is below previous {b1}",
           f"/test/indices row {u} unsorted (rank {last})",
           lambda f: f["/test/indices"].__setitem__(slice(t, t + 2), np.array([b1, b0], np.int32)))
    u2 = row_with(te_ptr, mid, 2)
    t2 = int(te_ptr[u2]) + 1
    dup2 = int(te_idx[t2 - 1])
    derive("13g_test_row_duplicate", "3", f"/test/indices|row {u2},|entry {t2}:|item {dup2} repeats",
           f"/test/indices row {u2} has a duplicate (rank {mid})", idx_edit("/test/indices", t2, dup2))
    u = row_with(tr_ptr, 0, 1)
    derive("10c_users_inf_rank0", "3", f"/users/embedding|row {u},|column 1|-inf",
           f"-Inf in /users/embedding row {u} (rank 0)", set_item("/users/embedding", (u, 1), -np.inf))
    derive("09c_users_1d", "3", "/users/embedding|dimensions", "/users/embedding flattened to 1-D",
           lambda f: replace(f, "/users/embedding", f["/users/embedding"][...].reshape(-1)))

    # --- categories (optional CSR over items): checked like the interactions ---
    def with_categories(ptr, idx):
        def edit(f):
            f["/items/category/indptr"] = np.asarray(ptr, np.int64)
            f["/items/category/indices"] = np.asarray(idx, np.int32)
        return edit
    cptr = np.arange(N + 1, dtype=np.int64)          # one category per item
    cidx = np.arange(N, dtype=np.int32) % 5
    bad = cidx.copy()
    bad[N - 2] = 1 << 20
    derive("25a_category_too_big", "3", f"/items/category/indices|row {N - 2},|category {1 << 20} out of range",
           f"item {N - 2} in category 2^20 (ids must be < 2^20)", with_categories(cptr, bad))
    derive("25b_category_indptr_length", "3", f"/items/category/indptr|length {N}|n_items + 1 = {N + 1}",
           f"/items/category/indptr has {N} entries", with_categories(cptr[:-1], cidx[:-1]))
    bad = cidx.copy()
    bad[3] = -4
    derive("25c_category_negative", "3", "/items/category/indices|row 3,|category -4 out of range",
           "item 3 in category -4", with_categories(cptr, bad))

    # --- hostile sizes: a small file declaring huge arrays must be refused
    # before anything of that size is allocated (no malloc of the declared
    # size; under ASan a malloc over 1 TiB would abort) ---
    big_n = (1 << 31) - 1
    def huge_items(f):
        f.attrs["n_items"] = np.int64(big_n)
        f.attrs["dim"] = np.int64(65536)
        del f["/items/embedding"]
        f.create_dataset("/items/embedding", shape=(big_n, 65536), dtype=np.float32)   # never written
    derive("26a_items_unwritten_512TiB", "3",
           f"/items/embedding|declares {big_n * 65536 * 4} bytes|stores only 0",
           "header n_items=2^31-1, dim=65536; /items/embedding declared, never written", huge_items)
    def overflow(f):
        del f["/train/indices"]
        f.create_dataset("/train/indices", shape=(1 << 62,), maxshape=(None,), chunks=(1024,), dtype=np.int32)
    derive("26b_indices_overflow", "3", f"/train/indices|shape [{1 << 62}, 1]|overflows",
           "/train/indices declared with 2^62 entries (x 4 bytes overflows 64 bits)", overflow)
    huge_u = 1 << 40
    def huge_users(f):
        # Compressed and chunked, one chunk written: the stored data is tiny,
        # the declared arrays need 16 TiB per rank.
        f.attrs["n_users"] = np.int64(huge_u)
        for g in ("/train", "/test"):
            del f[g + "/indptr"]
            d = f.create_dataset(g + "/indptr", shape=(huge_u + 1,), chunks=(4096,), compression="gzip",
                                 dtype=np.int64)
            d[:4096] = 0
        del f["/users/embedding"]
        d = f.create_dataset("/users/embedding", shape=(huge_u, D), chunks=(512, D), compression="gzip",
                             dtype=np.float32)
        d[:512] = 0
    derive("26c_users_2e40_compressed", "3", f"/users/embedding|declares {huge_u // 512} chunks|stores 1",
           "n_users=2^40, compressed and chunked, one chunk stored", huge_users)
    def unwritten_chunked(f):
        del f["/test/indices"]
        f.create_dataset("/test/indices", shape=(int(te_ptr[-1]),), chunks=(64,), compression="gzip",
                         dtype=np.int32)
    derive("26d_test_indices_unwritten", "3", "/test/indices|chunks of data but the file stores 0",
           "/test/indices compressed, no chunk ever written", unwritten_chunked)

    # Boundary probe: a NaN user embedding in the first row of the last rank
    # and a bad train index in the row just before it. One rank checks user
    # embeddings before train indices, so at 1 rank (or if both rows were on
    # one rank) the embedding error is reported; at R ranks the lower rank's
    # train error must win. Confirms the partition above and the agreement
    # rule "the lowest failing rank's message".
    b = bounds[last]
    u = b - 1
    while tr_ptr[u + 1] == tr_ptr[u]:
        u -= 1
    assert owner(u) == last - 1
    t = int(tr_ptr[u + 1] - 1)
    def probe(f):
        set_item("/users/embedding", (b, 0), np.nan)(f)
        idx_edit("/train/indices", t, N + 7)(f)
    path = os.path.join(a.outdir, "boundary_probe.h5")
    shutil.copyfile(a.base, path)
    with h5py.File(path, "r+") as f:
        probe(f)
    with open(os.path.join(a.outdir, "boundary.tsv"), "w") as out:
        out.write("\t".join([path, f"/users/embedding|row {b},|nan",
                             f"/train/indices|row {u},|item {N + 7}",
                             f"NaN user {b} (rank {last}) + train item {N + 7} in row {u} (rank {last - 1})"]) + "\n")

    with open(os.path.join(a.outdir, "cases.tsv"), "w") as out:
        for c in cases:
            assert all(s and "\t" not in s and "\n" not in s for s in c), c
            out.write("\t".join(c) + "\n")
    # For case 22: the file with an error found after the output directory is prepared.
    with open(os.path.join(a.outdir, "late_error.txt"), "w") as out:
        out.write(os.path.join(a.outdir, "11_users_nan_lastrank.h5") + "\n")


if __name__ == "__main__":
    main()
