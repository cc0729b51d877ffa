# shellcheck shell=bash
# Shared by the local-cluster scripts (sourced). One cluster = one name:
#   RV_CLUSTER      name prefix of its network namespaces [default: rvslurm]
#   RV_CLUSTER_DIR  its private folder: config, keys, state, logs [default: /tmp/$RV_CLUSTER]
# Namespaces: $RV_CLUSTER-head (bridge br0 at 127.77.0.254, slurmctld) and
# $RV_CLUSTER-nodeI (eth0 at 127.77.0.I, slurmd "nodeI"). The 127.77.0.0/24
# addresses exist only inside these namespaces: nothing is routed off the machine.
RV_CLUSTER=${RV_CLUSTER:-rvslurm}
RV_CLUSTER_DIR=${RV_CLUSTER_DIR:-/tmp/$RV_CLUSTER}
RV_NET=127.77.0
RV_HEAD_NS=$RV_CLUSTER-head
RV_CONF=$RV_CLUSTER_DIR/etc/slurm.conf
rv_node_ns() { echo "$RV_CLUSTER-node$1"; }
rv_die() { echo "cluster: error: $*" >&2; exit 1; }
# Our namespaces, head last (so nodes lose their links before the controller goes).
rv_our_namespaces() {
  ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${RV_CLUSTER}-node[0-9]+\$" || true
  ip netns list 2>/dev/null | awk '{print $1}' | grep -Fx "$RV_HEAD_NS" || true
}
