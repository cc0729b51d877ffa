#!/usr/bin/env bash
# receval against the hardware floor and against Faiss, in one run, on the
# same synthetic data. For each dimension: generate the dataset once; then,
# for each rank count and k, REPS rounds of [floor, receval eval, faiss],
# interleaved so that a disturbance hits all three alike. Prints a markdown
# table of medians and the ratios to the floor measured in this run.
#   floor    bare sgemm over the same 256-user x 2048-item blocks (floor.c)
#   score    receval's scoring phase: sgemm + masking of seen items + fused
#            top-k + per-user precision/recall/NDCG (report timings "score")
#   total    receval end to end inside the job: read, validate, score,
#            reduce, write (report timings "total")
#   faiss    Faiss IndexFlatIP search alone (no seen-item filtering, no
#            metrics), as many threads as ranks
#   cpu      score/floor in CPU seconds (scoring phase vs the tiled sgemm loop,
#            slowest rank each): less disturbed by other load than wall times
#   rss      receval's peak resident memory, largest rank (MB)
#   old      optional: another receval build (RECEVAL_OLD) in the same rounds,
#            to measure what a change bought
# Usage: bench_floor.sh RECEVAL FLOOR [WORKDIR] [REPS]
# Env: USERS ITEMS DIMS KS RANKS_LIST (defaults 100000 50000 "64 128 384" "10 100" "1 2"),
#      RECEVAL_OLD, SHARDS (e.g. "1 2": item-shard runs at 2 ranks, last dimension, first k)
set -euo pipefail
RECEVAL=$1 FLOOR=$2 WORK=${3:-/tmp/receval-bench} REPS=${4:-3}
USERS=${USERS:-100000} ITEMS=${ITEMS:-50000} DIMS=${DIMS:-"64 128 384"} KS=${KS:-"10 100"}
RANKS_LIST=${RANKS_LIST:-"1 2"}
PY=${RV_PYTHON3:-/usr/bin/python3}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HAVE_FAISS=1
"$PY" -c "import faiss" 2>/dev/null || HAVE_FAISS=0
mkdir -p "$WORK" && cd "$WORK"
med() { "$PY" -c "import statistics,sys;print(statistics.median(map(float,sys.argv[1:])))" "$@"; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $USERS users x $ITEMS items; cosine; metrics precision,recall,ndcg; medians of $REPS"
echo "receval: $("$RECEVAL" version)"
echo
OLD=${RECEVAL_OLD:-}
SHARDS=${SHARDS:-}
# receval eval with peak RSS per rank; prints "score total rss_mb"
receval_run() { # BIN NP K [ARGS...]
  local bin=$1 np=$2 k=$3; shift 3
  mpirun -np "$np" /usr/bin/time -f "rv_rss_kb %M" "$bin" eval "$DATA" --out out_floor --k "$k" \
    --metrics precision,recall,ndcg "$@" 2> rss.log >/dev/null
  local rss; rss=$(awk '/rv_rss_kb/ {if ($2 > m) m = $2} END {print m / 1024}' rss.log)
  "$PY" -c "import json;t=json.load(open('out_floor/report.json'))['timings_seconds'];print(t['score'],t['total'],$rss,t.get('score_cpu','nan'))"
}
echo "| d | k | ranks | floor s | receval score s | receval total s | faiss s | score/floor | total/floor | faiss/floor | cpu score/floor | rss MB/rank |${OLD:+ old score s | old/floor |}"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|${OLD:+---|---|}"
for d in $DIMS; do
  DATA=floor_${USERS}_${ITEMS}_${d}.h5
  [ -f "$DATA" ] || mpirun -np 2 "$RECEVAL" gen "$DATA" --users "$USERS" --items "$ITEMS" --dim "$d" --seed 1 >/dev/null
  for np in $RANKS_LIST; do
    for k in $KS; do
      F="" FC="" S="" SC="" T="" X="" R="" O=""
      for _ in $(seq "$REPS"); do
        line=$(mpirun -np "$np" "$FLOOR" "$DATA" 1)
        F+="$(sed 's/.*tiled=\([0-9.]*\).*/\1/' <<<"$line") " FC+="$(sed 's/.*tiled_cpu=\([0-9.]*\).*/\1/' <<<"$line") "
        read -r sc to rss cpu < <(receval_run "$RECEVAL" "$np" "$k")
        S+="$sc " T+="$to " R+="$rss " SC+="$cpu "
        if [ -n "$OLD" ]; then read -r sc to rss cpu < <(receval_run "$OLD" "$np" "$k"); O+="$sc "; fi
        if [ $HAVE_FAISS = 1 ]; then
          X+="$("$PY" "$HERE/faiss_search.py" "$DATA" "$k" "$np" 1 | awk '{print $2}') "
        fi
      done
      f=$(med $F) s=$(med $S) t=$(med $T) r=$(med $R) fc=$(med $FC) sc=$(med $SC) x=nan o=nan
      [ $HAVE_FAISS = 1 ] && x=$(med $X)
      [ -n "$OLD" ] && o=$(med $O)
      "$PY" -c "
f,s,t,x,r,o,fc,sc=$f,$s,$t,float('$x'),$r,float('$o'),$fc,$sc
row='| $d | $k | $np | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f |'%(f,s,t,x,s/f,t/f,x/f,sc/fc,r)
if '$OLD': row+=' %.2f | %.2f |'%(o,o/f)
print(row)"
    done
  done
done
# Item sharding: a catalogue-heavy dataset (SHARD_USERS x SHARD_ITEMS x the
# last dimension) on grids 1 x P_i, P_i ranks: the item matrix per rank, the
# part that does not fit one node, falls with P_i; results are identical
# (tests/e2e/sharding.sh). Ranks beyond the cores share them: times are for
# the record, the memory column is the point.
if [ -n "$SHARDS" ]; then
  set -- $KS
  SU=${SHARD_USERS:-5000} SI=${SHARD_ITEMS:-1000000}
  DATA=shards_${SU}_${SI}_${d}.h5
  [ -f "$DATA" ] || mpirun -np 2 "$RECEVAL" gen "$DATA" --users "$SU" --items "$SI" --dim "$d" --seed 1 >/dev/null
  echo
  echo "$SU users x $SI items x $d dims (item matrix $("$PY" -c "print(round($SI*$d*4/2**20))") MB), k=$1"
  echo
  echo "| grid | ranks | item shards | receval score s | receval total s | rss MB/rank |"
  echo "|---|---|---|---|---|---|"
  for pi in $SHARDS; do
    S="" T="" R=""
    for _ in $(seq "$REPS"); do
      read -r sc to rss cpu < <(receval_run "$RECEVAL" "$pi" "$1" --item-shards "$pi")
      S+="$sc " T+="$to " R+="$rss "
    done
    "$PY" -c "print('| 1x$pi | $pi | $pi | %.2f | %.2f | %.0f |' % ($(med $S), $(med $T), $(med $R)))"
  done
fi
