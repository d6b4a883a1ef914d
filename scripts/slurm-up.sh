#!/usr/bin/env bash
# Starts a real Slurm cluster (Debian's slurm-wlm 22.05) for tests: a private
# munged, one slurmctld and NODES slurmd compute nodes (default 2), all on
# this host, on free loopback ports, with every file in a scratch folder.
#
#   scripts/slurm-up.sh up DIR [NODES]
#       Writes DIR/slurm.conf (and cgroup.conf), starts the daemons, waits
#       (bounded: 60 s) until every node is idle, then prints the environment
#       a client needs, one VAR=value per line (also kept in DIR/env):
#         SLURM_CONF=DIR/slurm.conf
#         GREENRUN_SLURM_NODES=n1,n2
#         GREENRUN_SLURM_PROCTRACK=cgroup|linuxproc
#       Nodes are named n1..nNODES. Job ids start at a random FirstJobId so
#       two clusters on one host never share a job id (cgroup paths, logs).
#   scripts/slurm-up.sh down DIR
#       Stops the daemons started for DIR (by the pids kept in DIR/pids, in
#       reverse order), waits for them, and leaves DIR's logs for reading.
#
# The several slurmd run in Slurm's multiple-slurmd way: `slurmd -N NAME`,
# each node with its own Port= and spool folder; Debian's build accepts it.
# Process tracking: proctrack/cgroup (cgroup v1: freezer, cpuacct) when
# /sys/fs/cgroup/freezer is writable, else proctrack/linuxproc;
# SLURM_UP_PROCTRACK=cgroup|linuxproc forces one.
#
# munge: a munged of our own with its socket and key in DIR (slurm.conf's
# AuthInfo=socket=...), so nothing in /run/munge or /etc/munge is touched
# and clusters started side by side do not share a daemon.
#
# Nothing outside DIR is written except, with proctrack/cgroup, Slurm's own
# cgroups under /sys/fs/cgroup/*/slurm*; nothing listens beyond 127.0.0.1.
set -euo pipefail

usage() { echo "usage: $0 up DIR [NODES] | down DIR" >&2; exit 2; }

cmd="${1:-}"
dir="${2:-}"
[[ -n "$cmd" && -n "$dir" ]] || usage

free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()
PY
}

stop_pids() {  # PID...: SIGTERM, wait up to 10 s, then SIGKILL
  (($# > 0)) || return 0
  kill "$@" 2>/dev/null || true
  for _ in $(seq 1 100); do
    local alive=0
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || return 0
    sleep 0.1
  done
  kill -9 "$@" 2>/dev/null || true
}

# Pids of the processes started for this cluster and their descendants that
# still carry its marker (the daemons, slurmstepd, jobs that kept the
# submitting environment).
marked_pids() {
  local marker="GREENRUN_SLURM_UP_DIR=$dir"
  for e in /proc/[0-9]*/environ; do
    if { tr '\0' '\n' <"$e"; } 2>/dev/null | grep -qxF "$marker"; then
      local pid="${e#/proc/}"; echo "${pid%/environ}"
    fi
  done
}

down() {
  [[ -f "$dir/pids" ]] || return 0
  dir="$(cd "$dir" && pwd)"
  # First the jobs, so no slurmstepd or job outlives its daemons: cancel
  # everything this cluster runs and wait (bounded: 15 s) for the queue to empty.
  if [[ -f "$dir/slurm.conf" ]]; then
    SLURM_CONF="$dir/slurm.conf" scancel --quiet --user="$(id -un)" 2>/dev/null || true
    for _ in $(seq 1 150); do
      [[ -z "$(SLURM_CONF="$dir/slurm.conf" squeue -h -o %i 2>/dev/null)" ]] && break
      sleep 0.1
    done
  fi
  # The slurmd together, then slurmctld and munged (each takes ~2 s to stop).
  local nodes=() others=()
  while read -r pid name; do
    if [[ "$name" == slurmd-* ]]; then nodes+=("$pid"); else others+=("$pid"); fi
  done <"$dir/pids"
  stop_pids "${nodes[@]}"
  stop_pids "${others[@]}"
  # Anything left of this cluster (a stuck slurmstepd): by pid, SIGKILL.
  for pid in $(marked_pids); do [[ "$pid" != "$$" ]] && kill -9 "$pid" 2>/dev/null || true; done
  rm -f "$dir/pids"
}

start() {  # NAME COMMAND...: runs it in the background, keeps its pid
  local name="$1"; shift
  "$@" >>"$dir/log/$name.out" 2>&1 &
  echo "$! $name" >>"$dir/pids"
}

up() {
  local nodes="${3:-2}"
  for b in munged slurmctld slurmd sinfo; do
    command -v "$b" >/dev/null || { echo "slurm-up: $b is not installed (scripts/install-deps.sh)" >&2; exit 3; }
  done
  [[ $(id -u) -eq 0 ]] || { echo "slurm-up: needs root (slurmd starts job steps as their user; scripts/test.sh runs as root)" >&2; exit 3; }
  [[ -f "$dir/pids" ]] && down
  dir="$(cd "$(dirname "$dir")" && pwd)/$(basename "$dir")"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  rm -rf "$dir/state" "$dir/spool" "$dir/munge"  # a fresh cluster each time
  mkdir -p "$dir/munge" "$dir/state" "$dir/log" "$dir/spool"
  chmod 700 "$dir/munge"

  local proctrack="${SLURM_UP_PROCTRACK:-}"
  if [[ -z "$proctrack" ]]; then
    if [[ -w /sys/fs/cgroup/freezer && -w /sys/fs/cgroup/cpuacct ]]; then proctrack=cgroup; else proctrack=linuxproc; fi
  fi

  # munge: a key of our own, the socket in DIR.
  head -c 1024 /dev/urandom >"$dir/munge/munge.key"
  chmod 400 "$dir/munge/munge.key"
  local sock="$dir/munge/munge.socket"
  GREENRUN_SLURM_UP_DIR="$dir" start munged munged --foreground --force --socket="$sock" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"
  for _ in $(seq 1 100); do [[ -S "$sock" ]] && break; sleep 0.1; done
  [[ -S "$sock" ]] || { echo "slurm-up: munged did not start; see $dir/log/munged.out" >&2; cat "$dir/log/munged.out" >&2; down; exit 1; }

  local cpus; cpus=$(nproc)
  local ports; read -r -a ports <<<"$(free_ports $((nodes + 1)))"
  local names=()
  for i in $(seq 1 "$nodes"); do names+=("n$i"); done
  local first_job=$(( (RANDOM * 32768 + RANDOM) % 60000000 + 1000 ))
  {
    echo "# Written by scripts/slurm-up.sh for a test cluster in $dir"
    echo "ClusterName=greenrun$$"
    echo "SlurmctldHost=localhost(127.0.0.1)"
    echo "SlurmctldPort=${ports[0]}"
    echo "SlurmUser=root"
    echo "SlurmdUser=root"
    echo "AuthType=auth/munge"
    echo "CredType=cred/munge"
    echo "AuthInfo=socket=$sock"
    echo "MpiDefault=none"
    echo "ProctrackType=proctrack/$proctrack"
    echo "TaskPlugin=task/none"
    echo "JobAcctGatherType=jobacct_gather/linux"
    echo "JobAcctGatherFrequency=5"
    echo "AccountingStorageType=accounting_storage/none"
    echo "JobCompType=jobcomp/filetxt"
    echo "JobCompLoc=$dir/log/jobcomp.txt"
    echo "StateSaveLocation=$dir/state"
    echo "SlurmdSpoolDir=$dir/spool/%n"
    echo "SlurmctldPidFile=$dir/slurmctld.pid"
    echo "SlurmdPidFile=$dir/slurmd-%n.pid"
    echo "SlurmctldLogFile=$dir/log/slurmctld.log"
    echo "SlurmdLogFile=$dir/log/slurmd-%n.log"
    echo "SlurmctldDebug=info"
    echo "SlurmdDebug=info"
    echo "FirstJobId=$first_job"
    echo "ReturnToService=2"
    echo "SchedulerType=sched/backfill"
    echo "SchedulerParameters=bf_interval=1"
    echo "SelectType=select/cons_tres"
    echo "SelectTypeParameters=CR_Core"
    echo "PreemptMode=OFF"
    echo "MinJobAge=300"
    echo "KillWait=5"
    echo "InactiveLimit=0"
    # greenrun slurm agent requeues checkpointing jobs (docs/slurm.md): batch
    # jobs must be requeueable (Slurm's default, stated so a site's change shows).
    echo "JobRequeue=1"
    echo "SlurmdTimeout=60"
    for i in $(seq 1 "$nodes"); do
      echo "NodeName=n$i NodeHostname=localhost NodeAddr=127.0.0.1 Port=${ports[$i]} CPUs=$cpus Sockets=1 CoresPerSocket=$cpus ThreadsPerCore=1 RealMemory=1024 State=UNKNOWN"
    done
    echo "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO"
  } >"$dir/slurm.conf"
  {
    echo "CgroupPlugin=cgroup/v1"
    echo "CgroupMountpoint=/sys/fs/cgroup"
    echo "ConstrainCores=no"
    echo "ConstrainRAMSpace=no"
  } >"$dir/cgroup.conf"
  export SLURM_CONF="$dir/slurm.conf"
  export GREENRUN_SLURM_UP_DIR="$dir"  # the marker `down` finds leftovers by

  start slurmctld slurmctld -D -i -f "$SLURM_CONF"
  for n in "${names[@]}"; do
    mkdir -p "$dir/spool/$n"
    start "slurmd-$n" slurmd -D -N "$n" -f "$SLURM_CONF"
  done

  # Bounded wait: every node idle (about 1-3 s here).
  local joined; joined=$(IFS=,; echo "${names[*]}")
  for _ in $(seq 1 600); do
    while read -r pid name; do
      if ! kill -0 "$pid" 2>/dev/null; then
        echo "slurm-up: $name exited; last lines of its log:" >&2
        tail -n 20 "$dir/log/$name.out" "$dir/log/$name.log" 2>/dev/null >&2 || true
        down; exit 1
      fi
    done <"$dir/pids"
    local idle
    idle=$(sinfo -h -N -n "$joined" -o '%N %t' 2>/dev/null | awk '$2=="idle"' | wc -l || true)
    if [[ "$idle" -eq "$nodes" ]]; then
      {
        echo "SLURM_CONF=$SLURM_CONF"
        echo "GREENRUN_SLURM_NODES=$joined"
        echo "GREENRUN_SLURM_PROCTRACK=$proctrack"
      } | tee "$dir/env"
      exit 0
    fi
    sleep 0.1
  done
  echo "slurm-up: the nodes did not become idle in 60 s:" >&2
  sinfo -N >&2 || true
  tail -n 20 "$dir/log/slurmctld.log" >&2 || true
  down
  exit 1
}

case "$cmd" in
up) up "$@" ;;
down) down ;;
*) usage ;;
esac
