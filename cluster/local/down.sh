#!/usr/bin/env bash
# Stops the local cluster started by up.sh and removes all it made: every
# process in its namespaces (daemons, job steps, MPI ranks; with them the
# private /dev/shm mounts), the namespaces, munged, and its folder.
# Safe to run when nothing is running. RV_KEEP_DIR=1 keeps the folder (logs).
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
[ "$(id -u)" = 0 ] || rv_die "must run as root"
D=$RV_CLUSTER_DIR
mapfile -t NSS < <(rv_our_namespaces)
ns_pids() { for ns in "${NSS[@]}"; do ip netns pids "$ns" 2>/dev/null; done | sort -u; }
pidfile_pid() { [ -f "$1" ] && cat "$1" 2>/dev/null; }
munge_pids() { pidfile_pid "$D/run/munged.pid"; pidfile_pid "$D/run/munged.launch.pid"; }
alive() { for p in "$@"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
# Only processes inside our namespaces, and our own munged (checked by its name).
mapfile -t PIDS < <(ns_pids)
MUNGE=()
for p in $(munge_pids | sort -u); do
  [ "$(cat "/proc/$p/comm" 2>/dev/null)" = munged ] && MUNGE+=("$p")
done
if [ ${#PIDS[@]} -gt 0 ]; then
  kill -TERM "${PIDS[@]}" 2>/dev/null
  for _ in $(seq 30); do alive "${PIDS[@]}" || break; sleep 0.1; done
  mapfile -t PIDS < <(ns_pids)
  [ ${#PIDS[@]} -gt 0 ] && kill -KILL "${PIDS[@]}" 2>/dev/null
  for _ in $(seq 30); do mapfile -t PIDS < <(ns_pids); [ ${#PIDS[@]} = 0 ] && break; sleep 0.1; done
fi
for ns in "${NSS[@]}"; do ip netns del "$ns" 2>/dev/null || echo "cluster: warning: could not delete namespace $ns" >&2; done
if [ ${#MUNGE[@]} -gt 0 ]; then
  kill -TERM "${MUNGE[@]}" 2>/dev/null
  for _ in $(seq 30); do alive "${MUNGE[@]}" || break; sleep 0.1; done
  alive "${MUNGE[@]}" && kill -KILL "${MUNGE[@]}" 2>/dev/null
fi
if [ "${RV_KEEP_DIR:-0}" != 1 ] && [ -d "$D" ]; then
  case "$D" in /|/tmp|/root|"") rv_die "refusing to remove $D";; esac
  rm -rf "$D"
fi
left=$(rv_our_namespaces)
[ -z "$left" ] || rv_die "namespaces left: $left"
echo "cluster $RV_CLUSTER: stopped"
