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
