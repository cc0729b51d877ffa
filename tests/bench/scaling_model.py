"""Cost model of `receval eval`, checked against measurements, and projected.

Usage: scaling_model.py WORKDIR
Reads WORKDIR/meas/scaling.tsv (jobs/scaling.sbatch) and WORKDIR/mem.tsv
(scaling_docs.sh), prints markdown tables (model check, memory check,
projection) and writes WORKDIR/proj_*.dat for gnuplot (tests/bench/scaling.gp).

The model (docs/scaling.md explains each term):
  score  = 2 U I d / (P R)                 R: per-rank scoring rate (sgemm + selection + metrics)
  read   = items and row pointers to every rank, user slices once:
           max(I d 4 / B_fs, c (I d 4 + 16 U) / B_node) + U (4 d + 12 nnz_u) / min(B_fs, N B_node)
  reduce = Allreduce of the exposure counts (m = I (8 n_k + 16) bytes) and of
           the metric sums, Rabenseifner: 2 log2(N) alpha + 2 (N-1)/N m beta
  write  = U kmax 8 / min(B_fs, N B_node)
  memory per rank = base + I d 4 + 16 U + I (8 n_k + 16) + (U/P)(4 d + 8 kmax + 8 cols + 12 nnz_u) + tile
"""
import csv
import math
import statistics
import sys

WORK = sys.argv[1]

# --- measured on this machine ---
rows = list(csv.DictReader(open(f"{WORK}/meas/scaling.tsv"), delimiter="\t"))
def med(mode, np_, col):
    return statistics.median(float(r[col]) for r in rows if r["mode"] == mode and int(r["ranks"]) == np_)
r0 = next(r for r in rows if r["mode"] == "strong" and r["ranks"] == "1")
U0, I0, D0 = int(r0["users"]), int(r0["items"]), int(r0["dim"])
# The machine is shared, so the model works in CPU seconds (what a dedicated core
# would take), measured for all ranks of a local mpirun (scaling.sbatch's local_cpu_s).
# C0(P): the CPU seconds of a tiny run at P ranks (MPI start-up, libraries, files).
tiny = list(csv.DictReader(open(f"{WORK}/tiny/scaling.tsv"), delimiter="\t"))
def c0(np_):
    return statistics.median(float(r["local_cpu_s"]) for r in tiny if int(r["ranks"]) == np_)
# The bare sgemm rate per CPU second (scaling_docs.sh step 0), and the one fitted
# constant: the scoring rate R of a rank, from the 1-rank strong run.
SGEMM = float(open(f"{WORK}/sgemm.txt").read())
R = 2 * U0 * I0 * D0 / (med("strong", 1, "local_cpu_s") - c0(1))
F = R / SGEMM     # whole job against bare sgemm (selection, metrics, masking, reading)

def score_time(U, I, d, P):
    return 2 * U * I * d / (P * R)

print("## Model check (this machine, local mpirun, medians of the runs in scaling.tsv)\n")
print(f"Measured: bare sgemm {SGEMM/1e9:.1f} GFLOP per CPU second (one thread, best of 5); fixed cost "
      f"C0 = {c0(1):.2f} CPU s at 1 rank, {c0(2):.2f} at 2 (tiny run). Fitted: R = {R/1e9:.1f} GFLOP per "
      f"CPU second of a rank (1-rank strong run: 2 U I d / (CPU - C0)), F = R / sgemm = {F:.2f}.\n")
print("Model: CPU seconds of all ranks = C0(P) + 2 U I d / R; on dedicated cores the job would take")
print("C0(P)/P + 2 U I d / (P R) of wall time. Measured wall times are of the shared machine.\n")
print("| mode | ranks | users | CPU s, all ranks | model CPU s | ratio | wall s (shared machine) | model wall s (dedicated cores) |")
print("|---|---|---|---|---|---|---|---|")
dat = open(f"{WORK}/meas.dat", "w")
dat.write("# mode(0 strong, 1 weak) ranks cpu_s model_cpu_s wall_s model_wall_dedicated_s\n")
for mode in ("strong", "weak"):
    for np_ in sorted({int(r["ranks"]) for r in rows if r["mode"] == mode}):
        U = int(next(r["users"] for r in rows if r["mode"] == mode and int(r["ranks"]) == np_))
        mw, mc = med(mode, np_, "wall_s"), med(mode, np_, "local_cpu_s")
        pc = c0(np_) + 2 * U * I0 * D0 / R
        pw = c0(np_) / np_ + score_time(U, I0, D0, np_)
        print(f"| {mode} | {np_} | {U} | {mc:.2f} | {pc:.2f} | {mc/pc:.2f} | {mw:.2f} | {pw:.2f} |")
        dat.write(f"{int(mode == 'weak')} {np_} {mc} {pc} {mw} {pw}\n")
dat.close()

# --- memory: measured max RSS per rank against the model ---
NK, KMAX, COLS, NNZ_U = 2, 20, 40, 0   # cutoffs, largest k, metric columns; CSR is in the data
def mem_rank(U, I, d, P, nk=NK, kmax=KMAX, cols=COLS, nnz_u=NNZ_U, base=0.0):
    # row pointers: the rank's slice (16 bytes per user) and both arrays at every 256th user
    return (base + I * d * 4 + U / 16 + I * (8 * nk + 16)
            + (U / P) * (16 + 4 * d + 8 * kmax + 8 * cols + 12 * nnz_u) + 2 * 2**20)
mem = list(csv.DictReader(open(f"{WORK}/mem.tsv"), delimiter="\t"))
# base: the tiny run's RSS minus its modelled data (libraries, MPI, HDF5 buffers)
m0 = min(mem, key=lambda r: int(r["items"]) + int(r["users"]))
def m_args(r):
    return dict(U=int(r["users"]), I=int(r["items"]), d=int(r["dim"]), P=int(r["ranks"]),
                nk=len(r["k"].split(",")), kmax=max(map(int, r["k"].split(","))), cols=int(r["cols"]),
                nnz_u=float(r["nnz_per_user"]))
BASE = float(m0["maxrss_kb"]) * 1024 - mem_rank(**m_args(m0))
print("\n## Memory per rank (max RSS, `/usr/bin/time`)\n")
print(f"Fitted: base {BASE/2**20:.0f} MiB per rank (libraries, MPI, HDF5) from the tiny run; the other rows are predictions.\n")
print("| ranks | users | items | dim | measured MiB | model MiB | ratio |")
print("|---|---|---|---|---|---|---|")
for r in mem:
    meas = float(r["maxrss_kb"]) * 1024
    pred = mem_rank(base=BASE, **m_args(r))
    print(f"| {r['ranks']} | {r['users']} | {r['items']} | {r['dim']} | {meas/2**20:.0f} | {pred/2**20:.0f} | {meas/pred:.2f} |")

# --- projection to a cluster (assumptions stated in docs/scaling.md) ---
C = 64                 # ranks (cores) per node
R_NODE_CORE = F * 95e9   # projected cores: the 95 GFLOP/s sgemm of ../shared/TOOLCHAIN.md times F
NODE_MEM = 256e9       # bytes per node
BUDGET = 0.8 * NODE_MEM / C
ALPHA, B_NODE = 2e-6, 12.5e9     # InfiniBand HDR: latency per message, bytes/s per node
B_FS = 100e9                     # parallel file system, aggregate bytes/s
D, NNZ_P, KP, NKP, COLSP = 64, 50, 100, 2, 40

def project(N, U, I, shards=1):
    P = N * C
    Pu = P // shards
    Is = I / shards
    t_score = 2 * U * I * D / (P * R_NODE_CORE)
    item_bytes = Is * D * 4
    # the row pointers are read twice in slices (checked in even slices, then each range's own)
    t_read = (max(I * D * 4 / B_FS, C * item_bytes / B_NODE)
              + U * (4 * D + 12 * NNZ_P + 32) / min(B_FS, N * B_NODE))
    m = I * (8 * NKP + 16)
    t_red = (2 * math.log2(N) * ALPHA + 2 * (N - 1) / N * m / B_NODE) if N > 1 else m / 10e9
    if shards > 1:   # per block, the rows' top-k keys merged across the shards (--item-shards)
        t_red += 2 * (U / Pu) * KP * 8 / B_NODE * math.log2(shards)
    t_write = U * KP * 8 / min(B_FS, N * B_NODE)
    # a rank holds its item shard, the row pointers at every 256th user, exposure counts over
    # all items, its users' data (with their row pointers)
    mem = (BASE + item_bytes + U / 16 + I * (8 * NKP + 16)
           + (U / Pu) * (16 + 4 * D + 8 * KP + 8 * COLSP + 12 * NNZ_P) + 2 * 2**20)
    return t_score, t_read, t_red, t_write, mem

print(f"\n## Projection: {C} ranks per node, d = {D}, k = {KP}, {NNZ_P} train items per user\n")
print(f"Scoring at F x 95 GFLOP/s = {R_NODE_CORE/1e9:.1f} GFLOP/s per core.\n")
print(f"Budget {BUDGET/1e9:.1f} GB per rank (80% of {NODE_MEM/1e9:.0f} GB over {C} ranks).\n")
print("| users | items | nodes | score s | read s | reduce s | write s | total s | GB per rank | item shards needed |")
print("|---|---|---|---|---|---|---|---|---|---|")
for U in (10**6, 10**8):
    for I in (50_000, 10**6, 10**7):
        with open(f"{WORK}/proj_u{U}_i{I}.dat", "w") as f:
            f.write("# nodes total_s score_s read_s reduce_s write_s mem_gb shards\n")
            for N in (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024):
                # the fewest item shards (powers of 2, at most the ranks of a node) that fit the budget
                fits = [(sh, project(N, U, I, sh)) for sh in (1, 2, 4, 8, 16, 32, 64)]
                fits = [x for x in fits if x[1][4] <= BUDGET]
                shards, (ts, tr, tx, tw, mem) = fits[0] if fits else (0, project(N, U, I))
                tot = ts + tr + tx + tw
                f.write(f"{N} {tot if shards else float('nan'):.6g} {ts:.6g} {tr:.6g} {tx:.6g} {tw:.6g} {mem/1e9:.4g} {shards}\n")
                if N in (1, 8, 64, 1024):
                    need = "-" if shards == 1 else (str(shards) if shards else "does not fit")
                    print(f"| {U:.0e} | {I:.0e} | {N} | {ts:.3g} | {tr:.3g} | {tx:.3g} | {tw:.3g} | {tot:.3g} | "
                          f"{mem/1e9:.2f} | {need} |")
