#!/usr/bin/env bash
# Throughput and latency of the two hottest read paths under 64 concurrent connections:
# a public region page (/regios/{slug}) and the region list of the API (/api/v1/regions).
# Runs a release build of `sterk serve --demo` on SQLite (or on $STERK_DATABASE_URL) and drives it
# with wrk from this machine's loopback. Usage: bench/load.sh [seconds per run, default 15]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sterk/target}"
duration="${1:-15}"
port=18080
url="http://127.0.0.1:$port"

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
command -v wrk >/dev/null || { $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

cargo build --release -q -p sterk
data=$(mktemp -d)
"$CARGO_TARGET_DIR/release/sterk" --data-dir "$data" serve --demo --bind "127.0.0.1:$port" >"$data/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 50); do curl -fs "$url/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "database: $(curl -fs "$url/healthz")"
for path in /regios/zuid-friesland /api/v1/regions; do
  curl -fs "$url$path" >/dev/null  # warm up
  echo
  echo "== GET $path, 64 connections, ${duration}s"
  wrk -t2 -c64 -d"${duration}s" --latency "$url$path" | grep -E 'Requests/sec|Latency|50%|90%|99%|Non-2xx|Socket errors'
done
