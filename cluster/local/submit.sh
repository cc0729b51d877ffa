#!/usr/bin/env bash
# Submits a batch job to the local cluster (or waits for one already
# submitted), waits for its end and reports its TRUE final state and exit
# code, from the controller (scontrol show job; the jobcomp file if the
# controller has forgotten it). `sbatch --wait` is not used: it exits 0 for a
# job whose batch host failed (NODE_FAIL) and polls slowly.
# Usage: submit.sh [--timeout S] SBATCH_ARGS... SCRIPT [ARGS...]
#        submit.sh [--timeout S] --wait JOBID
# Prints "job ID STATE EXITCODE:SIGNAL" last on stdout. Exit status: 0 if the
# job COMPLETED, else the job's exit code if non-zero, else 1 (NODE_FAIL,
# CANCELLED, TIMEOUT, a signal); 124 if it did not end within S seconds
# (default 600; it is then cancelled).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
TIMEOUT=600
[ "${1:-}" = --timeout ] && { TIMEOUT=$2; shift 2; }
[ $# -gt 0 ] || { echo "usage: submit.sh [--timeout S] SBATCH_ARGS... SCRIPT [ARGS...] | --wait JOBID" >&2; exit 2; }
X="$HERE/exec.sh"
if [ "$1" = --wait ]; then
  JOB=$2
else
  JOB=$("$X" sbatch --parsable "$@") || rv_die "sbatch failed"
  JOB=${JOB%%;*}
  echo "submitted job $JOB" >&2
fi
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2" | head -1; }
final=""
t0=$(date +%s)
while :; do
  rec=$("$X" scontrol -o show job "$JOB" 2>/dev/null || true)
  if [ -z "$rec" ]; then   # forgotten by the controller: its completion record
    rec=$(grep -E "(^| )JobId=$JOB( |$)" "$RV_CLUSTER_DIR/log/jobcomp.txt" 2>/dev/null | tail -1 || true)
    [ -n "$rec" ] || rv_die "job $JOB unknown to the controller and the jobcomp file"
  fi
  state=$(field JobState "$rec")
  case "$state" in
    COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED)
      final=$state; break;;
  esac
  if [ $(( $(date +%s) - t0 )) -ge "$TIMEOUT" ]; then
    "$X" scancel "$JOB" 2>/dev/null || true
    echo "job $JOB TIMEOUT_WAITING ${state:-?} (cancelled after ${TIMEOUT}s)"
    exit 124
  fi
  sleep 0.5
done
ec=$(field ExitCode "$rec"); ec=${ec:-0:0}
reason=$(field Reason "$rec")
restarts=$(field Restarts "$rec")
echo "job $JOB $final $ec${reason:+ reason=$reason}${restarts:+ restarts=$restarts}" >&2
echo "job $JOB $final $ec"
[ "$final" = COMPLETED ] && exit 0
code=${ec%%:*}
[ "${code:-0}" -gt 0 ] 2>/dev/null && exit "$code"
exit 1
