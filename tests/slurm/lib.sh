# shellcheck shell=bash
# Shared by the Slurm end-to-end scripts (sourced after tests/e2e/lib.sh).
# Expects RECEVAL, WORK and RV_CLUSTER. Skips (exit 77) where a local cluster
# cannot run: not root, or (outside CI) Slurm/munge not installed. Defines:
#   cluster_start N   start the cluster; stopped by an EXIT trap whatever happens
#   X CMD...          run a Slurm client in the cluster
#   SUBMIT ARGS...    cluster/local/submit.sh (true final state and exit code)
#   job_pids NODE JOB receval processes of JOB on nodeNODE
#   job_field JOB F   a field of the job's record (scontrol, else the jobcomp file)
SKIP=77
CLUSTER_BIN=$(cd "$HERE/../../cluster/local" && pwd)
JOBS=$(cd "$HERE/../../jobs" && pwd)
X() { "$CLUSTER_BIN/exec.sh" "$@"; }
SUBMIT() { bash "$CLUSTER_BIN/submit.sh" "$@"; }
skip() { echo "SKIPPED: $*"; exit $SKIP; }
if [ "$(id -u)" != 0 ]; then skip "the local Slurm cluster needs root (network namespaces)"; fi
for p in slurmctld slurmd munged sbatch; do
  if ! command -v $p >/dev/null; then
    [ "${CI:-}" = true ] && { echo "FAIL: $p missing on CI (.ci/deps.sh installs slurm-wlm munge)"; exit 1; }
    skip "$p not installed (apt-get install slurm-wlm munge)"
  fi
done
export RV_CLUSTER_DIR=/tmp/$RV_CLUSTER
cluster_stop() {
  local st=$?
  if [ -d "$RV_CLUSTER_DIR/log" ] && [ "${fails:-0}" -gt 0 ]; then
    echo "--- slurmctld log (tail) ---"; tail -15 "$RV_CLUSTER_DIR/log/slurmctld.log" 2>/dev/null
  fi
  bash "$CLUSTER_BIN/down.sh" >/dev/null 2>&1 || echo "WARNING: down.sh failed for $RV_CLUSTER"
  exit $st
}
cluster_start() {
  trap cluster_stop EXIT
  trap 'exit 130' INT TERM
  check cluster_up bash "$CLUSTER_BIN/up.sh" "$1" || { echo "cannot start the cluster"; cat log.cluster_up; exit 1; }
}
job_pids() {
  local p
  for p in $(ip netns pids "$RV_CLUSTER-node$1" 2>/dev/null); do
    [ "$(cat /proc/$p/comm 2>/dev/null)" = receval ] || continue
    tr '\0' '\n' < /proc/$p/environ 2>/dev/null | grep -qx "SLURM_JOB_ID=$2" && echo "$p"
  done
}
# Waits (up to 60 s) until JOB has N receval ranks running on NODE.
wait_ranks() {
  local i
  for i in $(seq 300); do [ "$(job_pids "$1" "$2" | wc -l)" -ge "$3" ] && return 0; sleep 0.2; done
  return 1
}
job_field() {
  { X scontrol -o show job "$1" 2>/dev/null; grep -E "(^| )JobId=$1( |$)" "$RV_CLUSTER_DIR/log/jobcomp.txt" 2>/dev/null; } \
    | sed -n "s/.*\b$2=\([^ ]*\).*/\1/p" | head -1
}
