#!/usr/bin/env bash
# Faults: one rank of a running job is killed with SIGKILL. The job must end
# within 30 s with a non-zero status, no process of the job may keep running,
# and --out must hold no report.json, report.pb or results.h5 (an earlier
# run's outputs, put there first, must be gone too: nothing that looks finished).
#
# A case waits until the job prints a line that proves the phase to
# interrupt has begun (READY, a regex on stderr), then kills the rank. To add
# a case for another command (e.g. `receval train`, with a --resume check
# after it): one fault_case line with that command's arguments and a READY
# line from its progress output.
#
# Usage: faults.sh RECEVAL WORKDIR   (env: RV_MPIEXEC)
set -u
RECEVAL=$1 WORK=$2
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
case $RECEVAL in /*) ;; *) RECEVAL=$PWD/$RECEVAL ;; esac
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
LIMIT=30      # seconds from the kill to the end of the job
npass=0

ok() { echo "PASS $1"; npass=$((npass + 1)); }
bad() { echo "FAIL $1: $2"; fails=$((fails + 1)); }

# MP_PARENT=MPIRUN_PID ranks_of: "PID RANK" for each process mpirun started.
ranks_of() {
  local f p r line rest
  for f in /proc/[0-9]*/stat; do
    { read -r line < "$f"; } 2>/dev/null || continue
    rest=${line##*) }            # fields after "(comm)": state ppid ...
    set -- $rest
    [ "$2" = "$MP_PARENT" ] || continue
    p=${f#/proc/}; p=${p%/stat}
    r=$(tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | sed -n 's/^OMPI_COMM_WORLD_RANK=//p')
    [ -n "$r" ] && echo "$p $r"
  done
}

# fault_case NAME NP VICTIM READY OUT -- RECEVAL-ARGS...
fault_case() {
  local name=$1 np=$2 victim=$3 ready=$4 out=$5; shift 6
  local log=$WORK/$name.log mp t0 t_kill t_end rc pids=() vpid="" p r left
  "$MPIRUN" -np "$np" --timeout 300 "$RECEVAL" "$@" < /dev/null > "$log.out" 2> "$log" &
  mp=$!
  t0=$(date +%s%N)
  # Wait for the phase to begin (at most 120 s).
  while ! grep -qE "$ready" "$log" 2>/dev/null; do
    if ! kill -0 "$mp" 2>/dev/null; then
      wait "$mp"; bad "$name" "the job ended (rc=$?) before '$ready' appeared: dataset too small?"; return
    fi
    if (( $(date +%s%N) - t0 > 120000000000 )); then
      kill -KILL "$mp"; wait "$mp"; bad "$name" "'$ready' never appeared"; return
    fi
    sleep 0.05
  done
  while read -r p r; do
    pids+=("$p")
    [ "$r" = "$victim" ] && vpid=$p
  done < <(MP_PARENT=$mp ranks_of)
  if [ -z "$vpid" ] || [ "${#pids[@]}" != "$np" ]; then
    kill -KILL "$mp"; wait "$mp"; bad "$name" "found ${#pids[@]} of $np ranks, victim '$vpid'"; return
  fi
  kill -KILL "$vpid"
  t_kill=$(date +%s%N)
  while kill -0 "$mp" 2>/dev/null; do
    if (( $(date +%s%N) - t_kill > LIMIT * 1000000000 )); then break; fi
    sleep 0.05
  done
  if kill -0 "$mp" 2>/dev/null; then
    bad "$name" "the job still runs ${LIMIT} s after rank $victim was killed"
    kill -KILL "${pids[@]}" "$mp" 2>/dev/null; wait "$mp"; return
  fi
  wait "$mp"; rc=$?
  t_end=$(date +%s%N)
  sleep 0.2
  left=""
  for p in "${pids[@]}"; do
    [ -d "/proc/$p" ] && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ] && left="$left $p"
  done
  local outs
  outs=$(cd "$out" 2>/dev/null && ls -A | grep -E '^(report\.json|report\.pb|results\.h5)$' | tr '\n' ' ')
  local took
  took=$(( (t_end - t_kill) / 10000000 ))
  took=$((took / 100)).$(printf '%02d' $((took % 100)))
  if [ "$rc" = 0 ]; then
    bad "$name" "exit status 0 after a rank was killed"
  elif [ -n "$left" ]; then
    bad "$name" "processes still running:$left"; kill -KILL $left 2>/dev/null
  elif [ -n "$outs" ]; then
    bad "$name" "left in $out: $outs"
  else
    local tmp
    tmp=$(cd "$out" && ls -A | grep -E '\.tmp$' | tr '\n' ' ')
    ok "$name  [rc=$rc] rank $victim of $np killed after '$ready'; job ended ${took} s later; no rank left; no outputs${tmp:+ (temporary files: $tmp)}"
  fi
}

# A dataset whose evaluation takes a few seconds at 3 ranks on 2 cores
# (scoring prints progress every 2 s), and a small one for the earlier run.
check gen_big run 2 "$RECEVAL" gen big.h5 --users 60000 --items 50000 --dim 32 --seed 3
check gen_small run 2 "$RECEVAL" gen small.h5 --users 300 --items 50 --dim 4 --seed 1
for victim in 1 0; do
  out=$WORK/out_eval_r$victim
  check "earlier_run_r$victim" run 3 "$RECEVAL" eval small.h5 --out "$out"
  [ -f "$out/report.json" ] || { bad "eval_kill_rank$victim" "the earlier run wrote no report.json"; continue; }
  # Progress lines on stderr: "receval: eval: scoring N users x M items ..." when
  # scoring starts, then "scoring  25.6%, ...": kill once scoring is under way.
  fault_case "eval_kill_rank$victim" 3 "$victim" 'receval: eval: scoring +[0-9.]+%' "$out" \
    -- eval big.h5 --out "$out" --progress
done
# Training: kill a rank after the first epoch (a checkpoint every 5 steps
# exists by then); the job ends, no model.h5; --resume then ends with
# bitwise the parameters of an uninterrupted run.
check gen_train run 2 "$RECEVAL" gen train.h5 --users 60000 --items 800 --dim 16 --seed 5
TOPTS=(--model item-weight --epochs 12 --patience 0 --checkpoint-every 5)
check train_reference run 2 "$RECEVAL" train train.h5 --out "$WORK/train_ref" "${TOPTS[@]}"
fault_case train_kill_rank1 3 1 'receval: train: epoch [0-9]+/' "$WORK/train_kill" \
  -- train train.h5 --out "$WORK/train_kill" "${TOPTS[@]}" --progress
check train_killed_no_model bash -c "[ ! -e '$WORK/train_kill/model.h5' ] && ls '$WORK/train_kill' | grep -q '^checkpoint'"
check train_resume run 2 "$RECEVAL" train train.h5 --out "$WORK/train_kill" "${TOPTS[@]}" --resume
check train_resume_same_model "$PY" - "$WORK/train_ref/model.h5" "$WORK/train_kill/model.h5" <<'PYEOF'
import sys
import h5py
a, b = (h5py.File(p, "r") for p in sys.argv[1:])
n = 0
def cmp(name, obj):
    global n
    if isinstance(obj, h5py.Dataset):
        assert obj[()].tobytes() == b[name][()].tobytes(), name + " differs"
        n += 1
a.visititems(cmp)
assert n > 0
print(n, "datasets identical")
PYEOF
echo "faults.sh: $npass passed, $fails failed"
exit $((fails > 0))
