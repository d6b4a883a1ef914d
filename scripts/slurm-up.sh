#!/usr/bin/env bash
# Starts a real Slurm cluster (Debian's slurm-wlm 22.05) for tests: a private
# munged, one slurmctld and NODES slurmd compute nodes (default 2), all on
# this host, on free loopback ports, with every file in a scratch folder.
#
#   scripts/slurm-up.sh up DIR [NODES] [--accounting] [--cpuacct]
#       Writes DIR/slurm.conf (and cgroup.conf), starts the daemons, waits
#       (bounded: 60 s) until every node is idle, then prints the environment
#       a client needs, one VAR=value per line (also kept in DIR/env):
#         SLURM_CONF=DIR/slurm.conf
#         GREENRUN_SLURM_NODES=n1,n2
#         GREENRUN_SLURM_PROCTRACK=cgroup|linuxproc
#         GREENRUN_SLURM_ACCOUNTING=slurmdbd|none
#         GREENRUN_SLURM_JOBACCT=cgroup|linux
#       --accounting: also a MariaDB server and slurmdbd of the cluster's own
#       (datadir, socket and logs in DIR/db, DIR/log; loopback ports), so
#       sacct has the cluster's jobs (about +4 s to start, +2 s to stop).
#       --cpuacct: jobacct_gather/cgroup and task/cgroup, so Slurm keeps a
#       cgroup v1 cpuacct group per job (needs proctrack/cgroup). Its nodes
#       are named c1..cNODES: Slurm leaves /sys/fs/cgroup/cpuacct/slurm_<node>
#       behind, and a sampler that finds that folder for its node reads
#       cpuacct, so a cluster without cpuacct must not share node names with
#       one that has it; `down` removes the cluster's emptied cpuacct,
#       memory and freezer folders.
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

usage() { echo "usage: $0 up DIR [NODES] [--accounting] [--cpuacct] | down DIR" >&2; exit 2; }

# Options anywhere after the command; the rest are positional.
accounting=0
cpuacct=0
args=()
for a in "$@"; do
  case "$a" in
  --accounting) accounting=1 ;;
  --cpuacct) cpuacct=1 ;;
  --*) usage ;;
  *) args+=("$a") ;;
  esac
done
set -- "${args[@]}"
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
  local nodes=() others=() acct=()
  while read -r pid name; do
    if [[ "$name" == slurmd-* ]]; then nodes+=("$pid")
    elif [[ "$name" == acct-* ]]; then acct+=("$pid")  # --accounting's mariadbd and slurmdbd
    else others+=("$pid"); fi
  done <"$dir/pids"
  stop_pids "${nodes[@]}"
  # With slurmctld, not after it: its last messages to slurmdbd are of no
  # use to a cluster being removed, and stopping them one after the other
  # takes 2 s more.
  stop_pids "${others[@]}" "${acct[@]}"
  # Anything left of this cluster (a stuck slurmstepd): by pid, SIGKILL.
  for pid in $(marked_pids); do [[ "$pid" != "$$" ]] && kill -9 "$pid" 2>/dev/null || true; done
  # --cpuacct: the cgroup folders Slurm made for these nodes (c1, ...),
  # deepest first; rmdir leaves any group that still holds a process.
  if grep -qx 'GREENRUN_SLURM_JOBACCT=cgroup' "$dir/env" 2>/dev/null; then
    local node
    for node in $(sed -n 's/^GREENRUN_SLURM_NODES=//p' "$dir/env" | tr , ' '); do
      for c in cpuacct memory freezer; do
        [[ -d "/sys/fs/cgroup/$c/slurm_$node" ]] &&
          find "/sys/fs/cgroup/$c/slurm_$node" -depth -type d -exec rmdir {} \; 2>/dev/null || true
      done
    done
  fi
  rm -f "$dir/pids"
}

start() {  # NAME COMMAND...: runs it in the background, keeps its pid
  local name="$1"; shift
  "$@" >>"$dir/log/$name.out" 2>&1 &
  echo "$! $name" >>"$dir/pids"
}

# --- accounting (--accounting): MariaDB + slurmdbd of the cluster's own ------
# A MariaDB server on an empty datadir in DIR/db, its unix socket there and a
# free loopback port, run as root (--user=root). It is a throw-away test
# database, so it starts the fast way: --skip-grant-tables instead of
# mariadb-install-db (which takes 2-6 s on these machines: the system and
# help tables), so it checks no user or password (anyone on 127.0.0.1 may
# connect while it runs; a real cluster creates a `slurm` user, docs/slurm.md),
# and InnoDB neither syncs nor double-writes (a crash loses the database,
# which `up` makes afresh anyway). slurmdbd (-D) listens on another free
# loopback port, with DIR/slurmdbd.conf (mode 600; found beside SLURM_CONF).
# Both are in DIR/pids (named "acct-*"); `down` stops them with slurmctld.
accounting_conf() {  # DBD_PORT MUNGE_SOCKET: slurm.conf's accounting lines
  echo "AccountingStorageType=accounting_storage/slurmdbd"
  echo "AccountingStorageHost=127.0.0.1"
  echo "AccountingStoragePort=$1"
  # With auth/munge this names the munged socket for slurmdbd (AuthInfo is
  # not used for that connection).
  echo "AccountingStoragePass=$2"
  # No energy plugin can read anything on these hosts (rapl needs
  # /dev/cpu/N/msr; ibmaem, pm_counters and gpu need hardware this VM lacks):
  # sacct records ConsumedEnergy 0 and `runs show slurm:ID` says so.
  # SLURM_UP_ENERGY=acct_gather_energy/rapl (or another) where one can.
  echo "AcctGatherEnergyType=${SLURM_UP_ENERGY:-acct_gather_energy/none}"
  echo "AcctGatherNodeFreq=${SLURM_UP_ENERGY_FREQ:-5}"
}

accounting_up() {  # DB_PORT DBD_PORT MUNGE_SOCKET
  local db_port="$1" dbd_port="$2" sock="$3"
  for b in mariadbd mariadb-admin slurmdbd sacct; do
    command -v "$b" >/dev/null || { echo "slurm-up: $b is not installed (scripts/install-deps.sh: mariadb-server slurmdbd)" >&2; down; exit 3; }
  done
  rm -rf "$dir/db"
  mkdir -p "$dir/db/data"
  local innodb=(--innodb-buffer-pool-size=16M --innodb-log-file-size=4M --innodb-file-per-table=0
    --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --innodb-flush-method=nosync --skip-log-bin)
  local dbsock="$dir/db/mysqld.sock"
  GREENRUN_SLURM_UP_DIR="$dir" start acct-mariadbd mariadbd --no-defaults --datadir="$dir/db/data" --user=root \
    --socket="$dbsock" --port="$db_port" --bind-address=127.0.0.1 --skip-name-resolve --skip-grant-tables "${innodb[@]}" \
    --pid-file="$dir/db/mysqld.pid" --log-error="$dir/log/mariadbd.log"
  local ok=0
  for _ in $(seq 1 300); do  # bounded: 30 s (about 0.2 s here)
    mariadb-admin --no-defaults --socket="$dbsock" -uroot ping >/dev/null 2>&1 && { ok=1; break; }
    sleep 0.1
  done
  ((ok)) || { echo "slurm-up: mariadbd did not start:" >&2; tail -n 20 "$dir/log/mariadbd.log" >&2; down; exit 1; }
  (
    umask 077
    {
      echo "# Written by scripts/slurm-up.sh for a test cluster in $dir"
      echo "AuthType=auth/munge"
      echo "AuthInfo=socket=$sock"
      echo "DbdHost=localhost"
      echo "DbdAddr=127.0.0.1"
      echo "DbdPort=$dbd_port"
      echo "SlurmUser=root"
      echo "DebugLevel=info"
      echo "LogFile=$dir/log/slurmdbd.log"
      echo "PidFile=$dir/slurmdbd.pid"
      echo "StorageType=accounting_storage/mysql"
      echo "StorageHost=127.0.0.1"
      echo "StoragePort=$db_port"
      echo "StorageUser=slurm"  # not checked by this server (--skip-grant-tables)
      echo "StorageLoc=slurm_acct_db"
    } >"$dir/slurmdbd.conf"
  )
  GREENRUN_SLURM_UP_DIR="$dir" SLURM_CONF="$dir/slurm.conf" start acct-slurmdbd slurmdbd -D
  ok=0
  for _ in $(seq 1 300); do  # bounded: 30 s; slurmdbd creates its tables first
    (exec 3<>"/dev/tcp/127.0.0.1/$dbd_port") 2>/dev/null && { ok=1; break; }
    kill -0 "$(awk '$2=="acct-slurmdbd"{print $1}' "$dir/pids")" 2>/dev/null || break
    sleep 0.1
  done
  ((ok)) || { echo "slurm-up: slurmdbd did not start:" >&2; tail -n 20 "$dir/log/slurmdbd.log" "$dir/log/acct-slurmdbd.out" >&2; down; exit 1; }
}
# --- end accounting ----------------------------------------------------------

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

  if ((cpuacct)) && [[ "$proctrack" != cgroup || ! -w /sys/fs/cgroup/cpuacct ]]; then
    echo "slurm-up: --cpuacct needs proctrack/cgroup and a writable cgroup v1 /sys/fs/cgroup/cpuacct" >&2; exit 3
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
  local ports; read -r -a ports <<<"$(free_ports $((nodes + 3)))"  # ctld, nodes, [mariadb, slurmdbd]
  local db_port="${ports[nodes + 1]}" dbd_port="${ports[nodes + 2]}"
  local names=()
  local prefix=n
  ((cpuacct)) && prefix=c  # see --cpuacct above
  for i in $(seq 1 "$nodes"); do names+=("$prefix$i"); done
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
    if ((cpuacct)); then  # --cpuacct: a cpuacct cgroup per job (jobacct_gather/cgroup makes it)
      echo "TaskPlugin=task/cgroup"
      echo "JobAcctGatherType=jobacct_gather/cgroup"
    else
      echo "TaskPlugin=task/none"
      echo "JobAcctGatherType=jobacct_gather/linux"
    fi
    echo "JobAcctGatherFrequency=5"
    if ((accounting)); then accounting_conf "$dbd_port" "$sock"; else echo "AccountingStorageType=accounting_storage/none"; fi
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
    echo "SlurmdTimeout=60"
    for i in $(seq 1 "$nodes"); do
      echo "NodeName=$prefix$i NodeHostname=localhost NodeAddr=127.0.0.1 Port=${ports[$i]} CPUs=$cpus Sockets=1 CoresPerSocket=$cpus ThreadsPerCore=1 RealMemory=1024 State=UNKNOWN"
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

  if ((accounting)); then accounting_up "$db_port" "$dbd_port" "$sock"; fi
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
        echo "GREENRUN_SLURM_ACCOUNTING=$( ((accounting)) && echo slurmdbd || echo none)"
        echo "GREENRUN_SLURM_JOBACCT=$( ((cpuacct)) && echo cgroup || echo linux)"
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
