#!/usr/bin/env bash
# The job scripts on a real Slurm: a local 2-node cluster (cluster/local),
# each node a network namespace with its own address, MPI ranks on different
# nodes talking TCP. Checks:
#  - eval.sbatch on 2 nodes (2 and 4 ranks, and 4 ranks as 2 user ranges x 2
#    item shards with each range's shards on different nodes): COMPLETED,
#    results bitwise equal to mpirun's at 1 and 3 ranks (report metrics and
#    counts, every results.h5 dataset);
#  - sweep.sbatch: a 4-task array (2 datasets, several cutoffs/similarities, one
#    task with a missing dataset) and its afterany summary job: the summary
#    lists every task with its Slurm state, the values equal each task's
#    report and mpirun's, and the failed task is flagged (summary job FAILED 1);
#  - scaling.sbatch: strong and weak runs at 1, 2, 4 ranks, a table row each,
#    the strong runs bitwise equal;
#  - a rank killed with SIGKILL: the job ends FAILED within seconds, with
#    srun's "Killed" and eval.sbatch's error line, and no report;
#  - a node losing its link: the job ends NODE_FAIL within 40 s, no report;
#  - down.sh leaves no namespace, process or folder behind.
# Usage: jobs.sh RECEVAL WORKDIR
set -u
RECEVAL=$1 WORK=$2
source "$(cd "$(dirname "$0")" && pwd)/../e2e/lib.sh"
export RV_CLUSTER=${RV_CLUSTER:-rvjobs}
source "$HERE/lib.sh"
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
export RECEVAL
cluster_start 2

# ---- data and mpirun references ----
check gen_small run 2 "$RECEVAL" gen small.h5 --users 3000 --items 900 --dim 16 --seed 21 --categories 6
check gen_other run 2 "$RECEVAL" gen other.h5 --users 1500 --items 700 --dim 24 --seed 22 --no-user-embeddings --binary
check gen_big run 2 "$RECEVAL" gen big.h5 --users 60000 --items 20000 --dim 32 --seed 23
check ref_np1 run 1 "$RECEVAL" eval small.h5 --out ref_np1 --k 5,10 --metrics all
check ref_np3 run 3 "$RECEVAL" eval small.h5 --out ref_np3 --k 5,10 --metrics all
check ref_other run 2 "$RECEVAL" eval other.h5 --out ref_other --k 20 --similarity dot

# ---- eval.sbatch: 2 nodes x 1 rank, 2 nodes x 2 ranks ----
for layout in 1 2; do
  d=slurm_eval_${layout}pn
  check "eval_sbatch_${layout}pn" SUBMIT --timeout 180 -N2 --ntasks-per-node=$layout -o "$d.out" \
    "$JOBS/eval.sbatch" small.h5 "$d" --k 5,10 --metrics all
  job=$(sed -n 's/^job \([0-9]*\) .*/\1/p' "log.eval_sbatch_${layout}pn")
  check "eval_sbatch_${layout}pn_two_nodes" test "$(job_field "$job" NodeList)" = "node[1-2]" -a "$(job_field "$job" NumTasks)$(job_field "$job" ProcCnt)" != ""
  check "eval_sbatch_${layout}pn_equals_mpirun" "$PY" "$HERE/../e2e/py/compare_runs.py" ref_np1 ref_np3 "$d"
done
# Item shards across nodes: a 2 x 2 grid, each user range's two shards on different nodes.
# (shards are whole tiles of 2048 items: this catalogue has 3)
check gen_shards run 2 "$RECEVAL" gen shards.h5 --users 1200 --items 5000 --dim 16 --seed 24 --categories 4
check ref_shards run 1 "$RECEVAL" eval shards.h5 --out ref_shards --k 5,10 --metrics all
check eval_sbatch_shards SUBMIT --timeout 180 -N2 --ntasks-per-node=2 --distribution=cyclic -o shards.out \
  "$JOBS/eval.sbatch" shards.h5 slurm_eval_shards --k 5,10 --metrics all --item-shards 2
check eval_sbatch_shards_equals_mpirun "$PY" "$HERE/../e2e/py/compare_runs.py" ref_shards slurm_eval_shards
# The same launch path places ranks 0 and 1 (user range 0's two shards) on different nodes.
check shards_layout SUBMIT --timeout 60 -N2 --ntasks-per-node=2 --distribution=cyclic -o layout.out \
  --wrap 'srun --mpi=pmix bash -c "echo rank \$SLURM_PROCID \$(hostname)"'
check shards_layout_cross_node bash -c "grep -qx 'rank 0 node1' layout.out && grep -qx 'rank 1 node2' layout.out"
# A finished OUTDIR is not overwritten by accident.
check eval_sbatch_refuses_finished bash -c "! '$CLUSTER_BIN/submit.sh' --timeout 60 -N1 -n1 -o again.out '$JOBS/eval.sbatch' small.h5 slurm_eval_2pn && grep -q 'exists (a finished run)' again.out"

# ---- sweep.sbatch: array + afterany summary ----
cat > sweep.list <<LIST
# dataset and options, one task per line
small.h5 --k 5,10 --metrics all

small.h5 --k 3 --similarity euclidean
other.h5 --k 20 --similarity dot
absent.h5 --k 10
LIST
check sweep_submit X bash "$JOBS/sweep.sbatch" --submit sweep.list sweep
ids=$(grep '^array ' log.sweep_submit)
arr=$(awk '{print $2}' <<<"$ids") sum=$(awk '{print $4}' <<<"$ids")
check sweep_summary_fails_on_missing_task bash -c "'$CLUSTER_BIN/submit.sh' --timeout 240 --wait '$sum' | grep -qx 'job $sum FAILED 1:0'"
check sweep_summary_lists_every_task "$PY" - <<PYEOF
import csv, json
rows = list(csv.DictReader(open("sweep/summary.tsv"), delimiter="\t"))
assert [r["task"] for r in rows] == ["0", "1", "2", "3"], [r["task"] for r in rows]
want = [("small.h5", "--k 5,10 --metrics all"), ("small.h5", "--k 3 --similarity euclidean"),
        ("other.h5", "--k 20 --similarity dot"), ("absent.h5", "--k 10")]
assert [(r["dataset"], r["options"]) for r in rows] == want, rows
assert [r["result"] for r in rows] == ["ok", "ok", "ok", "NO_REPORT"], [r["result"] for r in rows]
assert [r["slurm_state"] for r in rows] == ["COMPLETED"] * 3 + ["FAILED"], [r["slurm_state"] for r in rows]
assert rows[3]["exit_code"] == "4:0", rows[3]   # receval's I/O error status, through srun and eval.sbatch
js = json.load(open("sweep/summary.json"))
assert js["missing_reports"] == [3]
for i in range(3):
    rep = json.load(open(f"sweep/task_{i}/report.json"))
    assert rep["job"]["k"] == [[5, 10], [3], [20]][i]
    for name, m in rep["metrics"].items():
        assert float(rows[i][name]) == m["mean"], (i, name)
        assert js["tasks"][i]["metrics"][name] == m["mean"]
    assert not any(rows[i][c] for c in rows[0] if c.startswith("precision@") and c not in [f"precision@{k}" for k in rep["job"]["k"]])
print("summary: 4 tasks, values equal each report")
PYEOF
check sweep_task0_equals_mpirun "$PY" "$HERE/../e2e/py/compare_runs.py" ref_np1 sweep/task_0
check sweep_task2_equals_mpirun "$PY" "$HERE/../e2e/py/compare_runs.py" ref_other sweep/task_2
check sweep_failed_task_message grep -q "absent.h5: cannot open" sweep/task_3.out
check sweep_array_states bash -c "X() { '$CLUSTER_BIN/exec.sh' \"\$@\"; }; [ \$(X scontrol -o show job $arr | grep -c 'JobState=COMPLETED') = 3 ]"

# ---- scaling.sbatch: strong and weak runs at 1, 2, 4 ranks ----
check scaling_sbatch SUBMIT --timeout 240 -N2 --ntasks-per-node=2 -o scaling.out \
  "$JOBS/scaling.sbatch" scaling --users 4000 --items 1000 --dim 16 --ranks 1,2,4 --reps 1
check scaling_rows "$PY" - <<PYEOF
import csv
rows = list(csv.DictReader(open("scaling/scaling.tsv"), delimiter="\t"))
got = sorted((r["mode"], int(r["ranks"])) for r in rows)
assert got == sorted((m, n) for m in ("strong", "weak") for n in (1, 2, 4)), got
for r in rows:
  assert float(r["total_s"]) > 0 and float(r["score_s"]) >= 0, r
  assert int(r["users"]) == (4000 if r["mode"] == "strong" else 4000 * int(r["ranks"])), r
print(len(rows), "rows")
PYEOF
check scaling_strong_identical "$PY" "$HERE/../e2e/py/compare_runs.py" scaling/strong_np1_r1 scaling/strong_np2_r1 scaling/strong_np4_r1

# ---- a rank killed: FAILED within seconds, a clear message, no report ----
job=$(X sbatch --parsable -N2 --ntasks-per-node=2 -o kill.out "$JOBS/eval.sbatch" big.h5 killed --k 10 --metrics all)
if wait_ranks 2 "$job" 2; then
  sleep 0.5
  victim=$(job_pids 2 "$job" | head -1)
  t0=$(date +%s)
  kill -KILL "$victim"
  check kill_job_fails bash -c "'$CLUSTER_BIN/submit.sh' --timeout 60 --wait $job | grep -Eq '^job $job FAILED [0-9]+:'"
  check kill_job_prompt test $(( $(date +%s) - t0 )) -le 15
  check kill_clear_message bash -c "grep -q 'task [0-9]*: Killed' kill.out && grep -q 'eval.sbatch: error: receval eval failed with status' kill.out"
  check kill_no_report test ! -e killed/report.json
else
  echo "FAIL kill_ranks_started (no receval ranks of job $job on node2)"; fails=$((fails + 1))
fi

# ---- a node loses its link: NODE_FAIL within 40 s, no report ----
job=$(X sbatch --parsable -N2 --ntasks-per-node=2 -o link.out "$JOBS/eval.sbatch" big.h5 linkdown --k 10 --metrics all)
if wait_ranks 2 "$job" 2; then
  sleep 0.5
  t0=$(date +%s)
  ip -n "$RV_CLUSTER-head" link set vnode2 down
  check link_job_node_fail bash -c "'$CLUSTER_BIN/submit.sh' --timeout 90 --wait $job | grep -q '^job $job NODE_FAIL '"
  dt=$(( $(date +%s) - t0 ))
  echo "link loss: job ended after ${dt}s"
  check link_job_prompt test "$dt" -le 40
  check link_clear_message grep -q 'Node failure on node2' link.out
  check link_no_report test ! -e linkdown/report.json
else
  echo "FAIL link_ranks_started (no receval ranks of job $job on node2)"; fails=$((fails + 1))
fi

# ---- down.sh leaves nothing behind (run twice: the second finds nothing) ----
left_pids=$(for n in 1 2; do ip netns pids "$RV_CLUSTER-node$n"; done; ip netns pids "$RV_CLUSTER-head")
check cluster_down bash "$CLUSTER_BIN/down.sh"
check cluster_down_again bash "$CLUSTER_BIN/down.sh"
check no_namespaces_left bash -c "! ip netns list | grep -q '^$RV_CLUSTER-'"
check no_processes_left bash -c "for p in $(echo $left_pids); do kill -0 \$p 2>/dev/null && exit 1; done; exit 0"
check no_folder_left test ! -e "$RV_CLUSTER_DIR"
echo "slurm jobs.sh: $fails failure(s)"
exit $((fails > 0))
