#!/usr/bin/env bash
# Installs the Debian 12 packages greenrun needs to build, test and fuzz.
# Idempotent: does nothing when everything is present. Needs root (or sudo).
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config python3
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev libsqlite3-dev
  libcurl4-openssl-dev libcpp-httplib-dev libtomlplusplus-dev
  clang libclang-rt-14-dev
  python3-dev pybind11-dev python3-pybind11 python3-pytest python3-venv python3-setuptools python3-wheel
  # HTML reports embed Chart.js; their browser test drives Chromium (tests/report/).
  libjs-chart.js chromium chromium-driver python3-selenium
  slurm-wlm slurmctld slurmd slurm-client munge slurm-wlm-basic-plugins libpmix-dev  # tests/slurm: a real 2-node cluster (scripts/slurm-up.sh)
  mariadb-server slurmdbd  # tests/slurm: Slurm accounting for sacct (scripts/slurm-up.sh --accounting)
  prometheus  # tests/server: a real Prometheus scrapes `greenrun serve` (scripts/prometheus-up.sh)
  tzdata
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
