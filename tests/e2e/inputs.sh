#!/usr/bin/env bash
# Text and compressed inputs, and inputs that are not regular files, end to
# end at 3 ranks (docs/robustness.md, "Text and compressed inputs"):
#  - gzip: a complete .gz run file and two concatenated gzip members give
#    metrics identical to the plain file (and `prepare csv` of a .gz the
#    same arrays as of the plain CSV); a stream cut at a line boundary
#    (after a full flush), cut in the middle, without its 8-byte trailer,
#    with a wrong CRC-32, a wrong length, or with bytes after the last
#    member is refused: exit 3, "truncated" or "corrupt gzip", the file named;
#  - CR-only line ends (run file, CSV): exit 3 naming the file and "CR-only";
#  - `prepare csv` with an unquoted separator in a field (one field too
#    many), with the header (also after a blank first line: the header was
#    read as an interaction) and with --no-header, and a MovieLens ratings.csv
#    with an extra field: exit 3, FILE:LINE, fields found and expected;
#  - a FIFO (or /dev/zero, or a directory) given as the input of runs,
#    inspect, eval, train, prepare (source, --item-meta, --embeddings),
#    compare (results.h5) and eval --model (model.h5): exit 4 at once, one
#    line naming the file and what it is; inspect on a directory says what
#    eval says.
# Every failure: exactly one "receval: error:" line with the fragments, no
# hang (mpirun --timeout), no outputs left.
# Usage: inputs.sh RECEVAL WORKDIR   (env: RV_PYTHON3, RV_MPIEXEC)
set -u
RECEVAL=$1 WORK=$2
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
# No 1 s wait before Open MPI tears down a job that exited non-zero (errors.sh).
export OMPI_MCA_odls_base_sigkill_timeout=${OMPI_MCA_odls_base_sigkill_timeout:-0}
TMO=${TMO:-30} # a FIFO that is opened blocks forever: the limit turns it into a failure
case $RECEVAL in /*) ;; *) RECEVAL=$PWD/$RECEVAL ;; esac
rm -rf "$WORK" && mkdir -p "$WORK/log" "$WORK/out" && cd "$WORK" || exit 1
npass=0 nfail=0
pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }

# Outputs a failed run must not leave: for a directory its reports, else the file.
leftovers() {
  if [ -d "$1" ]; then (cd "$1" && ls -A | grep -E '^(report\.json|report\.pb|results\.h5)$|\.tmp$') || true
  elif [ -e "$1" ]; then echo "$1"; fi
}

# refused NAME CODE FRAGS OUT ARGS...: receval ARGS at 3 ranks fails with CODE,
# one error line holding every '|'-separated fragment, nothing left at OUT.
refused() {
  local name=$1 code=$2 frags=$3 out=$4 why line; shift 4
  run_logged 3 "log/$name" "$@"
  line=$(grep -m1 '^receval: error: ' "log/$name.err")
  why=$(error_verdict "log/$name" "$code" "$frags")
  if [ -z "$why" ] && [ -n "$(leftovers "$out")" ]; then why="left behind: $(leftovers "$out" | tr '\n' ' ')"; fi
  if [ -z "$why" ]; then pass "$name  ${line#receval: error: }"; else fail "$name" "$why; stderr: $(head -c 300 "log/$name.err")"; fi
}

# accepted NAME ARGS...: receval ARGS at 3 ranks succeeds.
accepted() {
  local name=$1; shift
  run_logged 3 "log/$name" "$@"
  if [ "$RC" = 0 ]; then pass "$name"; else fail "$name" "rc=$RC: $(head -c 300 "log/$name.err")"; fi
}

# ---- data: a dataset, a run by index, its compressed forms ----
run_logged 2 log/gen gen g.h5 --users 600 --items 120 --dim 8 --seed 7
[ "$RC" = 0 ] || { echo "FAIL gen: $(cat log/gen.err)"; exit 1; }
if ! "$PY" - <<'PYEOF' 2> log/make.err; then echo "FAIL make: $(cat log/make.err)"; exit 1; fi
import gzip, random, struct, zlib
rnd = random.Random(3)
lines = [f"{u} Q0 {i} {r + 1} {1.0 - r / 16:.4f} t\n"
         for u in range(600) for r, i in enumerate(rnd.sample(range(120), 12))]
data = "".join(lines).encode()
open("run.trec", "wb").write(data)
whole = gzip.compress(data, mtime=0)
open("run.trec.gz", "wb").write(whole)
half = len("".join(lines[: len(lines) // 2]).encode())
open("concat.trec.gz", "wb").write(gzip.compress(data[:half], mtime=0) + gzip.compress(data[half:], mtime=0))
co = zlib.compressobj(9, zlib.DEFLATED, 31)
open("linecut.trec.gz", "wb").write(co.compress(data[:half]) + co.flush(zlib.Z_FULL_FLUSH))
open("midcut.trec.gz", "wb").write(whole[: len(whole) // 2])
open("notrailer.trec.gz", "wb").write(whole[:-8])
crc, size = struct.unpack("<II", whole[-8:])
open("badcrc.trec.gz", "wb").write(whole[:-8] + struct.pack("<II", crc ^ 1, size))
open("badlen.trec.gz", "wb").write(whole[:-8] + struct.pack("<II", crc, size + 1))
open("garbage.trec.gz", "wb").write(whole + b"junk")
open("cr.trec", "wb").write(data.replace(b"\n", b"\r"))
csv = "user,item,rating\n" + "".join(f"u{u},i{(u * 7 + j) % 40},{1 + (u + j) % 5}\n" for u in range(60) for j in range(4))
open("ok.csv", "w").write(csv)
open("ok.csv.gz", "wb").write(gzip.compress(csv.encode(), mtime=0))
open("okcut.csv.gz", "wb").write(gzip.compress(csv.encode(), mtime=0)[:-4])
open("cr.csv", "w").write(csv.replace("\n", "\r"))
open("extra.csv", "w").write("user,item\nu1,i1\nu1,Item, A\nu2,i2\n")
open("extra_nh.csv", "w").write("u1,i1,5\nu1,i2,4\nu2,i1,3,9\n")
open("blank_first.csv", "w").write("\nuser,item\nu1,i1,x\nu2,i2\n")
PYEOF
mkdir -p ml adir.h5 fifo_res fifo_model
printf 'userId,movieId,rating,timestamp\n1,10,4.0,100\n1,20,3.5,200,7\n' > ml/ratings.csv
printf 'movieId,title,genres\n10,Ten,Drama\n20,Twenty,Comedy\n' > ml/movies.csv
mkfifo run.fifo data.fifo src.fifo meta_fifo.csv emb_fifo.csv fifo_res/results.h5 fifo_model/model.h5

# ---- good inputs: plain, gzip, concatenated members: identical metrics ----
for f in run.trec run.trec.gz concat.trec.gz; do accepted "runs_$f" runs g.h5 "$f" --out "out/$f" --k 5,10; done
if "$PY" -c '
import json, sys
m = [json.load(open(f"out/{f}/report.json"))["metrics"] for f in sys.argv[1:]]
assert m[0] and m[0] == m[1] == m[2], "metrics differ"
print(m[0]["ndcg@10"]["mean"])' run.trec run.trec.gz concat.trec.gz > log/same.out 2>&1; then
  pass "gzip_identical_metrics  ndcg@10 $(cat log/same.out) for all three"
else fail gzip_identical_metrics "$(cat log/same.out)"; fi
accepted prepare_csv prepare csv ok.csv ok.h5 --dim 4
accepted prepare_csv_gz prepare csv ok.csv.gz okgz.h5 --dim 4
if "$PY" -c '
import h5py, numpy as np
a, b = h5py.File("ok.h5", "r"), h5py.File("okgz.h5", "r")
for k in ["train/indptr", "train/indices", "test/indptr", "test/indices", "items/embedding", "items/id", "users/id"]:
    assert np.array_equal(a[k][:], b[k][:]), k' > log/same_csv.out 2>&1; then
  pass prepare_gzip_identical
else fail prepare_gzip_identical "$(cat log/same_csv.out)"; fi

# ---- broken gzip and CR-only line ends: exit 3 ----
refused gz_line_boundary_cut 3 "linecut.trec.gz|truncated" out/r1 runs g.h5 linecut.trec.gz --out out/r1
refused gz_mid_cut 3 "midcut.trec.gz|truncated" out/r2 runs g.h5 midcut.trec.gz --out out/r2
refused gz_no_trailer 3 "notrailer.trec.gz|truncated" out/r3 runs g.h5 notrailer.trec.gz --out out/r3
refused gz_bad_crc 3 "badcrc.trec.gz|corrupt gzip|incorrect data check" out/r4 runs g.h5 badcrc.trec.gz --out out/r4
refused gz_bad_length 3 "badlen.trec.gz|corrupt gzip|incorrect length check" out/r5 runs g.h5 badlen.trec.gz --out out/r5
refused gz_trailing_bytes 3 "garbage.trec.gz|corrupt gzip|after the last member" out/r6 runs g.h5 garbage.trec.gz --out out/r6
refused cr_only_run 3 "cr.trec|CR-only line ends" out/r7 runs g.h5 cr.trec --out out/r7
refused cr_only_csv 3 "cr.csv|CR-only line ends" cr.h5 prepare csv cr.csv cr.h5
refused csv_gz_cut 3 "okcut.csv.gz|truncated" okcut.h5 prepare csv okcut.csv.gz okcut.h5

# ---- fields beyond the header: exit 3, FILE:LINE ----
refused csv_extra_field 3 "extra.csv:3: 3 fields, expected 2" extra.h5 prepare csv extra.csv extra.h5
refused csv_header_after_blank_line 3 "blank_first.csv:3: 3 fields, expected 2" blank.h5 prepare csv blank_first.csv blank.h5
refused csv_extra_field_no_header 3 "extra_nh.csv:3: 4 fields, expected 3" extra_nh.h5 prepare csv extra_nh.csv extra_nh.h5 --no-header
refused movielens_extra_field 3 "ml/ratings.csv:3: 5 fields, expected 4" ml.h5 prepare movielens ml ml.h5

# ---- not regular files: exit 4, never opened ----
refused runs_fifo 4 "run.fifo|not a regular file|FIFO" out/f1 runs g.h5 run.fifo --out out/f1
refused runs_dev_zero 4 "/dev/zero|not a regular file|character device" out/f2 runs g.h5 /dev/zero --out out/f2
refused eval_fifo 4 "data.fifo|not a regular file|FIFO" out/f3 eval data.fifo --out out/f3
refused train_fifo 4 "data.fifo|not a regular file|FIFO" out/f4 train data.fifo --out out/f4 --model item-weight
refused inspect_fifo 4 "data.fifo|not a regular file|FIFO" nothing.h5 inspect data.fifo
refused eval_dir 4 "adir.h5: not a regular file (the dataset is a directory)" out/f5 eval adir.h5 --out out/f5
refused inspect_dir 4 "$(grep -m1 '^receval: error: ' log/eval_dir.err | sed 's/^receval: error: //')" adir.h5/x inspect adir.h5
refused prepare_fifo 4 "src.fifo|not a regular file|FIFO" p1.h5 prepare csv src.fifo p1.h5
refused prepare_item_meta_fifo 4 "meta_fifo.csv|not a regular file|FIFO" p2.h5 prepare csv ok.csv p2.h5 --item-meta meta_fifo.csv
refused prepare_embeddings_fifo 4 "emb_fifo.csv|not a regular file|FIFO" p3.h5 prepare csv ok.csv p3.h5 --embeddings emb_fifo.csv
refused compare_fifo 4 "fifo_res/results.h5|not a regular file|FIFO" out/x compare fifo_res out/run.trec
refused eval_model_fifo 4 "fifo_model/model.h5|not a regular file|FIFO" out/f6 eval g.h5 --out out/f6 --model fifo_model

echo "inputs: $npass passed, $nfail failed"
[ "$nfail" = 0 ]
