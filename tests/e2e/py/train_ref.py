#!/usr/bin/python3
"""Independent reference for `receval train --model item-weight` and
`receval eval --model`, written from docs/training.md (not from the C code).

  train_ref.py train DATASET.h5 MODEL.h5 [--loss bce] [--optimizer adam] [--epochs E]
               [--batch-users B] [--negatives N] [--lr X] [--l2 X] [--val-frac X]
               [--patience P] [--seed S] [--lr-schedule constant|step|cosine] [--lr-gamma G]
      re-trains in float64 Python/numpy and compares w and b with MODEL.h5
      (relative 1e-9: receval sums gradients exactly, here math.fsum rounds
      the exact sum once, so the two differ only by final roundings).
  train_ref.py eval DATASET.h5 MODEL.h5 OUTDIR [--seed S]
      checks OUTDIR/results.h5 of `receval eval --model` (cosine): the
      per-user rmse and logloss (recomputed with the documented negative
      sampling) and recall@10 from reference lists of sigmoid(w_i s + b_i).

The random streams are reimplemented from docs/training.md: xoshiro256**
seeded through splitmix64 from (seed, stream, index)."""
import math
import sys

import h5py
import numpy as np

M64 = (1 << 64) - 1


def mix64(x):
    x = (x + 0x9E3779B97F4A7C15) & M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M64


class Rng:
    def __init__(self, seed, stream, index):
        k = mix64(seed & M64)
        k = mix64(k ^ ((stream * 0xD1342543DE82EF95) & M64))
        k = mix64(k ^ (index & M64))
        self.s = []
        for _ in range(4):
            k = (k + 0x9E3779B97F4A7C15) & M64
            self.s.append(mix64(k))

    def next(self):
        s = self.s
        out = (rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return out

    def uniform(self):
        return (self.next() >> 11) * 2.0 ** -53

    def below(self, n):
        limit = M64 - (M64 % n)
        while True:
            x = self.next()
            if x < limit:
                return x % n


def negatives(rng, n_items, excluded, want):
    excluded = set(int(i) for i in excluded)
    if len(excluded) >= n_items:
        return []
    out, rejected = [], 0
    while len(out) < want and rejected < 64 * want:
        it = rng.below(n_items)
        if it in excluded:
            rejected += 1
        else:
            out.append(it)
    return out


def unit32(x):
    """Rows scaled to unit length in double, rounded to float32 (zero rows stay)."""
    x = x.astype(np.float64)
    n = np.sqrt(np.cumsum(x * x, axis=1)[:, -1])
    n[n == 0] = 1.0
    return (x / n[:, None]).astype(np.float32)


def score32(u, items):
    """float32(sum_j u_j e_j) summed in double in index order."""
    prods = items.astype(np.float64) * u.astype(np.float64)[None, :]
    return np.cumsum(prods, axis=1)[:, -1].astype(np.float32)


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def loss_pair(kind, z, y):
    p = sigmoid(z)
    if kind == "bce":
        return max(z, 0.0) + math.log1p(math.exp(-abs(z))) - y * z, p - y
    return 0.5 * (p - y) ** 2, (p - y) * p * (1 - p)


def load(path):
    f = h5py.File(path, "r")
    items = f["items/embedding"][...]
    tp, ti = f["train/indptr"][...], f["train/indices"][...]
    if "users/embedding" in f:
        users = f["users/embedding"][...]
    else:
        users = np.zeros((len(tp) - 1, items.shape[1]), np.float32)
        for u in range(len(tp) - 1):
            row = ti[tp[u]:tp[u + 1]]
            if len(row):
                users[u] = (np.cumsum(items[row].astype(np.float64), axis=0)[-1] / len(row)).astype(np.float32)
    te_p, te_i = f["test/indptr"][...], f["test/indices"][...]
    return unit32(users), unit32(items), tp, ti, te_p, te_i


def opts(argv, defaults):
    o = dict(defaults)
    i = 0
    while i < len(argv):
        o[argv[i][2:]] = argv[i + 1]
        i += 2
    return o


def train(argv):
    ds, model = argv[0], argv[1]
    o = opts(argv[2:], {"loss": "mse", "optimizer": "adam", "epochs": "10", "batch-users": "256",
                        "negatives": "4", "lr": "0.05", "l2": "0", "val-frac": "0.1", "patience": "3",
                        "seed": "0", "lr-schedule": "constant", "lr-gamma": "0.9"})
    users, items, tp, ti, _, _ = load(ds)
    nu, ni = users.shape[0], items.shape[0]
    E, B, N = int(o["epochs"]), int(o["batch-users"]), int(o["negatives"])
    lr0, l2, vf, pat, seed = float(o["lr"]), float(o["l2"]), float(o["val-frac"]), int(o["patience"]), int(o["seed"])
    is_val = np.zeros(len(ti), bool)
    if vf > 0:
        for u in range(nu):
            r = Rng(seed, 102, u)
            for e in range(tp[u], tp[u + 1]):
                is_val[e] = r.uniform() < vf

    def pairs(u, val, epoch):
        row = ti[tp[u]:tp[u + 1]]
        pos = [int(row[e]) for e in range(len(row)) if is_val[tp[u] + e] == val]
        if not pos:
            return [], [], []
        r = Rng(seed, 103, u) if val else Rng(seed, 101, epoch * nu + u)
        neg = negatives(r, ni, row, len(pos) * N)
        its = pos + neg
        return its, [1.0] * len(pos) + [0.0] * len(neg), score32(users[u], items[its])

    x = np.concatenate([np.ones(ni), np.zeros(ni)])
    m, v = np.zeros(2 * ni), np.zeros(2 * ni)
    best, best_val, bad, step = x.copy(), math.inf, 0, 0
    nb = (nu + B - 1) // B
    total = nb * E
    for epoch in range(E):
        for b in range(nb):
            terms = [[] for _ in range(2 * ni)]
            count = 0
            for u in range(b, nu, nb):  # batch b: users u with u mod nb = b
                its, ys, ss = pairs(u, False, epoch)
                for it, y, s in zip(its, ys, ss):
                    _, g = loss_pair(o["loss"], x[it] * float(s) + x[ni + it], y)
                    terms[it].append(g * float(s))
                    terms[ni + it].append(g)
                    count += 1
            step += 1
            if count == 0:
                continue
            grad = np.array([math.fsum(t) / count for t in terms]) + l2 * x
            sch = o["lr-schedule"]
            lr = lr0 * (float(o["lr-gamma"]) ** epoch if sch == "step" else
                        0.5 * (1 + math.cos(math.pi * (step - 1) / total)) if sch == "cosine" else 1.0)
            if o["optimizer"] == "adam":
                m = 0.9 * m + 0.1 * grad
                v = 0.999 * v + 0.001 * grad * grad
                x = x - lr * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
            else:
                x = x - lr * grad
        ls, cnt = [], 0
        for u in range(nu):
            its, ys, ss = pairs(u, True, 0)
            for it, y, s in zip(its, ys, ss):
                ls.append(loss_pair(o["loss"], x[it] * float(s) + x[ni + it], y)[0])
        if ls:
            val = math.fsum(ls) / len(ls)
            if val < best_val:
                best_val, bad, best = val, 0, x.copy()
            else:
                bad += 1
                if pat > 0 and bad >= pat:
                    break
    final = best if math.isfinite(best_val) else x
    f = h5py.File(model, "r")
    got = np.concatenate([f["item_weight/w"][...], f["item_weight/b"][...]])
    err = np.max(np.abs(got - final) / np.maximum(1.0, np.abs(final)))
    moved = np.max(np.abs(final - np.concatenate([np.ones(ni), np.zeros(ni)])))
    print(f"max relative difference {err:.3e} over {2 * ni} parameters (largest change in training {moved:.3f})")
    return 0 if err <= 1e-9 and moved > 1e-3 else 1


def evalcheck(argv):
    ds, model, out = argv[0], argv[1], argv[2]
    o = opts(argv[3:], {"seed": "0"})
    seed = int(o["seed"])
    users, items, tp, ti, te_p, te_i = load(ds)
    nu, ni = users.shape[0], items.shape[0]
    f = h5py.File(model, "r")
    bil = f.attrs["model"] in ("bilinear", b"bilinear")
    if bil:
        # Users become float32(A^T e_u), summed in double in index order.
        d = users.shape[1]
        A = f["bilinear/A"][...].reshape(d, d)
        users = np.cumsum(users.astype(np.float64)[:, :, None] * A[None, :, :], axis=1)[:, -1, :].astype(np.float32)
        w, b = None, None
    else:
        w, b = f["item_weight/w"][...], f["item_weight/b"][...]
    res = h5py.File(f"{out}/results.h5", "r")
    got_rmse, got_ll = res["per_user/rmse"][...], res["per_user/logloss"][...]
    got_rec, got_items = res["per_user/recall@10"][...], res["topk/items"][...]
    bad = 0
    for u in range(nu):
        test = te_i[te_p[u]:te_p[u + 1]]
        train_row = ti[tp[u]:tp[u + 1]]
        if len(test) == 0:
            bad += not (np.isnan(got_rmse[u]) and np.isnan(got_ll[u]))
            continue
        r = Rng(seed, 104, u)
        neg = negatives(r, ni, list(train_row) + list(test), len(test))
        its = [int(i) for i in test] + neg
        ss = score32(users[u], items[its])
        se, ll = [], []
        for q, it in enumerate(its):
            y = 1.0 if q < len(test) else 0.0
            if bil:  # the score itself; log loss of it clipped to [1e-6, 1 - 1e-6]
                pc = min(max(float(ss[q]), 1e-6), 1 - 1e-6)
                se.append((y - float(ss[q])) ** 2)
                ll.append(-(y * math.log(pc) + (1 - y) * math.log(1 - pc)))
                continue
            z = w[it] * float(ss[q]) + b[it]
            se.append((y - sigmoid(z)) ** 2)
            ll.append(loss_pair("bce", z, y)[0])
        rm, lg = math.sqrt(math.fsum(se) / len(its)), math.fsum(ll) / len(its)
        if abs(rm - got_rmse[u]) > 1e-6 * max(1, rm) or abs(lg - got_ll[u]) > 1e-6 * max(1, lg):
            bad += 1
            if bad < 5:
                print(f"user {u}: rmse {got_rmse[u]} vs {rm}, logloss {got_ll[u]} vs {lg}")
        # recall@10 of the reference list: model outputs of every unseen item.
        s = (items.astype(np.float64) @ users[u].astype(np.float64))
        p = s if bil else 1.0 / (1.0 + np.exp(-(w * s + b)))
        p[train_row] = -np.inf
        order = np.lexsort((np.arange(ni), -p))[:10]
        ref = len(set(order.tolist()) & set(test.tolist())) / min(10, len(test))
        # Near-ties (|dp| < 1e-6) may order differently in float32: accept
        # receval's list when its k-th output is as large as the reference's.
        mine = got_items[u, :10]
        if abs(ref - got_rec[u]) > 1e-12 and abs(np.sort(p[mine])[0] - p[order[-1]]) > 1e-6:
            bad += 1
            if bad < 5:
                print(f"user {u}: recall@10 {got_rec[u]} vs reference {ref}")
    print(f"{nu} users checked, {bad} disagreements")
    return 0 if bad == 0 else 1


def bilinear(argv):
    """A of MODEL.h5 against a direct dense LAPACK solve (numpy.linalg.solve)
    of the normal equations G_U A G_I + lambda A = M written as one linear
    system in vec(A): (G_I^T kron G_U + lambda I) vec(A) = vec(M), with the
    model's lambda and M over every train positive."""
    ds, model = argv[0], argv[1]
    users, items, tp, ti, _, _ = load(ds)
    U, I = users.astype(np.float64), items.astype(np.float64)
    d = U.shape[1]
    gu, gi = U.T @ U, I.T @ I
    m = np.zeros((d, d))
    for u in range(U.shape[0]):
        row = ti[tp[u]:tp[u + 1]]
        if len(row):
            m += np.outer(U[u], I[row].sum(axis=0))
    f = h5py.File(model, "r")
    lam = float(f.attrs["lambda"])
    got = f["bilinear/A"][...].reshape(d, d)
    k = np.kron(gi.T, gu) + lam * np.eye(d * d)
    ref = np.linalg.solve(k, m.flatten(order="F")).reshape((d, d), order="F")
    rel = np.linalg.norm(got - ref) / np.linalg.norm(ref)
    resid = np.linalg.norm(gu @ got @ gi + lam * got - m) / np.linalg.norm(m)
    print(f"d = {d}, lambda = {lam:g}: |A - A_lapack| / |A_lapack| = {rel:.3e}, normal-equation residual {resid:.3e}")
    return 0 if rel <= 1e-9 else 1


if __name__ == "__main__":
    cmd = sys.argv[1]
    fn = {"train": train, "eval": evalcheck, "bilinear": bilinear}[cmd]
    sys.exit(fn(sys.argv[2:]))
