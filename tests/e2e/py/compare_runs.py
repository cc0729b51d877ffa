"""Asserts that several receval output directories hold bitwise-identical results.

Usage: compare_runs.py DIR_REF DIR [DIR ...]

Compared exactly: every metric's mean, ci95 and users in report.json (JSON doubles
are written with 17 significant digits, so equal text means equal bits), the
counts, and every dataset of results.h5 byte for byte (NaN patterns included).
Timings, the output path and the parallel section legitimately differ.
"""
import json
import sys

import h5py
import numpy as np


def load(d):
    with open(f"{d}/report.json") as f:
        rep = json.load(f)
    arrays = {}
    with h5py.File(f"{d}/results.h5", "r") as h:
        h.visititems(lambda name, obj: arrays.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return rep, arrays


def main():
    ref_dir, others = sys.argv[1], sys.argv[2:]
    ref, ref_arr = load(ref_dir)
    bad = 0
    for d in others:
        rep, arr = load(d)
        if rep["metrics"] != ref["metrics"]:
            for k in ref["metrics"]:
                if rep["metrics"].get(k) != ref["metrics"][k]:
                    print(f"compare: {d}: metric {k}: {rep['metrics'].get(k)} != {ref['metrics'][k]}")
            bad += 1
        if rep["counts"] != ref["counts"]:
            print(f"compare: {d}: counts {rep['counts']} != {ref['counts']}")
            bad += 1
        if sorted(arr) != sorted(ref_arr):
            print(f"compare: {d}: datasets {sorted(arr)} != {sorted(ref_arr)}")
            bad += 1
            continue
        for name, a in ref_arr.items():
            b = arr[name]
            if a.dtype != b.dtype or a.shape != b.shape or a.tobytes() != b.tobytes():
                diff = np.argwhere(a.view(np.uint8).reshape(a.shape[0], -1) != b.view(np.uint8).reshape(b.shape[0], -1)) if a.shape == b.shape and a.dtype == b.dtype else "shape/dtype"
                print(f"compare: {d}: /{name} differs from {ref_dir} (first differing rows: {diff[:3] if not isinstance(diff, str) else diff})")
                bad += 1
    print(f"compare: {len(others)} run(s) against {ref_dir}: {'identical' if bad == 0 else f'{bad} difference(s)'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
