#!/usr/bin/env bash
# Starts a local N-node Slurm cluster on this machine (root, Linux):
#   munged in the root namespace (its socket is a path, reachable from every namespace),
#   slurmctld in a "head" network namespace (hostname head, bridge 127.77.0.254/24),
#   one slurmd per node in its own network, UTS and mount namespace (address
#   127.77.0.I on a veth to the bridge, hostname nodeI, private /dev/shm).
# MPI ranks on different nodes talk TCP over the veths, as on separate hosts.
# A previous cluster of the same name is stopped first, so running it twice is safe.
# Prints the environment to use; cluster/local/exec.sh runs a Slurm client inside.
# Usage: up.sh N            (N = 1..200 nodes, 2 CPUs each)
# Env:   RV_CLUSTER, RV_CLUSTER_DIR (see lib.sh), RV_NODE_CPUS [2], RV_SHM_SIZE [2g]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
N=${1:-}
[[ "$N" =~ ^[0-9]+$ ]] && [ "$N" -ge 1 ] && [ "$N" -le 200 ] || { echo "usage: up.sh N   (1..200 nodes)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || rv_die "must run as root (network namespaces, munge, slurmd)"
for p in munged mungekey slurmctld slurmd sinfo ip unshare nsenter setsid; do
  command -v "$p" >/dev/null || rv_die "$p not found (apt-get install slurm-wlm munge iproute2 util-linux)"
done
CPUS=${RV_NODE_CPUS:-2}
bash "$HERE/down.sh" >/dev/null 2>&1 || true   # a stale cluster of this name
D=$RV_CLUSTER_DIR
mkdir -p "$D"/{etc,munge,state,spool,run,log,tmp}
chmod 700 "$D/munge"
# A failure half-way leaves nothing running.
trap 'st=$?; if [ $st != 0 ]; then echo "cluster: up failed; logs in $D/log (kept until down.sh)" >&2; RV_KEEP_DIR=1 bash "$HERE/down.sh" >&2 || true; fi' EXIT

# --- munge: own key, own socket ---
mungekey --create --keyfile="$D/munge/munge.key" --force 2>/dev/null || mungekey -c -k "$D/munge/munge.key"
chmod 400 "$D/munge/munge.key"
setsid munged --foreground --force --socket="$D/munge/munge.socket" --key-file="$D/munge/munge.key" \
  --pid-file="$D/run/munged.pid" --seed-file="$D/munge/munge.seed" --log-file="$D/log/munged.log" \
  </dev/null >>"$D/log/munged.out" 2>&1 &
echo $! > "$D/run/munged.launch.pid"
for _ in $(seq 50); do [ -S "$D/munge/munge.socket" ] && break; sleep 0.1; done
[ -S "$D/munge/munge.socket" ] || rv_die "munged did not start (see $D/log/munged.log)"

# --- slurm.conf ---
{
  cat <<CONF
# Written by cluster/local/up.sh: a throwaway local cluster, not a template for production.
ClusterName=$RV_CLUSTER
SlurmctldHost=head($RV_NET.254)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
# cred_expire: a requeued job may start again after 10 s (default 120 s)
AuthInfo=socket=$D/munge/munge.socket,cred_expire=10
CryptoType=crypto/munge
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool/%n
SlurmctldPidFile=$D/run/slurmctld.pid
SlurmdPidFile=$D/run/slurmd.%n.pid
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.%n.log
TmpFS=$D/tmp/%n
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=pmix
MailProg=/bin/true
SlurmdParameters=config_overrides
# A job that loses a node fails (NODE_FAIL) instead of pending for ever; a job
# asks for requeueing itself with --requeue (train.sbatch does).
JobRequeue=0
# Fast fault detection: a silent node is declared DOWN after 10 s.
SlurmdTimeout=10
MessageTimeout=5
ReturnToService=2
KillWait=5
# The backfill scheduler looks every 5 s (default 30 s), so a requeued job
# starts again soon after its cred_expire delay.
SchedulerParameters=bf_interval=5
InactiveLimit=0
MinJobAge=3600
# The true final state and exit code of every job, one line each.
JobCompType=jobcomp/filetxt
JobCompLoc=$D/log/jobcomp.txt
SlurmctldDebug=info
SlurmdDebug=info
CONF
  for i in $(seq "$N"); do
    echo "NodeName=node$i NodeAddr=$RV_NET.$i CPUs=$CPUS Sockets=1 CoresPerSocket=$CPUS ThreadsPerCore=1 State=UNKNOWN"
  done
  echo "PartitionName=local Nodes=node[1-$N] Default=YES MaxTime=INFINITE State=UP"
} > "$RV_CONF"
echo "export SLURM_CONF=$RV_CONF" > "$D/env.sh"
cat >> "$D/env.sh" <<ENV
# Open MPI leaves 127/8 out by default; the nodes' links are on $RV_NET.0/24.
export OMPI_MCA_btl_tcp_if_include=$RV_NET.0/24 OMPI_MCA_oob_tcp_if_include=$RV_NET.0/24
ENV
[ "$(id -u)" = 0 ] && echo "export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1" >> "$D/env.sh"
echo "$N" > "$D/nodes"

# --- network: head namespace with a bridge, one namespace per node ---
ns_sysctl() {  # 127/8 on a veth is "martian" unless route_localnet; no IPv6 at all
  ip netns exec "$1" sysctl -qw net.ipv4.conf.all.route_localnet=1 net.ipv4.conf.default.route_localnet=1 \
    net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 >/dev/null
}
ip netns add "$RV_HEAD_NS"
ns_sysctl "$RV_HEAD_NS"
ip -n "$RV_HEAD_NS" link set lo up
ip -n "$RV_HEAD_NS" link add br0 type bridge
ip -n "$RV_HEAD_NS" addr add "$RV_NET.254/24" dev br0
ip -n "$RV_HEAD_NS" link set br0 up
for i in $(seq "$N"); do
  ns=$(rv_node_ns "$i")
  ip netns add "$ns"
  ns_sysctl "$ns"
  ip -n "$ns" link set lo up
  ip -n "$RV_HEAD_NS" link add "vnode$i" type veth peer name eth0 netns "$ns"
  ip -n "$RV_HEAD_NS" link set "vnode$i" master br0 up
  ip -n "$ns" addr add "$RV_NET.$i/24" dev eth0
  ip -n "$ns" link set eth0 up
  mkdir -p "$D/spool/node$i" "$D/tmp/node$i"
done

# --- daemons (setsid: they outlive this script; down.sh stops them by namespace) ---
export SLURM_CONF=$RV_CONF
setsid nsenter --net="/run/netns/$RV_HEAD_NS" unshare --uts \
  sh -c 'hostname head; exec slurmctld -D -c -i' </dev/null >>"$D/log/slurmctld.out" 2>&1 &
SHM=${RV_SHM_SIZE:-2g}
for i in $(seq "$N"); do
  # ip netns exec would remount /sys and slurmd 22.05 dies on it: use nsenter.
  setsid nsenter --net="/run/netns/$(rv_node_ns "$i")" unshare --uts --mount --propagation slave \
    sh -c "hostname node$i; mount -t tmpfs -o size=$SHM,mode=1777 shm /dev/shm; exec slurmd -D -N node$i" \
    </dev/null >>"$D/log/slurmd.node$i.out" 2>&1 &
done

# --- wait until every node is idle ---
ok=0
for _ in $(seq 150); do
  idle=$(ip netns exec "$RV_HEAD_NS" sinfo -h -N -o '%N %T' 2>/dev/null | grep -c ' idle$' || true)
  [ "$idle" = "$N" ] && { ok=1; break; }
  sleep 0.2
done
[ $ok = 1 ] || { ip netns exec "$RV_HEAD_NS" sinfo -N 2>&1 >&2 || true; rv_die "nodes not idle after 30 s (logs: $D/log)"; }
trap - EXIT
cat <<MSG
cluster $RV_CLUSTER: $N node(s) idle, $CPUS CPUs each (folder $D)
Slurm clients must run in the head namespace with this environment:
  source $D/env.sh; ip netns exec $RV_HEAD_NS sbatch ...
or simply:  RV_CLUSTER=$RV_CLUSTER $HERE/exec.sh sbatch ...   (submit.sh also waits for the end)
stop with:  RV_CLUSTER=$RV_CLUSTER $HERE/down.sh
MSG
