#!/usr/bin/python3
"""Copies of a valid receval dataset whose finite embeddings push the scores
to the edge of float32, for tests/e2e/numerics.sh.

Usage: numerics_make.py BASE.h5 OUTDIR

BASE.h5 needs user embeddings and at least 600 users (user BIGU = 400 is
then on rank 1 of a 3-rank run: the error is found off rank 0 and agreed).
Writes OUTDIR/<name>.h5 for each case below and prints "BIGU BIGI".

  dot_over     user BIGU and item BIGI (unseen by BIGU) parallel, norms 1.8e19 and 1.9e20:
               their dot product (3.4e39) overflows float32.
  dot_safe     the same norms, but user BIGU orthogonal to item BIGI and every
               other vector small: the bound |u|*|v| exceeds float32, every
               actual score is finite (must evaluate: no false refusal).
  dot_over_user  user BIGU of norm 1e38, items as they are (item BIGI of
               norm 5): only BIGU's scores overflow.
  dot_bounded  norms 1e18 and 1e19: |u|*|v| = 1e37 < 3.4e38, no check needed.
  euc_over     user BIGU of norm 2e19: its squared norm overflows float32.
  euc_safe     user BIGU and item BIGI orthogonal, norms 1.2e19:
               (|u| + |v|)^2 = 5.8e38 exceeds float32, every actual score
               -(|u|^2 + |v|^2) >= -2.9e38 is finite (must evaluate).
  cos_huge     every embedding scaled by 2^100 (components ~1e30, squared
               norms ~1e60 beyond float32): cosine must give exactly the
               metrics of BASE.h5 (power-of-two scaling commutes with the
               double-precision normalisation).
"""
import os
import shutil
import sys

import h5py
import numpy as np

BIGU = 400
BIGI = None  # the first item user BIGU has not seen (set by main)


def edit(base, out, fn):
    shutil.copyfile(base, out)
    with h5py.File(out, "r+") as f:
        U = f["/users/embedding"][...].astype(np.float64)
        V = f["/items/embedding"][...].astype(np.float64)
        fn(U, V)
        f["/users/embedding"][...] = U.astype(np.float32)
        f["/items/embedding"][...] = V.astype(np.float32)


def unit(d, axis):
    e = np.zeros(d)
    e[axis] = 1.0
    return e


def set_pair(U, V, nu, ni, parallel):
    d = U.shape[1]
    U[BIGU] = nu * unit(d, 0)
    V[BIGI] = ni * (unit(d, 0) if parallel else unit(d, 1))
    if not parallel:  # no other vector may reach the big ones' bound
        U[:, 0][np.arange(len(U)) != BIGU] *= 0.0


def main():
    base, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    with h5py.File(base, "r") as f:
        assert "/users/embedding" in f and int(f.attrs["n_users"]) > BIGU + 100
        p = f["/train/indptr"][...]
        seen = set(f["/train/indices"][p[BIGU]:p[BIGU + 1]].tolist())
    global BIGI
    BIGI = min(set(range(len(seen) + 1)) - seen)
    cases = {
        "dot_over": lambda U, V: set_pair(U, V, 1.8e19, 1.9e20, True),
        "dot_safe": lambda U, V: set_pair(U, V, 1.8e19, 1.9e20, False),
        "dot_bounded": lambda U, V: set_pair(U, V, 1e18, 1e19, True),
        "dot_over_user": lambda U, V: set_pair(U, V, 1e38, 5.0, True),
        "euc_over": lambda U, V: set_pair(U, V, 2e19, 1.0, True),
        "euc_safe": lambda U, V: set_pair(U, V, 1.2e19, 1.2e19, False),
    }
    for name, fn in cases.items():
        edit(base, os.path.join(outdir, name + ".h5"), fn)

    def huge(U, V):
        U *= 2.0 ** 100
        V *= 2.0 ** 100
    edit(base, os.path.join(outdir, "cos_huge.h5"), huge)
    print(BIGU, BIGI)


if __name__ == "__main__":
    main()
