#!/usr/bin/env bash
# Cost of the metric suite: receval eval with only precision@k against the
# default set, against `--metrics all`, and against precision plus each of
# the two metrics that look at every score (auc, mi_score_relevance), on the
# same synthetic data, in one run, interleaved, medians of N repetitions.
# Prints a markdown table of the scoring-phase and total times, the part of
# the scoring phase spent measuring lists (`measure`), and the ratios to
# precision-only.
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
NAMES="precision +auc +mi_score_relevance default all"
declare -A SETS=([precision]=precision [+auc]=precision,auc [+mi_score_relevance]=precision,mi_score_relevance
                 [default]="$DEFAULT" [all]=all)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); ranks $RANKS; $USERS users x $ITEMS items x $DIM dims; medians of $REPS"
echo
echo "| k | metrics | score s | measure s | total s | score / precision-only | total / precision-only |"
echo "|---|---|---|---|---|---|---|"
med() { "$PY" -c "import statistics,sys;print(statistics.median(map(float,sys.argv[1:])))" $1; }
for k in $KS; do
  declare -A S M T
  for name in $NAMES; do S[$name]=""; M[$name]=""; T[$name]=""; done
  for r in $(seq "$REPS"); do
    for name in $NAMES; do
      out="out_${name#+}"
      mpirun -np "$RANKS" "$RECEVAL" eval "$DATA" --out "$out" --k "$k" --metrics "${SETS[$name]}" >/dev/null </dev/null
      read -r sc me to < <("$PY" -c "import json;t=json.load(open('$out/report.json'))['timings_seconds'];print(t['score'],t['measure'],t['total'])")
      S[$name]+="$sc "; M[$name]+="$me "; T[$name]+="$to "
    done
  done
  ps=$(med "${S[precision]}") pt=$(med "${T[precision]}")
  for name in $NAMES; do
    s=$(med "${S[$name]}") m=$(med "${M[$name]}") t=$(med "${T[$name]}")
    "$PY" -c "print('| $k | $name | %.2f | %.2f | %.2f | %.2f | %.2f |' % ($s, $m, $t, $s/$ps, $t/$pt))"
  done
done
