#!/usr/bin/env bash
# jobs/env.sh's rv_wait and jobs/train.sbatch's signal path, without Slurm.
# rv_wait must return the child's own exit status even when a trapped signal
# interrupts `wait` and the child exits before the shell looks again: a
# returned 128+signal there made a checkpointed job fail instead of requeue
# (seen on CI: exit 138 of a time-limited train.sbatch job).
#  1. rv_wait on bash children: plain exits, death by a signal, a trap that
#     fires while the child keeps running, and the race above (forced by a
#     trap that outlives the child);
#  2. train.sbatch outside Slurm (RV_LAUNCH=mpirun): USR1 to the script is
#     passed to receval, which checkpoints; the script exits 5 with its message;
#     the same command again resumes and finishes.
# Usage: jobwait.sh RECEVAL WORKDIR
set -u
RECEVAL=$1 WORK=$2
export RECEVAL
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
JOBS=$(cd "$HERE/../../jobs" && pwd)
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1

# Each case runs in its own bash so that traps and jobs do not mix.
# expect_wait NAME EXPECTED SCRIPT: SCRIPT (after sourcing env.sh) must print rv_wait's status.
expect_wait() {
  local got
  got=$(RECEVAL=$RECEVAL bash -c "source '$JOBS/env.sh'; $3" 2>/dev/null)
  echo "rv_wait returned '$got', expected $2"
  [ "$got" = "$2" ]
}
check wait_exit0 expect_wait exit0 0 '( exit 0 ) & rv_wait $!; echo $?'
check wait_exit3 expect_wait exit3 3 '( sleep 0.1; exit 3 ) & rv_wait $!; echo $?'
# death by SIGUSR1 is 128+10, and stays so
check wait_killed expect_wait killed 138 '( sleep 0.1; kill -USR1 $BASHPID; sleep 5 ) & rv_wait $!; echo $?'
# the trap fires while the child keeps running: keep waiting for its own exit
check wait_trap_child_runs expect_wait runs 7 '
  trap : USR1
  ( sleep 0.6; exit 7 ) & c=$!
  ( sleep 0.2; kill -USR1 $$ ) &
  rv_wait $c; echo $?'
# the race: the trap forwards USR1, the child exits 5 at once, the trap is
# still running; wait returns 138 for the trap, and the child is gone
check wait_trap_child_exits expect_wait race 5 '
  ( trap "exit 5" USR1; while :; do sleep 0.01; done ) & c=$!
  fwd() { kill -USR1 $c; sleep 0.4; }
  trap fwd USR1
  ( sleep 0.3; kill -USR1 $$ ) &
  rv_wait $c; echo $?'

# 2. train.sbatch outside Slurm: many small steps so the signal lands mid-training
check gen run 2 "$RECEVAL" gen s.h5 --users 300 --items 200 --dim 16 --seed 4
LONG=(--model item-weight --loss bce --epochs 300 --patience 0 --batch-users 4 --checkpoint-every 500)
sbatch_interrupt() {
  rm -rf out
  RV_LAUNCH="$MPIRUN --timeout 300 -np 2" bash "$JOBS/train.sbatch" s.h5 out "${LONG[@]}" > sb.log 2>&1 &
  local sb=$! t=0 rc=0
  while [ ! -f out/checkpoint.h5 ] && [ $t -lt 600 ]; do sleep 0.05; t=$((t+1)); done
  kill -USR1 $sb
  wait $sb || rc=$?
  cat sb.log
  echo "train.sbatch exit status $rc"
  [ $rc = 5 ] && grep -q "got SIGUSR1" sb.log && grep -q "error: interrupted, checkpoint in out" sb.log \
    && [ -f out/checkpoint.h5 ] && [ ! -f out/model.h5 ]
}
check sbatch_usr1_checkpoints sbatch_interrupt
check sbatch_resumes bash -c "RV_LAUNCH='$MPIRUN --timeout 300 -np 2' bash '$JOBS/train.sbatch' s.h5 out ${LONG[*]} > sb2.log 2>&1 \
  && grep -q 'resuming' sb2.log && grep -q 'done: out' sb2.log && [ -f out/model.h5 ] && [ ! -e out/checkpoint.h5 ]"
echo "jobwait.sh: $fails failure(s)"
exit $((fails > 0))
