#!/usr/bin/env bash
# Outputs, end to end at 3 ranks (docs/robustness.md, "Writing outputs"):
#  - a write that MPI-IO loses: RECEVAL_TEST_WRITE_FAULT makes one rank's
#    rows of one dataset silently not reach results.h5 (what Open MPI 4.1's
#    collective writes do on ENOSPC), or fail on that rank alone; and a real
#    full disk, a tiny tmpfs (root only) too small for results.h5: exit 4,
#    one line naming results.h5 and the dataset, no report, no *.tmp;
#    gen's arrays the same way (no OUT.h5 left);
#  - inputs inside --out under an output's name (runs on eval's own
#    results.h5, a dataset copied or hard-linked to an output's name, a
#    symbolic link, train on DIR/model.h5, prepare onto its source,
#    compare --json onto a compared report): exit 2, the input unchanged
#    byte for byte, the directory's earlier outputs untouched;
#  - two jobs on one --out: the second exits 2 naming the directory and the
#    holder (pid, host) while the first runs; the first finishes with its
#    outputs complete and equal to a run alone; a lock file left by a killed
#    job (and one written by hand) is taken over.
# Usage: outputs.sh RECEVAL WORKDIR   (env: RV_PYTHON3, RV_MPIEXEC)
set -u
RECEVAL=$1 WORK=$2
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
export OMPI_MCA_odls_base_sigkill_timeout=${OMPI_MCA_odls_base_sigkill_timeout:-0}
TMO=${TMO:-60}
case $RECEVAL in /*) ;; *) RECEVAL=$PWD/$RECEVAL ;; esac
rm -rf "$WORK" && mkdir -p "$WORK/log" && cd "$WORK" || exit 1
npass=0 nfail=0
pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }
sums() { sha256sum "$@" 2>/dev/null; }

# failed NAME CODE FRAGS GONE KEEP -- ARGS...: receval ARGS at 3 ranks exits
# CODE with one error line holding every '|'-separated fragment; none of the
# space-separated paths GONE exists afterwards; every file of KEEP has the
# bytes it had before.
failed() {
  local name=$1 code=$2 frags=$3 gone=$4 keep=$5 why line f before; shift 6
  before=$(sums $keep)
  run_logged 3 "log/$name" "$@"
  line=$(grep -m1 '^receval: error: ' "log/$name.err")
  why=$(error_verdict "log/$name" "$code" "$frags")
  if [ -z "$why" ] && [ "$(sums $keep)" != "$before" ]; then why="an input or earlier output changed"; fi
  for f in $gone; do [ -z "$why" ] && [ -e "$f" ] && why="left behind: $f"; done
  if [ -z "$why" ]; then pass "$name  ${line#receval: error: }"; else fail "$name" "$why; stderr: $(head -c 400 "log/$name.err")"; fi
}
outs() { echo "$1/report.json $1/report.pb $1/results.h5 $1/results.h5.tmp $1/report.pb.tmp $1/report.json.tmp"; }

run_logged 2 log/gen gen d.h5 --users 20000 --items 2000 --dim 16 --seed 1
[ "$RC" = 0 ] || { echo "FAIL setup: gen rc=$RC"; exit 1; }
run_logged 3 log/ref eval d.h5 --out ref --k 10,20
[ "$RC" = 0 ] || { echo "FAIL setup: eval rc=$RC"; exit 1; }

# ---- 1. writes that do not reach the file ----
export RECEVAL_TEST_WRITE_FAULT
for f in "1:/per_user/ndcg@10:lost" "2:/topk/items:lost" "0:/exposure/count:lost" "2:/topk/scores:error"; do
  RECEVAL_TEST_WRITE_FAULT=$f
  ds=${f#*:}; ds=${ds%:*}
  rm -rf w && cp -r ref w # an earlier run's complete outputs: gone after the failure too
  failed "write_${f//[:\/@]/_}" 4 "w/results.h5|$ds" "$(outs w)" "d.h5" -- eval d.h5 --out w --k 10,20
done
RECEVAL_TEST_WRITE_FAULT="1:/train/indices:lost"
failed gen_write_lost 4 "g.h5|/train/indices|lost" "g.h5 g.h5.tmp" "" -- gen g.h5 --users 3000 --items 500 --dim 8
unset RECEVAL_TEST_WRITE_FAULT

# A real full disk at 3 ranks: results.h5 does not fit (about 4.5 MB).
if [ "$(id -u)" = 0 ] && mkdir -p tiny && mount -t tmpfs -o size=2m tmpfs tiny 2>/dev/null; then
  failed tmpfs_full 4 "tiny/o/results.h5|/" "$(outs tiny/o)" "d.h5" -- eval d.h5 --out tiny/o --k 10,20
  umount tiny
  mount -t tmpfs -o size=600k tmpfs tiny
  failed tmpfs_gen 4 "tiny/g.h5" "tiny/g.h5 tiny/g.h5.tmp" "" -- gen tiny/g.h5 --users 20000 --items 2000 --dim 16
  umount tiny
else
  echo "INFO tmpfs: not root or mount refused; the injected faults above still ran"
fi

# ---- 2. inputs inside --out under an output's name ----
rm -rf o && cp -r ref o
failed runs_own_results 2 "o/results.h5|an input of this job" "" "o/results.h5 o/report.json o/report.pb" -- \
  runs d.h5 o/results.h5 --out o --k 10
cp d.h5 o/results.h5.tmp
failed eval_dataset_tmp_name 2 "o/results.h5.tmp" "" "o/results.h5.tmp o/report.json o/report.pb o/results.h5" -- \
  eval o/results.h5.tmp --out o --k 10
rm -f o/results.h5.tmp
rm -rf h && mkdir h && ln d.h5 h/report.pb
failed eval_hard_link 2 "d.h5|h/report.pb" "" "d.h5" -- eval d.h5 --out h --k 10
rm -rf s && mkdir s && ln -s ../d.h5 s/report.json
failed eval_symlink 2 "s/report.json" "" "d.h5" -- eval s/report.json --out s --k 10
rm -rf t && mkdir t && cp d.h5 t/model.h5
failed train_model_name 2 "t/model.h5" "" "t/model.h5" -- train t/model.h5 --out t --model item-weight --epochs 1
"$PY" -c "
import h5py, numpy as np
with h5py.File('d.h5') as f:
    p, ix = f['/train/indptr'][:201], f['/train/indices'][:]
with open('inter.csv', 'w') as o:
    o.write('user,item\n')
    for u in range(200):
        for i in ix[p[u]:p[u + 1]]: o.write(f'u{u},i{i}\n')
"
failed prepare_onto_source 2 "inter.csv" "" "inter.csv" -- prepare csv inter.csv inter.csv
cp -r ref o2
failed compare_json_onto_input 2 "ref/report.json" "" "ref/report.json" -- compare ref o2 --json ref/report.json
# Not an output of eval: a model directory used as --out keeps its model.h5.
run_logged 3 log/train train d.h5 --out m --model item-weight --epochs 1
before=$(sums m/model.h5)
run_logged 3 log/eval_in_model_dir eval d.h5 --out m --k 10 --model m
if [ "$RC" = 0 ] && [ "$(sums m/model.h5)" = "$before" ] && [ -s m/report.json ]; then pass eval_into_model_dir
else fail eval_into_model_dir "rc=$RC"; fi

# ---- 3. two jobs on one --out ----
run_logged 2 log/genbig gen big.h5 --users 60000 --items 30000 --dim 32 --seed 2
run_logged 3 log/big_alone eval big.h5 --out alone --k 10
"$MPIRUN" -np 3 --timeout "$TMO" "$RECEVAL" eval big.h5 --out c --k 10 --progress < /dev/null > log/first.out 2> log/first.err &
first=$!
t0=$SECONDS
until grep -q 'scoring' log/first.err 2>/dev/null || ! kill -0 $first 2>/dev/null || [ $((SECONDS - t0)) -gt 60 ]; do sleep 0.05; done
failed second_job 2 "c|in use by another receval job|pid |host " "" "" -- eval big.h5 --out c --k 10
still=$(kill -0 $first 2>/dev/null && echo yes)
wait $first; rc1=$?
if [ "$still" != yes ]; then echo "INFO second_job: the first job had ended before the second was refused (a slow machine?)"; fi
if [ "$rc1" = 0 ] && [ ! -e c/.receval.lock ] && "$PY" "$HERE/py/compare_runs.py" alone c > log/first_cmp 2>&1; then
  pass first_job_intact
else fail first_job_intact "rc=$rc1; $(ls -A c | tr '\n' ' '); $(tail -3 log/first_cmp 2>/dev/null)"; fi

# A lock file whose holder died (SIGKILL of the whole job: nothing unlinks it).
"$MPIRUN" -np 3 --timeout "$TMO" "$RECEVAL" eval big.h5 --out k --k 10 --progress < /dev/null > log/killed.out 2> log/killed.err &
victim=$!
t0=$SECONDS
until grep -q 'scoring' log/killed.err 2>/dev/null || ! kill -0 $victim 2>/dev/null || [ $((SECONDS - t0)) -gt 60 ]; do sleep 0.05; done
pkill -KILL -f "receval eval big.h5 --out k " ; wait $victim 2>/dev/null
if [ -e k/.receval.lock ]; then
  run_logged 3 log/after_kill eval d.h5 --out k --k 10
  if [ "$RC" = 0 ] && [ -s k/report.json ] && [ ! -e k/.receval.lock ]; then pass stale_lock_after_kill
  else fail stale_lock_after_kill "rc=$RC $(head -c 300 log/after_kill.err)"; fi
else fail stale_lock_after_kill "the killed job left no lock file to take over"; fi
mkdir -p hand && echo "pid 999999 on host elsewhere, receval eval" > hand/.receval.lock
run_logged 3 log/hand eval d.h5 --out hand --k 10
if [ "$RC" = 0 ] && [ ! -e hand/.receval.lock ]; then pass stale_lock_by_hand; else fail stale_lock_by_hand "rc=$RC"; fi

echo "outputs: $npass passed, $nfail failed"
[ "$nfail" = 0 ]
