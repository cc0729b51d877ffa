# Shared by the end-to-end scripts (sourced, not run). Expects RECEVAL and WORK
# to be set; defines PY, MPIRUN, HERE, a failure counter and:
#   check NAME CMD...   run CMD, print PASS/FAIL NAME (with the log's tail)
#   run NP ARGS...      mpirun with a timeout, so a hang is a failure
HERE=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
PY=${RV_PYTHON3:-/usr/bin/python3}
MPIRUN=${RV_MPIEXEC:-mpirun}
fails=0
check() {
  local name=$1; shift
  if "$@" > "log.$name" 2>&1; then echo "PASS $name"; else echo "FAIL $name"; sed 's/^/    /' "log.$name" | tail -20; fails=$((fails+1)); fi
}
run() { "$MPIRUN" --timeout 300 -np "$@"; }
# run_logged NP LOGBASE ARGS...: $RECEVAL under mpirun with a time limit of
# ${TMO:-60} s (backed by `timeout`), stdin from /dev/null (mpirun forwards
# it to rank 0), output in LOGBASE.out and LOGBASE.err; sets RC.
run_logged() {
  local np=$1 log=$2 tmo=${TMO:-60}; shift 2
  timeout -k 5 $((tmo + 30)) "$MPIRUN" -np "$np" --timeout "$tmo" "$RECEVAL" "$@" < /dev/null > "$log.out" 2> "$log.err"
  RC=$?
}

# error_verdict LOGBASE CODE FRAGS: after run_logged, prints why the failed run
# breaks the error contract (nothing when it holds): not hung, exit CODE,
# exactly one agreed "receval: error:" line holding every '|'-separated
# fragment of FRAGS.
error_verdict() {
  local log=$1 code=$2 frags=$3 line f parts=()
  line=$(grep -m1 '^receval: error: ' "$log.err")
  IFS='|' read -r -a parts <<< "$frags"
  if [ "$RC" = 124 ] || grep -q 'time limit for job execution' "$log.err"; then echo "hung (rc=$RC)"; return; fi
  if [ "$RC" != "$code" ]; then echo "exit code $RC, expected $code"; return; fi
  if [ "$(grep -c '^receval: error: ' "$log.err")" != 1 ]; then echo "not exactly one error line"; return; fi
  if [[ "$line" == "receval: error: [rank "* ]]; then echo "error not agreed (MPI_Abort path)"; return; fi
  for f in "${parts[@]}"; do
    if [[ "$line" != *"$f"* ]]; then echo "error line lacks '$f'"; return; fi
  done
}
