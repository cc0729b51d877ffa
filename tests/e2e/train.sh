#!/usr/bin/env bash
# receval train / eval --model end to end: an independent float64 reference
# trainer agrees with the trained parameters; parameters are bitwise the same
# at 1, 2 and 4 ranks; a run stopped by SIGTERM (one rank) or SIGUSR1 (all
# ranks) exits 5 with a checkpoint, and --resume (at another rank count)
# ends with bitwise the parameters of the uninterrupted run; eval --model
# agrees with a reference and beats raw cosine on planted structure; bad
# input gives one-line errors with the documented exit codes.
# Usage: train.sh RECEVAL WORKDIR
set -u
RECEVAL=$1 WORK=$2
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
REF=$HERE/py/train_ref.py
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
h5same() { h5diff "$1" "$2" /item_weight/w && h5diff "$1" "$2" /item_weight/b; }

check gen run 2 "$RECEVAL" gen s.h5 --users 300 --items 200 --dim 16 --seed 4
check gen_pooled run 1 "$RECEVAL" gen p.h5 --users 300 --items 200 --dim 16 --seed 5 --no-user-embeddings

# 1. Reference agreement and rank-count identity, for several option sets.
A1="--loss bce --epochs 3 --batch-users 64"
A2="--loss mse --optimizer sgd --lr 2 --lr-schedule step --lr-gamma 0.7 --l2 0.001 --epochs 6 --patience 2 --batch-users 50 --negatives 2 --seed 9"
A3="--loss bce --lr 0.5 --epochs 30 --patience 2 --batch-users 20 --seed 2"
A4="--loss bce --lr-schedule cosine --epochs 4 --val-frac 0"
i=0
for args in "$A1" "$A2" "$A3" "$A4"; do
  i=$((i+1))
  for ds in s p; do
    for np in 1 2 4; do
      check "train_${i}_${ds}_np$np" run $np "$RECEVAL" train $ds.h5 --out "m${i}_${ds}_np$np" --model item-weight $args
    done
    check "identical_${i}_${ds}_np1_np2" h5same "m${i}_${ds}_np1/model.h5" "m${i}_${ds}_np2/model.h5"
    check "identical_${i}_${ds}_np1_np4" h5same "m${i}_${ds}_np1/model.h5" "m${i}_${ds}_np4/model.h5"
    check "reference_${i}_${ds}" "$PY" "$REF" train $ds.h5 "m${i}_${ds}_np1/model.h5" $args
  done
done
check early_stop grep -q "early stop" log.train_3_s_np1

# 1b. bilinear: the ScaLAPACK solution equals a direct dense LAPACK solve of
#     the same normal equations (numpy), at grids 1x1, 1x2, 1x3, 2x2 with
#     blocks spread over every rank (16 / 8 / 5 / 8 rows); those agree to
#     1e-12 (the rounding depends on the grid). With the default single block
#     A is bitwise the same at 1, 2 and 4 ranks.
for np in 1 2 3 4; do
  check "bilinear_np$np" run $np "$RECEVAL" train s.h5 --out "b_np$np" --model bilinear --lambdas 3 --val-frac 0 --scalapack-block -1
  check "bilinear_lapack_np$np" "$PY" "$REF" bilinear s.h5 "b_np$np/model.h5"
done
for np in 1 2 4; do
  check "bilinear_default_np$np" run $np "$RECEVAL" train p.h5 --out "bd_np$np" --model bilinear
done
check bilinear_identical_np1_np2 h5diff bd_np1/model.h5 bd_np2/model.h5 /bilinear/A
check bilinear_identical_np1_np4 h5diff bd_np1/model.h5 bd_np4/model.h5 /bilinear/A
check bilinear_default_lapack "$PY" "$REF" bilinear p.h5 bd_np4/model.h5
check bilinear_lambda_choice run 3 "$RECEVAL" train p.h5 --out b_p --model bilinear --lambdas 0.5,5,50
check bilinear_lambda_choice_lapack "$PY" "$REF" bilinear p.h5 b_p/model.h5
check bilinear_ranks_agree "$PY" -c "
import h5py, numpy as np
a = [h5py.File(f'b_np{n}/model.h5')['bilinear/A'][...] for n in (1, 2, 3, 4)]
r = max(np.abs(x - a[0]).max() for x in a) / np.abs(a[0]).max()
print(f'max relative difference over ranks {r:.2e}'); assert r < 1e-12"

# 2. Interruption and resume. A long run (many small steps) so the signal
#    lands mid-training: wait for the first periodic checkpoint, then signal.
LONG="--loss bce --epochs 300 --patience 0 --batch-users 4 --checkpoint-every 500"
check full run 2 "$RECEVAL" train s.h5 --out full --model item-weight $LONG
interrupt() {  # interrupt NAME NP SIGNAL WHICH(one|all|mpirun) RESUME_NP
  local name=$1 np=$2 sig=$3 which=$4 rnp=$5
  rm -rf "$name"
  "$MPIRUN" --timeout 300 -np "$np" "$RECEVAL" train s.h5 --out "$name" --model item-weight $LONG > "$name.log" 2>&1 &
  local mp=$! t=0
  while [ ! -f "$name/checkpoint.h5" ] && [ $t -lt 600 ]; do sleep 0.05; t=$((t+1)); done
  local ranks; ranks=$(pgrep -P $mp)
  case $which in
    one) kill -s "$sig" $(echo $ranks | awk '{print $NF}') ;;
    all) kill -s "$sig" $ranks ;;
    mpirun) kill -s "$sig" $mp ;;  # Open MPI's mpirun forwards SIGUSR1 to the ranks
  esac
  local rc=0; wait $mp || rc=$?
  echo "exit status $rc"; grep -m1 "interrupted" "$name.log"
  [ $rc = 5 ] || return 1
  grep -q "receval: interrupted, checkpoint written; rerun with --resume" "$name.log" || return 1
  local step; step=$(h5dump -a /step "$name/checkpoint.h5" | sed -n 's/.*(0): //p')
  echo "checkpoint at step $step of 22500"
  [ "$step" -gt 0 ] && [ "$step" -lt 22500 ] || return 1
  "$MPIRUN" --timeout 300 -np "$rnp" "$RECEVAL" train s.h5 --out "$name" --model item-weight $LONG --resume > "$name.resume.log" 2>&1 || return 1
  grep -q "resuming from" "$name.resume.log" || return 1
  [ ! -e "$name/checkpoint.h5" ] || return 1
  h5same full/model.h5 "$name/model.h5"
}
check sigterm_one_rank_resume_np4 interrupt int_term 2 TERM one 4
check sigusr1_all_ranks_resume_np1 interrupt int_usr1 4 USR1 all 1
check sigusr1_to_mpirun_resume_np2 interrupt int_mpirun 2 USR1 mpirun 2
# Signals keep coming until the ranks exit (srun and mpirun deliver a
# forwarded signal to each rank at its own time, so one may arrive after the
# ranks agreed to stop): every rank still exits 5, none dies of the signal
# (until 2026-11-28 the default action came back after the checkpoint: 138).
repeated() {
  rm -rf int_rep
  "$MPIRUN" --timeout 300 -np 2 "$RECEVAL" train s.h5 --out int_rep --model item-weight $LONG > int_rep.log 2>&1 &
  local mp=$! t=0 rc=0 sent=0
  while [ ! -f int_rep/checkpoint.h5 ] && [ $t -lt 600 ]; do sleep 0.05; t=$((t+1)); done
  local ranks; ranks=$(pgrep -P $mp)
  while kill -0 $mp 2>/dev/null; do kill -USR1 $ranks 2>/dev/null && sent=$((sent+1)); sleep 0.002; done
  wait $mp || rc=$?
  echo "exit status $rc after $sent rounds of USR1"; cat int_rep.log
  [ $rc = 5 ] && ! grep -qi "signal" int_rep.log || return 1
  "$MPIRUN" --timeout 300 -np 2 "$RECEVAL" train s.h5 --out int_rep --model item-weight $LONG --resume > int_rep.resume.log 2>&1 || return 1
  h5same full/model.h5 int_rep/model.h5
}
check sigusr1_repeated_exit5_np2 repeated

# 3. eval --model: reference values, rank identity, better than raw cosine.
check gen_planted run 2 "$RECEVAL" gen g.h5 --users 2000 --items 1000 --dim 32 --seed 3
check train_planted run 2 "$RECEVAL" train g.h5 --out mg --model item-weight --loss bce --epochs 10
check eval_cosine run 2 "$RECEVAL" eval g.h5 --out e_cos --metrics recall,ndcg
for np in 1 3; do
  check "eval_model_np$np" run $np "$RECEVAL" eval g.h5 --out "e_model_np$np" --model mg --metrics recall,ndcg,auc
done
check eval_model_identical "$PY" "$HERE/py/compare_runs.py" e_model_np1 e_model_np3
check eval_model_reference "$PY" "$REF" eval g.h5 mg/model.h5 e_model_np1
check train_planted_bilinear run 2 "$RECEVAL" train g.h5 --out bg --model bilinear
check bilinear_lapack_planted "$PY" "$REF" bilinear g.h5 bg/model.h5
check eval_bilinear run 2 "$RECEVAL" eval g.h5 --out e_bil --model bg --metrics recall,ndcg,auc
check eval_bilinear_reference "$PY" "$REF" eval g.h5 bg/model.h5 e_bil
check beats_cosine "$PY" -c "
import json
a = json.load(open('e_cos/report.json'))['metrics']['recall@10']['mean']
b = json.load(open('e_model_np1/report.json'))['metrics']['recall@10']['mean']
c = json.load(open('e_bil/report.json'))['metrics']['recall@10']['mean']
print(f'recall@10 cosine {a:.4f}, item-weight {b:.4f}, bilinear {c:.4f}')
assert b > a + 0.05 and c > a + 0.02"

# 3b. --whiten: receval's whitening (exact covariance over ranks, ScaLAPACK
#     eigendecomposition) against numpy's on a pre-whitened copy; bitwise the
#     same at any rank count; training on whitened vectors as well.
check whiten_ref_g "$PY" "$HERE/py/whiten_ref.py" g.h5 gw.h5
check whiten_ref_p "$PY" "$HERE/py/whiten_ref.py" p.h5 pw.h5
for sim in cosine dot; do
  check "eval_whiten_$sim" run 2 "$RECEVAL" eval g.h5 --out "ew_$sim" --whiten --similarity $sim --metrics recall,ndcg
  check "eval_prewhitened_$sim" run 2 "$RECEVAL" eval gw.h5 --out "ep_$sim" --similarity $sim --metrics recall,ndcg
  check "whiten_matches_numpy_$sim" "$PY" "$HERE/py/whiten_ref.py" compare "ew_$sim" "ep_$sim" ndcg@10
done
for np in 1 3; do
  check "eval_whiten_pooled_np$np" run $np "$RECEVAL" eval p.h5 --out "ewp_np$np" --whiten --metrics recall,ndcg
done
check eval_whiten_identical "$PY" "$HERE/py/compare_runs.py" ewp_np1 ewp_np3
check eval_prewhitened_pooled run 1 "$RECEVAL" eval pw.h5 --out epp --metrics recall,ndcg
check whiten_matches_numpy_pooled "$PY" "$HERE/py/whiten_ref.py" compare ewp_np1 epp ndcg@10
for np in 1 4; do
  check "train_whiten_np$np" run $np "$RECEVAL" train s.h5 --out "mw_np$np" --model item-weight --whiten $A1
done
check train_whiten_identical h5same mw_np1/model.h5 mw_np4/model.h5
check train_whiten_differs bash -c "h5diff -q mw_np1/model.h5 m1_s_np1/model.h5 /item_weight/w; test \$? -eq 1"
check eval_model_whiten run 2 "$RECEVAL" eval s.h5 --out emw --model mw_np1 --whiten
check train_bilinear_whiten run 2 "$RECEVAL" train g.h5 --out bw --model bilinear --whiten
check eval_bilinear_whiten run 2 "$RECEVAL" eval g.h5 --out ebw --model bw --whiten --metrics recall

# 4. Errors: one line, documented exit codes.
expect() {  # expect NAME CODE PATTERN ARGS...
  local name=$1 code=$2 pat=$3; shift 3
  local rc=0; "$MPIRUN" --timeout 60 -np 2 "$RECEVAL" "$@" > "err.$name" 2>&1 || rc=$?
  cat "err.$name"; [ $rc = "$code" ] && grep -q "^receval: error: .*$pat" "err.$name"
}
check err_no_model expect no_model 2 "--model item-weight|bilinear is required" train s.h5 --out z
check err_bilinear_euclidean expect bil_euc 2 "bilinear: --similarity must be cosine or dot" train s.h5 --out z --model bilinear --similarity euclidean
check err_bilinear_no_validation expect bil_noval 2 "no validation pairs" train s.h5 --out z --model bilinear --lambdas 1,2 --val-frac 0
check err_model_needs_whiten expect needs_whiten 2 "trained with --whiten; evaluate it the same way" eval s.h5 --out z --model mw_np1
check err_model_shards expect model_shards 2 "--model cannot be combined with --item-shards 2" eval s.h5 --out z --model m1_s_np1 --item-shards 2
check err_whiten_shards expect whiten_shards 2 "--whiten cannot be combined with --item-shards 2" eval s.h5 --out z --whiten --item-shards 2
check err_bad_loss expect bad_loss 2 "--loss: unknown value 'l1'" train s.h5 --out z --model item-weight --loss l1
check err_missing_model_dir expect missing 4 "model.h5: cannot open" eval s.h5 --out z --model nowhere
check err_model_other_dataset expect other 3 "the model has 200 items" eval g.h5 --out z --model m1_s_np1
check err_model_similarity expect sim 2 "trained with --similarity cosine" eval s.h5 --out z --model m1_s_np1 --similarity dot
"$MPIRUN" --timeout 300 -np 1 "$RECEVAL" train s.h5 --out rz --model item-weight $LONG > /dev/null 2>&1 &
rzpid=$!; t=0; while [ ! -f rz/checkpoint.h5 ] && [ $t -lt 600 ]; do sleep 0.05; t=$((t+1)); done
kill -TERM $(pgrep -P $rzpid); wait $rzpid
check err_resume_other_options expect resume 2 "training options differ" train s.h5 --out rz --model item-weight $LONG --batch-users 8 --resume
check metric_omitted_without_model bash -c "grep -q 'rmse: needs --model DIR' e_cos/report.json || ( \"$MPIRUN\" -np 1 \"$RECEVAL\" eval s.h5 --out om --metrics recall,rmse > om.log && grep -q 'rmse: needs --model DIR' om/report.json )"

echo "train.sh: $fails failure(s)"
[ $fails = 0 ]
