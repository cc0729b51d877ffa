#!/usr/bin/env bash
# Data and plots of docs/scaling.md, on this machine (about 2 minutes, 2 cores):
#  1. strong and weak scaling at 1 and 2 ranks, medians of 3: jobs/scaling.sbatch
#     run with mpirun (RV_LAUNCH=mpirun), outside Slurm;
#  2. max RSS per rank of eval at three shapes (items-heavy, users-heavy, mixed);
#  3. tests/bench/scaling_model.py: the model checked against 1 and 2, and its
#     projection; 4. PNG plots with gnuplot (apt-get install gnuplot-nox) if present.
# Usage: scaling_docs.sh RECEVAL [WORKDIR] [PLOTDIR]
# Env: USERS ITEMS DIM REPS for step 1 (defaults 40000 20000 64 3).
set -euo pipefail
RECEVAL=$(realpath "$1") WORK=${2:-/tmp/receval-scaling} HERE=$(cd "$(dirname "$0")" && pwd)
PLOTS=$(realpath -m "${3:-$HERE/../../docs/img}")
PY=${RV_PYTHON3:-/usr/bin/python3}
export OPENBLAS_NUM_THREADS=1 OMPI_MCA_rmaps_base_oversubscribe=1
[ "$(id -u)" != 0 ] || export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p "$WORK" && cd "$WORK"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)" | tee machine.txt

# 0. the bare sgemm rate of one thread at receval's panel shape (256 users x d x 2048
#    items) per CPU second (a busy machine does not inflate CPU time), best of 5,
#    through numpy on the same OpenBLAS: the model's yardstick
OPENBLAS_NUM_THREADS=1 "$PY" - "${DIM:-64}" > sgemm.txt <<'PYEOF'
import sys, time
import numpy as np
d = int(sys.argv[1])
rng = np.random.default_rng(1)
a = rng.standard_normal((256, d), dtype=np.float32)
b = rng.standard_normal((d, 2048), dtype=np.float32)
reps, best = 200, float("inf")
for _ in range(5):
    t = time.process_time()
    for _ in range(reps):
        a @ b
    best = min(best, (time.process_time() - t) / reps)
print(2 * 256 * d * 2048 / best)
PYEOF
echo "sgemm (one thread, 256 x ${DIM:-64} x 2048, best of 5): $(cat sgemm.txt) flop per CPU second"

# 1. scaling runs
RECEVAL=$RECEVAL RV_LAUNCH=mpirun bash "$HERE/../../jobs/scaling.sbatch" meas \
  --users "${USERS:-40000}" --items "${ITEMS:-20000}" --dim "${DIM:-64}" --ranks 1,2 --reps "${REPS:-3}" --k 10
cat meas/scaling.md
# ... and the fixed cost of a run (MPI start, libraries, opening files): a tiny dataset
RECEVAL=$RECEVAL RV_LAUNCH=mpirun bash "$HERE/../../jobs/scaling.sbatch" tiny \
  --users 256 --items 100 --dim "${DIM:-64}" --ranks 1,2 --reps "${REPS:-3}" --k 10 --modes strong

# 2. memory per rank
printf 'ranks\tusers\titems\tdim\tk\tcols\tnnz_per_user\tmaxrss_kb\n' > mem.tsv
for shape in "2000 100" "10000 160000" "400000 1000" "40000 20000"; do
  read -r u i <<<"$shape"
  data=mem_u${u}_i$i.h5
  [ -f "$data" ] || mpirun -np 2 "$RECEVAL" gen "$data" --users "$u" --items "$i" --dim 64 --seed 1 >/dev/null
  for np in 1 2; do
    rm -rf memout rss.*
    mpirun -np $np sh -c "exec /usr/bin/time -f %M -o rss.\$OMPI_COMM_WORLD_RANK '$RECEVAL' eval '$data' --out memout --k 10 --metrics precision,ndcg" >/dev/null
    "$PY" - "$np" "$u" "$i" >> mem.tsv <<'PYEOF'
import glob, json, sys
rep = json.load(open("memout/report.json"))
rss = max(int(open(f).read().split()[-1]) for f in glob.glob("rss.*"))
ds = rep["dataset"]
print("\t".join(map(str, [sys.argv[1], ds["n_users"], ds["n_items"], ds["dim"], ",".join(map(str, rep["job"]["k"])),
                          len(rep["metrics"]), ds["train_nnz"] / ds["n_users"], rss])))
PYEOF
  done
done
cat mem.tsv

# 3. model
"$PY" "$HERE/scaling_model.py" "$WORK" | tee model.md

# 4. plots
if command -v gnuplot >/dev/null; then
  mkdir -p "$PLOTS"
  gnuplot -e "work='$WORK'; out='$PLOTS'" "$HERE/scaling.gp"
  echo "plots: $PLOTS/scaling_*.png"
else
  echo "gnuplot not found (apt-get install gnuplot-nox): no plots"
fi
