#!/usr/bin/env bash
# Training throughput: item-weight interactions (train positives) per second and
# the share of the run spent in the per-step Allreduce, at 1 and 2 ranks; the
# bilinear fit's time. Medians of RUNS runs. Not run by ctest.
# Usage: bench_train.sh RECEVAL WORKDIR [RUNS] [USERS] [ITEMS] [DIM]
set -eu
RECEVAL=$1 WORK=$2 RUNS=${3:-3} U=${4:-20000} N=${5:-5000} D=${6:-64}
MPIRUN=${RV_MPIEXEC:-mpirun}
mkdir -p "$WORK" && cd "$WORK"
[ -f "b_$U.$N.$D.h5" ] || "$MPIRUN" -np 2 "$RECEVAL" gen "b_$U.$N.$D.h5" --users "$U" --items "$N" --dim "$D" --seed 1 > /dev/null
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "dataset: $U users x $N items x $D dims; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| ranks | interactions/s | pairs/s | reductions % of wall | item-weight wall s | compute CPU s (busiest rank) | bilinear wall s |"
echo "|---|---|---|---|---|---|---|"
for np in 1 2; do
  : > ips; : > pps; : > red; : > sec; : > bsec; : > cpu
  for r in $(seq "$RUNS"); do
    "$MPIRUN" -np $np "$RECEVAL" train "b_$U.$N.$D.h5" --out "t$np" --model item-weight --loss bce \
      --epochs 2 --patience 0 | grep "item-weight," > line
    sed -n 's/.* \([0-9.]*\) interactions\/s.*/\1/p' line >> ips
    sed -n 's/.*(\([0-9.]*\) pairs\/s.*/\1/p' line >> pps
    sed -n 's/.*reductions \([0-9.]*\)%.*/\1/p' line >> red
    sed -n 's/.* ranks, \([0-9.]*\) s;.*/\1/p' line >> sec
    sed -n 's/.*reductions) \([0-9.]*\) s on.*/\1/p' line >> cpu
    "$MPIRUN" -np $np "$RECEVAL" train "b_$U.$N.$D.h5" --out "b$np" --model bilinear | grep "bilinear, d" > bline
    sed -n 's/.*, \([0-9.]*\) s (reduction.*/\1/p' bline >> bsec
  done
  echo "| $np | $(median < ips) | $(median < pps) | $(median < red) | $(median < sec) | $(median < cpu) | $(median < bsec) |"
done
