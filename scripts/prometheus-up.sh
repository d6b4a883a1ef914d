#!/usr/bin/env bash
# Starts a real Prometheus (Debian's `prometheus`) for tests: a scratch
# folder, a free loopback port, a short scrape interval, one scrape target.
#
#   scripts/prometheus-up.sh up DIR TARGET [INTERVAL] [TOKEN_FILE]
#       TARGET: HOST:PORT of the /metrics to scrape (e.g. 127.0.0.1:41234);
#       INTERVAL: scrape interval (default 1s); TOKEN_FILE: a bearer token
#       Prometheus sends with each scrape.
#       Waits (bounded: 30 s) until /-/ready answers, then prints the port,
#       and keeps DIR/pid, DIR/port and DIR/prometheus.log.
#   scripts/prometheus-up.sh down DIR
#       Stops that Prometheus (by the pid kept in DIR) and waits for it.
#
# Nothing outside DIR is written; nothing listens beyond 127.0.0.1.
set -euo pipefail

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

cmd="${1:-}"
dir="${2:-}"
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 up DIR TARGET [INTERVAL] [TOKEN_FILE] | down DIR" >&2; exit 2; }

case "$cmd" in
up)
  target="${3:?usage: $0 up DIR TARGET [INTERVAL] [TOKEN_FILE]}"
  interval="${4:-1s}"
  token_file="${5:-}"
  command -v prometheus >/dev/null || { echo "prometheus-up: prometheus is not installed (scripts/install-deps.sh)" >&2; exit 3; }
  mkdir -p "$dir/data"
  {
    echo "global:"
    echo "  scrape_interval: $interval"
    echo "  evaluation_interval: $interval"
    echo "scrape_configs:"
    echo "  - job_name: greenrun"
    echo "    scrape_timeout: $interval"
    if [[ -n "$token_file" ]]; then
      echo "    authorization:"
      echo "      credentials_file: $token_file"
    fi
    echo "    static_configs:"
    echo "      - targets: ['$target']"
  } >"$dir/prometheus.yml"
  # A port found free can be taken before Prometheus binds it: try a few.
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
      --web.listen-address="127.0.0.1:$port" --log.level=warn >"$dir/prometheus.log" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/pid"
    echo "$port" >"$dir/port"
    for _ in $(seq 1 300); do
      if ! kill -0 "$pid" 2>/dev/null; then break; fi
      if python3 - "$port" <<'PY' 2>/dev/null; then echo "$port"; exit 0; fi
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/-/ready", timeout=1).read()
PY
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  echo "prometheus-up: Prometheus did not become ready; last lines of $dir/prometheus.log:" >&2
  tail -n 20 "$dir/prometheus.log" >&2
  exit 1
  ;;
down)
  [[ -f "$dir/pid" ]] || exit 0
  pid=$(cat "$dir/pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$dir/pid"
  ;;
*)
  echo "usage: $0 up DIR TARGET [INTERVAL] [TOKEN_FILE] | down DIR" >&2
  exit 2
  ;;
esac
