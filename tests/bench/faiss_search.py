#!/usr/bin/env python3
"""Faiss exact inner-product search (IndexFlatIP) over a receval dataset:
the same users, items, k and thread count as the receval run it is compared
with. Cosine similarity = inner product of unit rows, so rows are normalised
first (outside the timed region, as receval's own normalisation is outside
the floor). Prints the median search time of REPS runs.
Usage: faiss_search.py DATASET.h5 K THREADS [REPS]"""
import statistics
import sys
import time

import faiss
import h5py
import numpy as np


def main():
    path, k, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    reps = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    with h5py.File(path, "r") as f:
        items = np.ascontiguousarray(f["/items/embedding"][...], dtype=np.float32)
        users = np.ascontiguousarray(f["/users/embedding"][...], dtype=np.float32)
    faiss.normalize_L2(items)
    faiss.normalize_L2(users)
    faiss.omp_set_num_threads(threads)
    index = faiss.IndexFlatIP(items.shape[1])
    index.add(items)
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        index.search(users, k)
        times.append(time.perf_counter() - t0)
    print("faiss %.4f seconds (median of %d, %d threads, k=%d)" % (statistics.median(times), reps, threads, k))


if __name__ == "__main__":
    main()
