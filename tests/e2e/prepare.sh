#!/usr/bin/env bash
# `receval prepare` and `receval inspect` end to end:
#  - fixtures the test writes itself, one per converter, with the real quirks
#    (CRLF, quoted titles with commas and quotes, latin-1 text, repeated
#    (user, item) pairs, "(no genres listed)", gzip JSON lines, repeated
#    metadata rows): every array of the output against hand-derived values;
#  - embeddings imported from .npy + ids, HDF5 and CSV, matched by id (rows
#    shuffled), with errors for missing and extra ids;
#  - the output passes `receval eval` at 2 ranks and `inspect` (valid, then
#    a corrupted copy: exit 3); a failing prepare leaves no file;
#  - the real datasets in ../shared/data (skipped when absent): ml-latest-small
#    gives 610 users and 100,836 ratings, and its leave-one-out split equals an
#    independent Python computation from the CSV; Amazon's 73 repeated pairs;
#    Last.fm's sizes.
# Usage: prepare.sh RECEVAL WORKDIR [DATA_DIR]   (env: RV_PYTHON3, RV_MPIEXEC)
set -u
RECEVAL=$1 WORK=$2
DATA=${3:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/data}
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1

# ---- A. ml-latest layout (CRLF, quotes, duplicate pair, tags) ----
mkdir -p mlA
printf 'userId,movieId,rating,timestamp\r\n1,10,4.0,100\r\n1,20,3.5,200\r\n1,10,5.0,300\r\n2,20,2.0,150\r\n2,30,4.5,160\r\n2,10,1.0,170\r\n3,30,5.0,400\r\n' > mlA/ratings.csv
printf 'movieId,title,genres\r\n10,"American President, The (1995)",Comedy|Drama|Romance\r\n20,"Movie ""Quoted"" (2000)",(no genres listed)\r\n30,Plain (2001),Drama\r\n40,Unrated (2002),Horror\r\n' > mlA/movies.csv
printf 'userId,movieId,tag,timestamp\r\n1,10,politics,1\r\n2,10,Politics,2\r\n2,30,"dark, moody",3\r\n' > mlA/tags.csv
check prepare_mlA "$RECEVAL" prepare movielens mlA mlA.h5 --graded --dim 8
check prepare_mlA_counts grep -q "source: 3 users, 3 items, 7 interactions" log.prepare_mlA
check check_mlA "$PY" - <<'PYEOF'
import h5py, numpy as np
f = h5py.File("mlA.h5", "r")
s = lambda d: [x.decode() for x in f[d][:]]
assert f.attrs["n_users"] == 3 and f.attrs["n_items"] == 3 and f.attrs["dim"] == 8
assert f.attrs["removed_duplicates"] == 1
assert s("users/id") == ["1", "2", "3"] and s("items/id") == ["10", "20", "30"]   # 40 has no rating
assert s("items/title") == ["American President, The (1995)", 'Movie "Quoted" (2000)', "Plain (2001)"]
t = s("items/text")
assert t[0] == "American President, The (1995)\nGenres: Comedy, Drama, Romance\nTags: politics", t[0]
assert t[1] == 'Movie "Quoted" (2000)', t[1]
assert t[2] == "Plain (2001)\nGenres: Drama\nTags: dark, moody", t[2]
# loo: u1 20@200 10@300 -> test 10; u2 20@150 30@160 10@170 -> test 10; u3 30 only.
assert list(f["train/indptr"]) == [0, 1, 3, 4] and list(f["train/indices"]) == [1, 1, 2, 2]
assert list(f["test/indptr"]) == [0, 1, 2, 2] and list(f["test/indices"]) == [0, 0]
assert list(f["test/values"]) == [5.0, 1.0]            # the later rating of (1, 10) is kept
assert list(f["train/values"]) == [3.5, 2.0, 4.5, 5.0]
assert list(f["train/timestamp"]) == [200, 150, 160, 400]
assert s("items/category_names") == ["Comedy", "Drama", "Romance", "Horror"]
assert list(f["items/category/indptr"]) == [0, 3, 3, 4] and list(f["items/category/indices"]) == [0, 1, 2, 1]
assert f["items/embedding"].dtype == np.float32 and f["train/indices"].dtype == np.int32
assert np.allclose(np.linalg.norm(f["items/embedding"][:], axis=1), 1.0, atol=1e-6)
PYEOF
check h5dump_mlA h5dump -H mlA.h5
check eval_mlA run 2 "$RECEVAL" eval mlA.h5 --out evA --k 1,2 --metrics all
check inspect_mlA run 2 "$RECEVAL" inspect mlA.h5
check inspect_mlA_valid grep -q "verdict: valid" log.inspect_mlA
# inspect's row statistics (no rank holds all row pointers: lengths are
# gathered) against numpy, at 1 and 3 ranks.
check gen_stats run 2 "$RECEVAL" gen st.h5 --users 1500 --items 200 --dim 8 --seed 9
inspect_stats() {  # inspect_stats NP
  "$MPIRUN" --timeout 60 -np "$1" "$RECEVAL" inspect st.h5 > "st$1.txt" 2>&1 || return 1
  "$PY" - "st$1.txt" <<'PYEOF'
import re, sys
import h5py, numpy as np
text = open(sys.argv[1]).read()
f = h5py.File("st.h5")
for group, label in (("train", "train items per user"), ("test", "test items per user")):
    n = np.diff(f[group + "/indptr"][:])
    med = np.median(n)
    want = f"{label:<28} min {n.min()}, median {med:g}, max {n.max()}, mean {n.sum() / len(n):.3f}; {(n == 0).sum()} empty"
    assert "  " + want in text, f"expected '{want}' in:\n{text}"
    print(want)
PYEOF
}
check inspect_stats_np1 inspect_stats 1
check inspect_stats_np3 inspect_stats 3
cp mlA.h5 bad.h5
check corrupt "$PY" -c "import h5py; f = h5py.File('bad.h5', 'r+'); f['test/indices'][1] = 7"
check inspect_invalid bash -c "'$MPIRUN' --timeout 60 -np 2 '$RECEVAL' inspect bad.h5 > out.inv 2>&1; test \$? -eq 3 && grep -q 'verdict: INVALID: .*/test/indices: row 1.*7 out of range' out.inv"

check inspect_missing bash -c "'$RECEVAL' inspect nothere.h5 > /dev/null 2>&1; test \$? -eq 4"
check inspect_not_hdf5 bash -c "'$RECEVAL' inspect mlA/ratings.csv > /dev/null 2>&1; test \$? -eq 3"

# ---- B. ml-1m layout ("::", latin-1 titles) and C. ml-100k layout (tab, '|', genre flags) ----
mkdir -p ml1m ml100k
printf '1::1::5::978300760\n1::2::3::978302109\n2::1::4::978301968\n' > ml1m/ratings.dat
printf '1::Caf\xe9 Society (1999)::Comedy|Drama\n2::Na\xefve (2000)::Thriller\n' > ml1m/movies.dat
check prepare_ml1m "$RECEVAL" prepare movielens ml1m ml1m.h5 --split random --test-frac 0.5 --seed 3 --dim 4
printf '1\t1\t5\t10\n1\t2\t3\t20\n2\t2\t4\t30\n2\t1\t2\t40\n' > ml100k/u.data
printf 'unknown|0\nAction|1\nComedy|2\n' > ml100k/u.genre
printf '1|Toy (1995)|01-Jan-1995||http://x|0|0|1\n2|S\xe9ance (1996)|01-Jan-1996||http://y|1|1|0\n' > ml100k/u.item
check prepare_ml100k "$RECEVAL" prepare movielens ml100k ml100k.h5 --threshold 3 --dim 4
check check_ml_dat "$PY" - <<'PYEOF'
import h5py
f = h5py.File("ml1m.h5", "r")
assert [x.decode() for x in f["items/title"][:]] == ["Caf\u00e9 Society (1999)", "Na\u00efve (2000)"]
assert [x.decode() for x in f["items/category_names"][:]] == ["Comedy", "Drama", "Thriller"]
# random 0.5: user 1 has 2 -> round(1.0) = 1 test; user 2 has 1 -> capped at 0.
assert list(f["test/indptr"]) == [0, 1, 1]
g = h5py.File("ml100k.h5", "r")
# threshold 3 keeps (1,1)=5, (1,2)=3, (2,2)=4; user 2 keeps one: train only.
assert g.attrs["removed_below_threshold"] == 1
assert list(g["train/indptr"]) == [0, 1, 2] and list(g["test/indptr"]) == [0, 1, 1]
assert list(g["test/indices"]) == [1]          # user 1's last by time is item 2 (t = 20)
assert [x.decode() for x in g["items/title"][:]] == ["Toy (1995)", "S\u00e9ance (1996)"]
# genre flags: item 1 Comedy; item 2 unknown (not a category) and Action
names = [x.decode() for x in g["items/category_names"][:]]
cats = [[names[c] for c in g["items/category/indices"][g["items/category/indptr"][i]:g["items/category/indptr"][i + 1]]] for i in range(2)]
assert cats == [["Comedy"], ["Action"]], cats
PYEOF

# ---- D. generic CSV: custom header names, ';' separator, item metadata ----
printf 'user_id;movie;stars;when\nu1;i1;5;1\nu1;i2;4;2\nu2;i2;3;1\nu2;i1;2;3\nu2;i2;5;4\n' > inter.csv
printf 'item,title,categories\ni1,"One, The",a|b\ni2,Two,b\n' > meta.csv
check prepare_csv "$RECEVAL" prepare csv inter.csv csv.h5 --delimiter ';' --user-col user_id --item-col movie \
  --rating-col stars --time-col when --item-meta meta.csv --dim 4
check check_csv "$PY" - <<'PYEOF'
import h5py
f = h5py.File("csv.h5", "r")
assert f.attrs["removed_duplicates"] == 1           # (u2, i2) at t=1 and t=4
assert list(f["test/indices"]) == [1, 1]            # u1: i2 (t=2); u2: i2 (t=4)
assert list(f["train/values"]) == [5, 2]
assert [x.decode() for x in f["items/title"][:]] == ["One, The", "Two"]
PYEOF
check csv_missing_col bash -c "'$RECEVAL' prepare csv inter.csv x.h5 --delimiter ';' --user-col user_id --item-col movie --rating-col score > out.mc 2>&1; test \$? -eq 3 && grep -q \"inter.csv:1: the header has no 'score' column (--rating-col)\" out.mc"
printf 'a,x\nb,x\nb,y\n' > nohead.csv
check prepare_csv_noheader "$RECEVAL" prepare csv nohead.csv nh.h5 --no-header --split temporal --test-frac 0.34
check csv_bad_header bash -c "'$RECEVAL' prepare csv inter.csv x.h5 > out.bh 2>&1; test \$? -eq 3 && grep -q \"inter.csv:1: the header has no 'user'\" out.bh"

# ---- E. Amazon 2018 (gzip JSON lines; repeated metadata rows; HTML entities) ----
mkdir -p amz
"$PY" - <<'PYEOF'
import gzip, json
rev = [("A", "P1", 5, 10), ("A", "P2", 4, 20), ("A", "P1", 3, 30), ("B", "P2", 2, 5), ("B", "P3", 5, 6)]
with gzip.open("amz/Tiny_5.json.gz", "wt") as f:
    for u, i, r, t in rev:
        f.write(json.dumps({"overall": float(r), "reviewerID": u, "asin": i, "unixReviewTime": t, "reviewText": f"{u} on {i}"}) + "\n")
    # B repeats its P2 text under the variant P4 (dropped with --dedup-text); C's empty texts never match.
    f.write(json.dumps({"overall": 4.0, "reviewerID": "B", "asin": "P4", "unixReviewTime": 7, "reviewText": "B on P2"}) + "\n")
    f.write(json.dumps({"overall": 4.0, "reviewerID": "C", "asin": "P1", "unixReviewTime": 8, "reviewText": ""}) + "\n")
    f.write(json.dumps({"overall": 4.0, "reviewerID": "C", "asin": "P2", "unixReviewTime": 9, "reviewText": ""}) + "\n")
meta = [{"asin": "P1", "title": "<span class=\"x\"", "description": ["Fine & fun"], "category": ["Root", "Arts &amp; Music"], "brand": "Acme"},
        {"asin": "P1", "title": "Second row", "description": ["ignored"]},
        {"asin": "P2", "title": "Plain Title", "category": ["Root", "News"]},
        {"asin": "P9", "title": "Never reviewed"}]
with gzip.open("amz/meta_Tiny.json.gz", "wt") as f:
    for m in meta:
        f.write(json.dumps(m) + "\n")
PYEOF
check prepare_amazon "$RECEVAL" prepare amazon amz amz.h5 --dim 4
check prepare_amazon_text "$RECEVAL" prepare amazon amz amzt.h5 --dim 4 --dedup-text
check check_amazon "$PY" - <<'PYEOF'
import h5py
f = h5py.File("amz.h5", "r")
s = lambda d: [x.decode() for x in f[d][:]]
assert f.attrs["removed_duplicates"] == 1 and s("items/id") == ["P1", "P2", "P3", "P4"]
g = h5py.File("amzt.h5", "r")
assert g.attrs["removed_same_text"] == 1 and [x.decode() for x in g["items/id"][:]] == ["P1", "P2", "P3"]
assert g.attrs["source_interactions"] == 7 and f.attrs["source_interactions"] == 8
assert s("items/title") == ["", "Plain Title", "", ""]   # markup is not a title; P3, P4 have no metadata
t = s("items/text")
assert t[0] == "Description: Fine & fun\nCategory: Root, Arts & Music\nBrand: Acme", t[0]
assert t[1] == "Plain Title\nCategory: Root, News" and t[2] == "" and t[3] == ""
assert s("items/category_names") == ["Arts & Music", "News"]
PYEOF

# ---- F. HetRec Last.fm (CRLF, play counts) ----
mkdir -p lfm
printf 'userID\tartistID\tweight\r\n2\t51\t100\r\n2\t52\t7\r\n3\t51\t1\r\n' > lfm/user_artists.dat
printf 'id\tname\turl\tpictureURL\n51\tDuran Duran\thttp://a\thttp://b\n52\tMorcheeba\thttp://c\thttp://d\n' > lfm/artists.dat
check prepare_lastfm "$RECEVAL" prepare lastfm lfm lfm.h5 --graded --dim 4
check check_lastfm "$PY" - <<'PYEOF'
import h5py
f = h5py.File("lfm.h5", "r")
assert [x.decode() for x in f["items/title"][:]] == ["Duran Duran", "Morcheeba"]
assert list(f["test/indices"]) == [1] and list(f["test/values"]) == [7.0]   # no time: file order
PYEOF

# ---- H. Embeddings imported by id ----
check embed_files "$PY" - <<'PYEOF'
import h5py, numpy as np
ids = ["30", "10", "99", "20"]                      # shuffled, "99" is no catalogue item
v = np.arange(20, dtype=np.float64).reshape(4, 5) / 7.0
np.save("emb.npy", v)
open("emb.ids.txt", "w").write("\r\n".join(ids) + "\r\n")
np.save("emb3.npy", v[[0, 1, 3]])
open("emb3.ids.txt", "w").write("\n".join(["30", "10", "20"]) + "\n")
with h5py.File("emb.h5", "w") as f:
    f["embedding"] = v[[0, 1, 3]].astype(np.float32)
    f["id"] = np.array([b"30", b"10", b"20"])
with open("emb.csv", "w") as f:
    f.write("id,a,b,c,d,e\n")
    for i, r in zip(["30", "10", "20"], v[[0, 1, 3]]):
        f.write(i + "," + ",".join(repr(x) for x in r) + "\n")
np.save("emb2.npy", v[:2])
open("emb2.ids.txt", "w").write("30\n10\n")
PYEOF
check embed_extra bash -c "'$RECEVAL' prepare movielens mlA x.h5 --embeddings emb.npy > out.ex 2>&1; test \$? -eq 3 && grep -q \"emb.npy: 1 vectors name no catalogue item (first: id '99')\" out.ex && test ! -e x.h5 && test ! -e x.h5.tmp"
check embed_missing bash -c "'$RECEVAL' prepare movielens mlA x.h5 --embeddings emb2.npy > out.mi 2>&1; test \$? -eq 3 && grep -q \"no vector for 1 of the 3 catalogue items (first: id '20')\" out.mi"
check embed_npy "$RECEVAL" prepare movielens mlA e1.h5 --embeddings emb.npy --ignore-extra-embeddings
check embed_npy3 "$RECEVAL" prepare movielens mlA e2.h5 --embeddings emb3.npy
check embed_h5 "$RECEVAL" prepare movielens mlA e3.h5 --embeddings emb.h5
check embed_csv "$RECEVAL" prepare movielens mlA e4.h5 --embeddings emb.csv
check embed_values "$PY" - <<'PYEOF'
import h5py, numpy as np
v = np.arange(20, dtype=np.float64).reshape(4, 5) / 7.0
want = v[[1, 3, 0]].astype(np.float32)          # catalogue order 10, 20, 30
for name in ["e1", "e2", "e3", "e4"]:
    with h5py.File(name + ".h5", "r") as f:
        got = f["items/embedding"][:]
        assert f.attrs["dim"] == 5 and np.array_equal(got, want), (name, got)
        enc = f.attrs["encoder"]
        enc = enc.decode() if isinstance(enc, bytes) else enc
        assert "imported from" in enc, (name, enc)
PYEOF

# ---- I. A failing prepare leaves nothing ----
mkdir -p mlBad && cp mlA/movies.csv mlBad/ && printf 'userId,movieId,rating,timestamp\n1,10,4.0,100\n1,20,x,200\n' > mlBad/ratings.csv
check prepare_bad bash -c "'$RECEVAL' prepare movielens mlBad bad2.h5 > out.bad 2>&1; test \$? -eq 3 && grep -q \"ratings.csv:3: rating 'x' is not a number\" out.bad && test ! -e bad2.h5 && test ! -e bad2.h5.tmp"
check prepare_usage bash -c "'$RECEVAL' prepare movielens mlA > /dev/null 2>&1; test \$? -eq 2"
check prepare_np2 run 2 "$RECEVAL" prepare movielens mlA np2.h5 --graded --dim 8
check prepare_np2_same "$PY" -c "
import h5py, numpy as np
a, b = h5py.File('mlA.h5', 'r'), h5py.File('np2.h5', 'r')
names = []
a.visit(lambda n: names.append(n) if isinstance(a[n], h5py.Dataset) else None)
assert all(np.array_equal(a[n][()], b[n][()]) for n in names), 'differs'"

# ---- G. The real datasets (skipped when absent) ----
if [ -d "$DATA/ml-latest-small" ]; then
  check real_ml "$RECEVAL" prepare movielens "$DATA/ml-latest-small" ml.h5
  check real_ml_counts grep -q "source: 610 users, 9724 items, 100836 interactions" log.real_ml
  check real_ml_loo "$PY" - "$DATA/ml-latest-small" <<'PYEOF'
import csv, sys, h5py, numpy as np
rows = list(csv.reader(open(sys.argv[1] + "/ratings.csv", newline="")))[1:]
assert len(rows) == 100836 and len({r[0] for r in rows}) == 610
last = {}
for pos, (u, i, r, t) in enumerate(rows):
    key = (int(t), pos)
    if u not in last or key > last[u][0]:
        last[u] = (key, i)
titles = {r[0]: r[1] for r in list(csv.reader(open(sys.argv[1] + "/movies.csv", newline="", encoding="utf-8")))[1:]}
f = h5py.File("ml.h5", "r")
uid = [x.decode() for x in f["users/id"][:]]
iid = [x.decode() for x in f["items/id"][:]]
tp, ti = f["test/indptr"][:], f["test/indices"][:]
assert all(tp[u + 1] - tp[u] == 1 and iid[ti[tp[u]]] == last[uid[u]][1] for u in range(610))
assert f["train/indices"].shape[0] + ti.shape[0] == 100836
got = [x.decode() for x in f["items/title"][:]]
assert all(got[k] == titles[iid[k]] for k in range(len(iid)))
assert any("," in t for t in got)
PYEOF
else
  echo "SKIP real_ml: $DATA/ml-latest-small is absent"
fi
if [ -d "$DATA/amazon2018-magazine-subscriptions" ]; then
  check real_amazon "$RECEVAL" prepare amazon "$DATA/amazon2018-magazine-subscriptions" amzr.h5 --kcore 5
  check real_amazon_text "$RECEVAL" prepare amazon "$DATA/amazon2018-magazine-subscriptions" amzt.h5 --dedup-text
  check real_amazon_dups "$PY" - "$DATA/amazon2018-magazine-subscriptions" <<'PYEOF'
import gzip, json, sys, h5py
pairs = [(r["reviewerID"], r["asin"]) for r in map(json.loads, gzip.open(sys.argv[1] + "/Magazine_Subscriptions_5.json.gz", "rt"))]
f = h5py.File("amzr.h5", "r")
assert f.attrs["source_interactions"] == len(pairs) == 2375
assert f.attrs["removed_duplicates"] == len(pairs) - len(set(pairs)) == 73
# A review repeating (user, text) first posted under another item (README: 420 repeats of
# user and text in all; the rest repeat it under the same item: repeated pairs).
first, same, repeats = {}, 0, 0
for r in map(json.loads, gzip.open(sys.argv[1] + "/Magazine_Subscriptions_5.json.gz", "rt")):
    t = r.get("reviewText", "")
    if t:
        key = (r["reviewerID"], t)
        repeats += key in first
        same += key in first and first[key] != r["asin"]
        first.setdefault(key, r["asin"])
assert repeats == 420, repeats
assert h5py.File("amzt.h5", "r").attrs["removed_same_text"] == same, same
PYEOF
else
  echo "SKIP real_amazon: absent"
fi
if [ -d "$DATA/hetrec2011-lastfm-2k-partial" ]; then
  check real_lastfm "$RECEVAL" prepare lastfm "$DATA/hetrec2011-lastfm-2k-partial" lf.h5
  check real_lastfm_counts grep -q "source: 1892 users, 17632 items, 92834 interactions" log.real_lastfm
else
  echo "SKIP real_lastfm: absent"
fi

echo "prepare.sh: $fails failure(s)"
exit $((fails > 0))
