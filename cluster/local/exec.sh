#!/usr/bin/env bash
# Runs a command (a Slurm client: sbatch, squeue, scontrol, srun, or a shell)
# inside the local cluster's head namespace, with its environment.
# Usage: exec.sh CMD [ARGS...]      Env: RV_CLUSTER, RV_CLUSTER_DIR
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
[ $# -gt 0 ] || { echo "usage: exec.sh CMD [ARGS...]" >&2; exit 2; }
[ -f "$RV_CLUSTER_DIR/env.sh" ] || rv_die "cluster $RV_CLUSTER is not up (no $RV_CLUSTER_DIR/env.sh); run up.sh N"
source "$RV_CLUSTER_DIR/env.sh"
exec ip netns exec "$RV_HEAD_NS" "$@"
