#!/usr/bin/env bash
# Datasets at the edges of the contract (docs/robustness.md, "What is
# checked"), end to end under mpirun; files from py/datasets_make.py (h5py's
# default layouts).
#
# Evaluated, at 3, 1 and 2 ranks with bitwise-identical report metrics and
# counts, checked against py/refeval.py: no test items at all (zero-length
# /test/indices), cold start (zero-length /train/indices, with and without
# user embeddings), /items/category with no entries, and a soft link inside
# the file (same metrics as the plain file).
#
# Refused at 3 ranks (exit code, exactly one "receval: error:" line with the
# fragments, no outputs, an earlier run's report.json untouched): external
# links (the dataset, a group, behind a soft link), duplicate /users/id (also
# by `runs`, and the same first duplicate at 1 and 2 ranks), duplicate
# /items/id, an unavailable compression filter, a uint64 header attribute
# above 2^63-1; `inspect` on these and on a directory.
#
# Usage: datasets.sh RECEVAL WORKDIR   (env: RV_PYTHON3, RV_MPIEXEC)
set -u
RECEVAL=$1 WORK=$2
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
# The MPI environment comes from ctest (RV_TEST_ENV) or .ci/deps.sh. No 1 s
# wait before Open MPI tears down a job that exited non-zero (errors.sh).
export OMPI_MCA_odls_base_sigkill_timeout=${OMPI_MCA_odls_base_sigkill_timeout:-0}
case $RECEVAL in /*) ;; *) RECEVAL=$PWD/$RECEVAL ;; esac
rm -rf "$WORK" && mkdir -p "$WORK/log" && cd "$WORK" || exit 1
npass=0 nfail=0
pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }

# run NP LOG ARGS...: receval under mpirun with a time limit (lib.sh); sets RC.
run() { local np=$1 log=$2; shift 2; run_logged "$np" "log/$log" "$@"; }

# refused NAME NP CODE FRAGS ARGS...: the run into out/NAME (holding an
# earlier run's report.json) fails with CODE and one error line holding every
# '|'-separated fragment; nothing is written and the earlier report stays.
refused() {
  local name=$1 np=$2 code=$3 frags=$4 why="" line f parts=(); shift 4
  rm -rf "out/$name" && mkdir -p "out/$name" && echo '{"earlier": "run"}' > "out/$name/report.json"
  run "$np" "$name" "$@" --out "out/$name"
  line=$(grep -m1 '^receval: error: ' "log/$name.err")
  IFS='|' read -r -a parts <<< "$frags"
  if [ "$RC" != "$code" ]; then why="exit code $RC, expected $code"
  elif [ "$(grep -c '^receval: error: ' "log/$name.err")" != 1 ]; then why="not exactly one error line"
  elif [[ "$line" == "receval: error: [rank "* ]]; then why="error not agreed (MPI_Abort path)"
  elif [ "$(ls -A "out/$name")" != report.json ] || [ "$(cat "out/$name/report.json")" != '{"earlier": "run"}' ]; then
    why="outputs changed: $(ls -A "out/$name" | tr '\n' ' ')"
  fi
  for f in "${parts[@]}"; do
    [ -z "$why" ] && [[ "$line" != *"$f"* ]] && why="error line lacks '$f'"
  done
  if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why; stderr: $(head -c 400 "log/$name.err")"; fi
}

# inspected NAME CODE FRAGS FILE: inspect's exit code; stdout and stderr hold every fragment.
inspected() {
  local name=$1 code=$2 frags=$3 f parts=() why=""; shift 3
  run 3 "$name" inspect "$@"
  IFS='|' read -r -a parts <<< "$frags"
  [ "$RC" = "$code" ] || why="exit code $RC, expected $code"
  for f in "${parts[@]}"; do
    [ -z "$why" ] && ! grep -qF -- "$f" "log/$name.out" "log/$name.err" && why="output lacks '$f'"
  done
  if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why; $(head -c 400 "log/$name.out" "log/$name.err")"; fi
}

# metrics DIR: the report's metrics and counts, as JSON text.
metrics() {
  "$PY" -c 'import json, sys; r = json.load(open(sys.argv[1])); print(json.dumps([r["metrics"], r["counts"]], sort_keys=True))' "$1/report.json"
}

"$PY" "$HERE/py/datasets_make.py" data > log/make.out 2>&1 || { echo "FAIL setup: datasets_make.py"; cat log/make.out; exit 1; }
K="--k 5 --metrics all"

# ---- evaluated: 3 ranks against the reference, then 1 and 2 ranks bitwise equal
for c in empty_test cold cold_pooled no_categories; do
  run 3 "$c.np3" eval "data/$c.h5" --out "out/$c.np3" $K
  if [ "$RC" != 0 ]; then fail "$c.np3" "exit $RC: $(head -c 400 "log/$c.np3.err")"; continue; fi
  if "$PY" "$HERE/py/refeval.py" "data/$c.h5" "out/$c.np3" --k 5 > "log/$c.ref" 2>&1; then pass "$c.np3 (refeval)"
  else fail "$c.np3" "refeval: $(tail -5 "log/$c.ref")"; fi
  ref=$(metrics "out/$c.np3")
  for np in 1 2; do
    run "$np" "$c.np$np" eval "data/$c.h5" --out "out/$c.np$np" $K
    if [ "$RC" != 0 ]; then fail "$c.np$np" "exit $RC: $(head -c 400 "log/$c.np$np.err")"
    elif [ "$(metrics "out/$c.np$np")" != "$ref" ]; then fail "$c.np$np" "metrics differ from 3 ranks"
    else pass "$c.np$np (= 3 ranks)"; fi
  done
done
# No test items: every user skipped from the accuracy means (which are null).
"$PY" - out/empty_test.np3/report.json > log/empty_test.counts 2>&1 <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
c, m = r["counts"], r["metrics"]
assert c["users_skipped_no_test"] == 700 and c["users_evaluated"] == 0, c
assert m["ndcg@5"]["mean"] is None and m["ndcg@5"]["users"] == 0, m["ndcg@5"]
assert m["coverage@5"]["users"] == 700, m["coverage@5"]
EOF
[ $? = 0 ] && pass "empty_test counts" || fail "empty_test counts" "$(tail -3 log/empty_test.counts)"
inspected inspect_empty_test 0 "verdict: valid|0 test" data/empty_test.h5
inspected inspect_cold 0 "verdict: valid|0 train" data/cold.h5

# A soft link inside the file is read like the dataset it names.
run 3 base eval data/base.h5 --out out/base $K
base_rc=$RC
run 3 soft_ok eval data/soft_ok.h5 --out out/soft_ok $K
if [ "$base_rc" != 0 ] || [ "$RC" != 0 ]; then fail soft_ok "exit $base_rc / $RC: $(head -c 400 log/soft_ok.err)"
elif [ "$(metrics out/soft_ok)" != "$(metrics out/base)" ]; then fail soft_ok "metrics differ from the plain file"
else pass "soft_ok (= plain file)"; fi

# ---- refused before the output directory is touched
ELINK="receval reads only data stored in the file"
refused elink 3 3 "elink.h5: /items/embedding is an external link to other.h5:/emb; $ELINK" eval data/elink.h5 $K
refused elink_group 3 3 "elink_group.h5: /test/indptr: /test is an external link to other.h5:/test; $ELINK" \
  eval data/elink_group.h5 $K
refused soft_elink 3 3 "soft_elink.h5: /items/embedding: /alias is an external link to other.h5:/emb" \
  eval data/soft_elink.h5 $K
DUP="dup_users.h5: /users/id: row 400: id 'u200' repeats row 200"
for np in 3 1 2; do refused "dup_users.np$np" "$np" 3 "$DUP" eval data/dup_users.h5 $K; done
printf 'u1 Q0 3 1 1.0 x\nu2 Q0 4 1 1.0 x\n' > data/run.trec
refused dup_users.runs 3 3 "$DUP" runs data/dup_users.h5 data/run.trec $K
refused dup_items 3 3 "dup_items.h5: /items/id: row 31: id 'i7' repeats row 7" eval data/dup_items.h5 $K
refused lzf 3 3 "lzf.h5: /items/embedding: |filter 'lzf' (id 32000)|HDF5_PLUGIN_PATH" eval data/lzf.h5 $K
refused u64 3 3 "u64.h5: root attribute 'n_users' is 18446744073709551615" eval data/u64.h5 $K

inspected inspect_dup_users 3 "verdict: INVALID: data/$DUP" data/dup_users.h5
inspected inspect_dup_items 3 "verdict: INVALID: data/dup_items.h5: /items/id: row 31" data/dup_items.h5
inspected inspect_elink 3 "external link to other.h5:/emb|verdict: INVALID: data/elink.h5: /items/embedding is an external link" \
  data/elink.h5
inspected inspect_lzf 3 "verdict: INVALID: data/lzf.h5: /items/embedding: compressed with HDF5 filter 'lzf'" data/lzf.h5
inspected inspect_u64 3 "@n_users                    18446744073709551615|verdict: INVALID" data/u64.h5
mkdir -p adir
inspected inspect_dir 4 "receval: error: adir: not a regular file" adir
refused eval_dir 3 4 "receval: error: adir: not a regular file" eval adir $K

echo "datasets: $npass passed, $nfail failed"
[ "$nfail" = 0 ]
