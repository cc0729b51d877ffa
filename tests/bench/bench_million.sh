#!/usr/bin/env bash
# The million-user run end to end against its floor, in one session:
# 1,000,000 users x 50,000 items x 64 dims, k = 10, the default metric set,
# 2 ranks. REPS rounds of [floor, receval eval], medians. Reports the job's
# wall time (mpirun start to exit: MPI start-up, read, validation, checksum,
# scoring, reductions, results.h5 and reports), the in-job total and phases,
# the peak RSS of the largest rank, and what bounds it.
# Usage: bench_million.sh RECEVAL FLOOR [WORKDIR] [REPS]
# Env: USERS ITEMS DIM K RANKS (defaults 1000000 50000 64 10 2)
set -euo pipefail
RECEVAL=$1 FLOOR=$2 WORK=${3:-/tmp/receval-bench} REPS=${4:-3}
USERS=${USERS:-1000000} ITEMS=${ITEMS:-50000} DIM=${DIM:-64} K=${K:-10} RANKS=${RANKS:-2}
PY=${RV_PYTHON3:-/usr/bin/python3}
mkdir -p "$WORK" && cd "$WORK"
DATA=million_${USERS}_${ITEMS}_${DIM}.h5
[ -f "$DATA" ] || mpirun -np "$RANKS" "$RECEVAL" gen "$DATA" --users "$USERS" --items "$ITEMS" --dim "$DIM" --seed 1 >/dev/null
med() { "$PY" -c "import statistics,sys;print(statistics.median(map(float,sys.argv[1:])))" "$@"; }
F="" W="" T="" R="" P=""
for _ in $(seq "$REPS"); do
  line=$(mpirun -np "$RANKS" "$FLOOR" "$DATA" 1)
  F+="$(sed 's/.*tiled=\([0-9.]*\).*/\1/' <<<"$line") "
  t0=$(date +%s.%N)
  mpirun -np "$RANKS" /usr/bin/time -f "rv_rss_kb %M" "$RECEVAL" eval "$DATA" --out out_million --k "$K" 2> rss.log >/dev/null
  t1=$(date +%s.%N)
  W+="$("$PY" -c "print($t1 - $t0)") "
  R+="$(awk '/rv_rss_kb/ {if ($2 > m) m = $2} END {print m / 1024}' rss.log) "
  T+="$("$PY" -c "import json;print(json.load(open('out_million/report.json'))['timings_seconds']['total'])") "
  P="$("$PY" -c "import json;t=json.load(open('out_million/report.json'))['timings_seconds'];print(', '.join('%s %.2f'%(k,v) for k,v in t.items()))")"
done
f=$(med $F) w=$(med $W) t=$(med $T) r=$(med $R)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $USERS x $ITEMS x $DIM, k=$K, default metrics, $RANKS ranks, medians of $REPS"
echo "| floor s | job wall s | in-job total s | wall/floor | total/floor | peak RSS MB (largest rank) |"
echo "|---|---|---|---|---|---|"
"$PY" -c "print('| %.2f | %.2f | %.2f | %.2f | %.2f | %.0f |' % ($f, $w, $t, $w/$f, $t/$f, $r))"
echo "last run's phases (s): $P"
# What the peak is made of (per rank): the user slice and the item matrix.
"$PY" - "$USERS" "$ITEMS" "$DIM" "$K" "$RANKS" <<'PYEOF'
import sys
u, i, d, k, p = map(int, sys.argv[1:])
us = u / p
print("bound per rank (MB): items %.0f + user vectors %.0f + top-k %.0f + metric values %.0f (x columns) "
      "+ row pointers %.0f + 2 MiB tile"
      % (i * d * 4 / 2**20, us * d * 4 / 2**20, us * k * 8 / 2**20, us * 8 / 2**20, 2 * 8 * u / 2**20))
PYEOF
