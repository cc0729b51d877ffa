#!/usr/bin/env bash
# The floors of src/ (docs/design.md, "Floors"): a folder includes only itself
# and the folders listed for it, so every include arrow points down. Prints
# each arrow that breaks the rule and exits 1; exit 0 when there is none.
#   usage: tests/lint/floors.sh [SRC_DIR]
set -uo pipefail
SRC=${1:-$(dirname "$0")/../../src}
declare -A may=(
  [base]="base"
  [kernels]="kernels base"
  [metrics]="metrics kernels base"
  [comm]="comm kernels base"
  [io]="io kernels base"
  [linalg]="linalg comm kernels base"
  [prep]="prep io kernels base"
  [train]="train linalg comm io kernels base"
  [core]="core train metrics linalg prep comm io kernels base"
  [cli]="cli core train metrics linalg prep comm io kernels base"
)
bad=0
while IFS= read -r f; do
  dir=$(basename "$(dirname "$f")")
  [ -n "${may[$dir]:-}" ] || { echo "floors: $f: folder '$dir' has no floor (add it to tests/lint/floors.sh and docs/design.md)"; bad=1; continue; }
  while IFS= read -r inc; do
    case $inc in */*) to=${inc%%/*} ;; *) continue ;; esac   # same-folder and generated headers
    case " ${may[$dir]} " in *" $to "*) ;; *) echo "floors: $f includes $inc ($dir may include: ${may[$dir]})"; bad=1 ;; esac
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
done < <(find "$SRC" -mindepth 2 -name '*.[ch]' | sort)
# src/receval.h (rv_run) is the program's entry, defined in cli: only cli includes it.
out=$(grep -l '#include "receval.h"' $(find "$SRC" -mindepth 2 -name '*.[ch]' -not -path '*/cli/*') 2>/dev/null)
[ -n "$out" ] && { echo "$out" | sed 's/^/floors: /; s/$/: includes receval.h (only cli may)/'; bad=1; }
# Sizes: no file over 600 lines.
find "$SRC" -name '*.[ch]' -exec wc -l {} + | awk '$2 != "total" && $1 > 600 {print "floors: " $2 ": " $1 " lines (limit 600)"; b=1} END {exit b}' || bad=1
# Lengths: no function over 120 lines (tests/lint/fnlen.awk).
out=$(awk -v LIMIT=120 -f "$(dirname "$0")/fnlen.awk" $(find "$SRC" -name '*.c'))
[ -n "$out" ] && { echo "$out" | sed 's/^/floors: function of /'; bad=1; }
[ $bad = 0 ] && echo "floors: every include points down; no file over 600 lines, no function over 120"
exit $bad
