#!/usr/bin/env bash
# train.sbatch on a real Slurm (local 2-node cluster): checkpoint on Slurm's
# signal, requeue, resume. Needs `receval train` (the training issue): where
# receval has no train command this test is SKIPPED (exit 77), never faked.
# Checks (model files compared dataset by dataset, byte for byte, against an
# uninterrupted mpirun run of the same training):
#  - an uninterrupted train.sbatch job: COMPLETED, no restart, same model;
#  - a job signalled as Slurm does before preemption (USR1 to the batch
#    shell, once its first checkpoint exists): checkpoint, status 5, requeue,
#    --resume: COMPLETED with a restart, same model;
#  - a job stopped by its time limit (--time=1 --signal=B:USR1@5) and
#    requeued: COMPLETED with a restart, same model.
# Usage: train.sh RECEVAL WORKDIR
# Env: RV_TRAIN_EPOCHS [4], RV_TRAIN_MID_EPOCHS [20], RV_TRAIN_LONG_EPOCHS [150]
# The long training must run well over 55 s on the cluster (one rank per
# node), so that the 1-minute time limit always interrupts it at least once.
set -u
RECEVAL=$1 WORK=$2
source "$(cd "$(dirname "$0")" && pwd)/../e2e/lib.sh"
export RV_CLUSTER=${RV_CLUSTER:-rvtrain}
"$RECEVAL" --help 2>&1 | grep -qw train || { echo "SKIPPED: $RECEVAL has no 'train' command (receval --help); train.sbatch is not tested on this build"; exit 77; }
source "$HERE/lib.sh"
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
export RECEVAL
# The time-limit case needs a run still going 55 s after it starts (Slurm may
# signal up to 60 s before the limit). 80 epochs over 100,000 users took
# 43-49 s alone on the 2-core CI machine: too close, a run could end before
# the signal. LONG = 150 epochs take about 80 s alone. The signal case only
# needs a run that outlasts its first checkpoint (MID epochs, about 12 s).
# --patience 0 keeps early stopping from ending a run sooner.
E=${RV_TRAIN_EPOCHS:-4} MID=${RV_TRAIN_MID_EPOCHS:-20} LONG=${RV_TRAIN_LONG_EPOCHS:-150}
TRAIN_OPTS=(--model item-weight --checkpoint-every 1 --patience 0)

same_model() {  # same_model REF DIR: every dataset of every non-checkpoint .h5 file of REF, bitwise
  "$PY" - "$1" "$2" <<'PYEOF'
import glob, os, sys
import h5py
ref, other = sys.argv[1:]
n = 0
for path in sorted(glob.glob(os.path.join(ref, "*.h5"))):
    name = os.path.basename(path)
    if name.startswith("checkpoint"):
        continue
    with h5py.File(path) as a, h5py.File(os.path.join(other, name)) as b:
        def cmp(key, obj):
            global n
            if isinstance(obj, h5py.Dataset):
                x, y = obj[()], b[key][()]
                assert x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes(), f"{name}:/{key} differs"
                n += 1
        a.visititems(cmp)
assert n > 0, f"no model dataset found in {ref}"
print(f"{n} datasets identical")
PYEOF
}
ended_with_restart() {  # ended_with_restart LOG JOB: COMPLETED after >= 1 requeue
  grep -q "^job $2 COMPLETED 0:0" "$1" && [ "$(job_field "$2" Restarts)" -ge 1 ]
}

cluster_start 2
check gen run 2 "$RECEVAL" gen data.h5 --users 100000 --items 800 --dim 16 --seed 31 --categories 6
check ref_train run 2 "$RECEVAL" train data.h5 --out ref --epochs "$E" "${TRAIN_OPTS[@]}"
check ref_train_mid run 2 "$RECEVAL" train data.h5 --out ref_mid --epochs "$MID" "${TRAIN_OPTS[@]}"
check ref_train_long run 2 "$RECEVAL" train data.h5 --out ref_long --epochs "$LONG" "${TRAIN_OPTS[@]}"

# 1. uninterrupted
check train_sbatch SUBMIT --timeout 300 -N2 --ntasks-per-node=1 -o plain.out "$JOBS/train.sbatch" data.h5 plain --epochs "$E" "${TRAIN_OPTS[@]}"
check train_sbatch_no_restart bash -c "grep -q 'restarts=0' log.train_sbatch"
check train_sbatch_same_model same_model ref plain

# 2. and 3. run side by side (each takes one CPU on each node):
#  signalled as Slurm does before preemption (USR1 to the batch shell) once its first
#  checkpoint exists, so mid-run: checkpoint, requeue, resume;
#  stopped by a 1-minute time limit: Slurm sends USR1 when at most 5 s + its 30-s check period
#  remain (sbatch(1): "up to 60 seconds earlier"), i.e. 25-55 s into each run.
sig=$(X sbatch --parsable -N2 --ntasks-per-node=1 -o sig.out "$JOBS/train.sbatch" data.h5 sig --epochs "$MID" "${TRAIN_OPTS[@]}")
tl=$(X sbatch --parsable --time=1 --signal=B:USR1@5 -N2 --ntasks-per-node=1 -o tl.out \
  "$JOBS/train.sbatch" data.h5 tl --epochs "$LONG" "${TRAIN_OPTS[@]}")
t=0; while [ ! -f sig/checkpoint.h5 ] && [ $t -lt 1200 ]; do sleep 0.1; t=$((t + 1)); done
if [ -f sig/checkpoint.h5 ]; then
  X scancel --signal=USR1 --batch "$sig"
else
  echo "FAIL signal_first_checkpoint"; fails=$((fails + 1))
fi
SUBMIT --timeout 400 --wait "$sig" > log.sig_wait 2>&1
SUBMIT --timeout 600 --wait "$tl" > log.tl_wait 2>&1
check signal_requeued_completed ended_with_restart log.sig_wait "$sig"
check signal_log bash -c "grep -q 'requeueing job $sig' sig.out && grep -q 'resuming' sig.out"
check signal_same_model same_model ref_mid sig
check timelimit_requeued_completed ended_with_restart log.tl_wait "$tl"
check timelimit_signal_logged grep -q 'got SIGUSR1' tl.out
check timelimit_same_model same_model ref_long tl
echo "slurm train.sh: $fails failure(s)"
exit $((fails > 0))
