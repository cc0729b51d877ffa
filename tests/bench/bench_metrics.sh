#!/usr/bin/env bash
# Cost of the metric suite: receval eval with only precision@k against the
# default set and against `--metrics all`, on the same synthetic data, in one
# run, interleaved, medians of N repetitions. Prints a markdown table of the
# scoring-phase and total times and their ratios to precision-only.
# Usage: bench_metrics.sh RECEVAL [WORKDIR] [REPS]
# Env: USERS ITEMS DIM KS RANKS (defaults 100000 20000 64 "10 100" 2).
set -euo pipefail
RECEVAL=$1 WORK=${2:-/tmp/receval-bench} REPS=${3:-3}
USERS=${USERS:-100000} ITEMS=${ITEMS:-20000} DIM=${DIM:-64} KS=${KS:-"10 100"} RANKS=${RANKS:-2}
PY=${RV_PYTHON3:-/usr/bin/python3}
mkdir -p "$WORK" && cd "$WORK"
DATA=bench_${USERS}_${ITEMS}_${DIM}.h5
[ -f "$DATA" ] || mpirun -np "$RANKS" "$RECEVAL" gen "$DATA" --users "$USERS" --items "$ITEMS" --dim "$DIM" --seed 1 --categories 20 >/dev/null
DEFAULT=$("$RECEVAL" eval --help | sed -n 's/.*--metrics LIST .*\[default: \(.*\)\]/\1/p')
declare -A SETS=([precision]=precision [default]="$DEFAULT" [all]=all)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); ranks $RANKS; $USERS users x $ITEMS items x $DIM dims; medians of $REPS"
echo
echo "| k | metrics | score s | total s | score / precision-only | total / precision-only |"
echo "|---|---|---|---|---|---|"
for k in $KS; do
  declare -A S T
  for name in precision default all; do S[$name]=""; T[$name]=""; done
  for r in $(seq "$REPS"); do
    for name in precision default all; do
      mpirun -np "$RANKS" "$RECEVAL" eval "$DATA" --out "out_$name" --k "$k" --metrics "${SETS[$name]}" >/dev/null
      read -r sc to < <("$PY" -c "import json;t=json.load(open('out_$name/report.json'))['timings_seconds'];print(t['score'],t['total'])")
      S[$name]+="$sc "; T[$name]+="$to "
    done
  done
  med() { "$PY" -c "import statistics,sys;print(statistics.median(map(float,sys.argv[1:])))" $1; }
  ps=$(med "${S[precision]}") pt=$(med "${T[precision]}")
  for name in precision default all; do
    s=$(med "${S[$name]}") t=$(med "${T[$name]}")
    "$PY" -c "print('| $k | $name | %.2f | %.2f | %.2f | %.2f |' % ($s, $t, $s/$ps, $t/$pt))"
  done
done
