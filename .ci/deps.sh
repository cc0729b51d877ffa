#!/usr/bin/env bash
# Installs receval's build and test dependencies from Debian/Ubuntu packages
# when any is missing (needs root or sudo). Sourced by demo.sh and test.sh.
set -euo pipefail
RV_PACKAGES=(build-essential cmake pkg-config
  libopenmpi-dev openmpi-bin libhdf5-openmpi-dev hdf5-tools
  libscalapack-openmpi-dev libopenblas-dev liblapacke-dev
  libprotobuf-c-dev protobuf-c-compiler protobuf-compiler
  libcunit1-dev libjansson-dev zlib1g-dev python3 python3-numpy python3-h5py
  slurm-wlm munge iproute2
  valgrind clang libclang-rt-14-dev)
missing=()
for p in "${RV_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "receval: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# mpirun as root (CI machines) and more ranks than cores in tests.
if [ "$(id -u)" = 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=1
export OPENBLAS_NUM_THREADS=1
