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
