#!/usr/bin/env bash
# Numerical range and the messages around it, end to end at 3 ranks:
# - finite embeddings whose scores overflow float32 (dot, euclidean) end with
#   exit 1, one "receval: error:" line naming the similarity and the norms
#   ("numerical range exceeded"), no outputs left; for eval, eval --model and
#   train. Large norms whose actual scores fit (the bound alone would refuse
#   them) still evaluate, with the scores numpy computes; cosine of
#   components ~1e30 gives exactly the metrics of the unscaled file.
# - `--metrics all,ndcg`: 'all' stands alone (exit 2, one line).
# - `compare` of runs without a user valued in both: says so (exit 3).
# - SIGTERM and SIGINT to the mpirun of a running 3-rank eval: the job ends
#   within a few seconds, no rank left, exit 1 (Open MPI's mpirun), no outputs.
#
# Usage: numerics.sh RECEVAL WORKDIR   (env: RV_PYTHON3, RV_MPIEXEC)
set -u
RECEVAL=$1 WORK=$2
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT:-1}
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:-1}
export OMPI_MCA_rmaps_base_oversubscribe=${OMPI_MCA_rmaps_base_oversubscribe:-1}
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
export OMPI_MCA_odls_base_sigkill_timeout=${OMPI_MCA_odls_base_sigkill_timeout:-0} # see errors.sh
unset RECEVAL_TRACE
case $RECEVAL in /*) ;; *) RECEVAL=$PWD/$RECEVAL ;; esac
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
TMO=60
npass=0
ok() { echo "PASS $1"; npass=$((npass + 1)); }
bad() { echo "FAIL $1: $2"; fails=$((fails + 1)); }
r3() { timeout -k 5 $((TMO + 30)) "$MPIRUN" -np 3 --timeout "$TMO" "$RECEVAL" "$@" < /dev/null; }
outputs() { (cd "$1" 2>/dev/null && ls -A | grep -E '^(report\.json|report\.pb|results\.h5|model\.h5)$|\.tmp$' | tr '\n' ' '); }

# fails_with NAME CODE FRAGS OUT -- ARGS...: exit CODE, exactly one error
# line holding every '|'-separated fragment, nothing left in OUT.
fails_with() {
  local name=$1 code=$2 frags=$3 out=$4 rc n line f left parts=()
  shift 5
  r3 "$@" > "$name.out" 2> "$name.err"
  rc=$?
  n=$(grep -c '^receval: error: ' "$name.err")
  line=$(grep -m1 '^receval: error: ' "$name.err")
  left=$(outputs "$out")
  IFS='|' read -r -a parts <<< "$frags"
  for f in "${parts[@]}"; do [[ "$line" == *"$f"* ]] || { bad "$name" "error line lacks '$f': $line"; return; }; done
  if [ "$rc" != "$code" ]; then bad "$name" "exit $rc, expected $code: $(head -c 300 "$name.err")"
  elif [ "$n" != 1 ]; then bad "$name" "$n error lines, expected 1"
  elif [[ "$line" == "receval: error: [rank "* ]]; then bad "$name" "not agreed (MPI_Abort path)"
  elif [ -n "$left" ]; then bad "$name" "left in $out: $left"
  else ok "$name  [rc=$rc] ${line#receval: error: }"; fi
}

# ---- data: a small valid file and its edge-of-float32 copies ----
check gen run 2 "$RECEVAL" gen base.h5 --users 600 --items 40 --dim 4 --seed 1
read -r BIGU BIGI < <("$PY" "$HERE/py/numerics_make.py" base.h5 d) || { echo "FAIL numerics_make.py"; exit 1; }
echo "# big user $BIGU (rank 1 of 3), big item $BIGI"
NORMS="largest user norm 1.8e+19 (user $BIGU), item norm 1.9e+20 (item $BIGI)"

# ---- scores beyond float32 ----
fails_with dot_overflow 1 "d/dot_over.h5: numerical range exceeded: dot scores up to |u|*|v| = 3.4e+39 > 3.4e+38 (float32)|$NORMS" \
  o1 -- eval d/dot_over.h5 --out o1 --similarity dot --k 5
fails_with euclidean_overflow 1 "d/euc_over.h5: numerical range exceeded: euclidean scores up to (|u|+|v|)^2 = 4e+38|user norm 2e+19 (user $BIGU)" \
  o2 -- eval d/euc_over.h5 --out o2 --similarity euclidean --k 5
fails_with train_dot_overflow 1 "numerical range exceeded: dot|$NORMS" \
  t1 -- train d/dot_over.h5 --out t1 --model item-weight --similarity dot --epochs 1
check train_model r3 train base.h5 --out m1 --model item-weight --similarity dot --epochs 1
fails_with eval_model_overflow 1 "d/dot_over_user.h5: numerical range exceeded: dot|user norm 1e+38 (user $BIGU)" \
  o4 -- eval d/dot_over_user.h5 --out o4 --similarity dot --k 5 --model m1

# Large but safe: evaluates, and the big user's list matches numpy (float64).
for c in dot_safe:dot dot_bounded:dot euc_safe:euclidean; do
  n=${c%%:*} s=${c##*:}
  check "${n}_evaluates" r3 eval "d/$n.h5" --out "o_$n" --similarity "$s" --k 5
  check "${n}_scores" "$PY" - "d/$n.h5" "o_$n/results.h5" "$s" "$BIGU" <<'PYEOF'
import sys
import h5py
import numpy as np
data, res, sim, u = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
with h5py.File(data, "r") as f:
    U = f["/users/embedding"][...].astype(np.float64)
    V = f["/items/embedding"][...].astype(np.float64)
    p, ix = f["/train/indptr"][...], f["/train/indices"][...]
with h5py.File(res, "r") as r:
    items, scores = r["/topk/items"][...], r["/topk/scores"][...]
assert np.all(np.isfinite(scores)), "non-finite scores"
s = U[u] @ V.T if sim == "dot" else -((U[u] - V) ** 2).sum(axis=1)
s[ix[p[u]:p[u + 1]]] = -np.inf
want = s[items[u]]
assert np.allclose(scores[u], want, rtol=1e-5), (scores[u], want)
assert np.all(np.diff(scores[u]) <= 0) and scores[u][0] >= np.max(s) * (1 - 1e-6 * np.sign(np.max(s)))
print("user", u, "scores", scores[u])
PYEOF
done
check cos_huge_evaluates r3 eval d/cos_huge.h5 --out o_cos_huge --k 5 --metrics all
check cos_base_evaluates r3 eval base.h5 --out o_cos_base --k 5 --metrics all
check cos_huge_same_metrics "$PY" "$HERE/py/defined_make.py" same-metrics o_cos_base/report.json o_cos_huge/report.json

# ---- messages ----
fails_with metrics_all_mixed 2 "--metrics: 'all' stands alone|all,ndcg" o5 -- eval base.h5 --out o5 --metrics all,ndcg
"$PY" - base.h5 notest.h5 <<'PYEOF' || bad notest_make "cannot write notest.h5"
import shutil, sys
import h5py
import numpy as np
shutil.copyfile(sys.argv[1], sys.argv[2])
with h5py.File(sys.argv[2], "r+") as f:  # no user has a test item
    U = int(f.attrs["n_users"])
    for k in ("indptr", "indices", "values"):
        del f["/test/" + k]
    f["/test/indptr"] = np.zeros(U + 1, dtype=np.int64)
    f["/test/indices"] = np.zeros(0, dtype=np.int32)
    f["/test/values"] = np.zeros(0, dtype=np.float32)
PYEOF
check notest_a r3 eval notest.h5 --out nt_a --metrics ndcg,precision --k 5
check notest_b r3 eval notest.h5 --out nt_b --metrics ndcg,precision --k 5 --similarity dot
fails_with compare_no_users 3 "no users with values in both runs for ndcg@5|nt_a/results.h5" nt_none -- compare nt_a nt_b
fails_with compare_no_users_one 3 "no users with values in both runs for precision@5" nt_none -- compare nt_a nt_b --metrics precision@5

# ---- SIGTERM / SIGINT to mpirun (not to a rank) of a running eval ----
# MP_PARENT=PID ranks_of: the ranks mpirun started (as faults.sh).
ranks_of() {
  local f line rest
  for f in /proc/[0-9]*/stat; do
    { read -r line < "$f"; } 2>/dev/null || continue
    rest=${line##*) }
    set -- $rest
    [ "$2" = "$MP_PARENT" ] && { f=${f#/proc/}; echo "${f%/stat}"; }
  done
}
# signal_case SIG: an eval of 60,000 x 50,000 (about 6 s at 3 ranks) is
# signalled once its first percentage progress line is out.
signal_case() {
  local sig=$1 out=$WORK/o_sig_$1 log=$WORK/sig_$1.err mp t0 t1 rc pids left p took
  check "sig_${sig}_earlier_run" r3 eval base.h5 --out "$out" --k 5
  "$MPIRUN" -np 3 --timeout 300 "$RECEVAL" eval big.h5 --out "$out" --progress < /dev/null > /dev/null 2> "$log" &
  mp=$!
  t0=$(date +%s)
  until grep -qE 'receval: eval: scoring +[0-9.]+%' "$log"; do
    kill -0 "$mp" 2>/dev/null || { wait "$mp"; bad "sig_$sig" "ended (rc=$?) before scoring progress"; return; }
    (( $(date +%s) - t0 > 120 )) && { kill -KILL "$mp"; wait "$mp"; bad "sig_$sig" "no progress line"; return; }
    sleep 0.05
  done
  pids=$(MP_PARENT=$mp ranks_of | tr '\n' ' ')
  t0=$(date +%s%N)
  kill -"$sig" "$mp"
  while kill -0 "$mp" 2>/dev/null && (( $(date +%s%N) - t0 < 10000000000 )); do sleep 0.02; done
  if kill -0 "$mp" 2>/dev/null; then
    bad "sig_$sig" "mpirun still runs 10 s after SIG$sig"; kill -KILL $pids "$mp" 2>/dev/null; wait "$mp"; return
  fi
  wait "$mp"; rc=$?
  t1=$(date +%s%N)
  sleep 0.2
  left=""
  for p in $pids; do
    [ -d "/proc/$p" ] && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ] && left="$left $p"
  done
  took=$(( (t1 - t0) / 1000000 ))
  if [ "$(echo $pids | wc -w)" != 3 ]; then bad "sig_$sig" "found ranks '$pids', expected 3"
  elif [ "$rc" = 0 ]; then bad "sig_$sig" "exit status 0 after SIG$sig"
  elif [ -n "$left" ]; then bad "sig_$sig" "ranks still running:$left"; kill -KILL $left 2>/dev/null
  elif [ -n "$(outputs "$out" | grep -v '\.tmp')" ]; then bad "sig_$sig" "left in $out: $(outputs "$out")"
  else ok "sig_$sig  [rc=$rc] SIG$sig to mpirun while scoring: job ended in ${took} ms, no rank left, no outputs"; fi
}
check gen_big run 2 "$RECEVAL" gen big.h5 --users 60000 --items 50000 --dim 32 --seed 3
signal_case TERM
signal_case INT

echo "numerics.sh: $npass passed, $fails failed"
exit $((fails > 0))
