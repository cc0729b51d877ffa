# shellcheck shell=bash
# receval job environment: the ONE place to adapt the job scripts to a site.
# Sourced by eval.sbatch, sweep.sbatch, scaling.sbatch and train.sbatch.
# Edit the module lines for your cluster (names differ between sites; `module
# avail openmpi hdf5` lists yours). Everything else can stay as it is.

if command -v module >/dev/null 2>&1; then
  : # module purge
  : # module load gcc/12 openmpi/4.1 hdf5/1.10-openmpi openblas/0.3 protobuf-c
fi

# The receval executable (a path, or a name on PATH after the module loads).
RECEVAL=${RECEVAL:-receval}
# How MPI ranks are started. Slurm's own launcher with PMIx is the default;
# `srun --mpi=pmix` is required with Debian/Ubuntu Open MPI (plain srun and
# --mpi=pmi2 fail there). Outside a Slurm allocation RV_LAUNCH=mpirun works too.
RV_LAUNCH=${RV_LAUNCH:-srun --mpi=pmix}
# One BLAS thread per rank: ranks, not threads, fill the cores (cluster/README.md).
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1} OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}

# --- helpers for the job scripts (no site settings below) ---
rv_log() { echo "$(date -u +%H:%M:%S) ${RV_SCRIPT:-${0##*/}}: $*" >&2; }
rv_fail() { local st=$1; shift; echo "${RV_SCRIPT:-${0##*/}}: error: $*" >&2; exit "$st"; }
# Job context for the log: job, array task, restart count, nodes, ranks.
rv_job_banner() {
  rv_log "job ${SLURM_JOB_ID:-none}${SLURM_ARRAY_TASK_ID:+ task $SLURM_ARRAY_TASK_ID}" \
    "restarts ${SLURM_RESTART_COUNT:-0} nodes ${SLURM_JOB_NODELIST:-local} ranks ${SLURM_NTASKS:-?}" \
    "receval $(command -v "$RECEVAL" || echo "$RECEVAL (not found)")"
}
# Runs receval on the job's ranks; `rv_run -n 4 eval ...` to choose a count.
rv_run() {
  local nflag=()
  if [ "${1:-}" = -n ]; then nflag=(-n "$2"); shift 2; fi
  # shellcheck disable=SC2086  # RV_LAUNCH is a command line
  $RV_LAUNCH "${nflag[@]}" "$RECEVAL" "$@"
}
# Waits for background PID under trapped signals; returns its exit status.
# A wait interrupted by a trapped signal returns 128+signal without reaping
# the child: while the child runs, wait again; if it exited meanwhile (e.g. a
# quick checkpoint after the forwarded signal), one more wait gives its real
# status (127 there means the first wait had reaped it: that status was its own).
rv_wait() {
  local st real
  while :; do
    wait "$1"; st=$?
    [ "$st" -gt 128 ] || return "$st"
    kill -0 "$1" 2>/dev/null && continue
    wait "$1"; real=$?
    [ "$real" -eq 127 ] && return "$st"
    return "$real"
  done
}
