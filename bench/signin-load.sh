#!/usr/bin/env bash
# Public pages while people sign in: p50/p99 of /regios/{slug} (wrk, 16 connections) alone, then
# while waves of 100 parallel sign-ins (Argon2id each) run, for this build and, side by side, for
# another binary (e.g. the previous version). Sign-ins come from 100 addresses through a trusted
# proxy header and use the demo's right passwords, so every one is evaluated, none rate-limited.
# Usage: [STERK_BIN=target/release/sterk] bench/signin-load.sh [seconds, default 20] [other sterk binary]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
duration="${1:-20}"
other="${2:-}"
need wrk wrk
bin=$(sterk_bin)

accounts=(beheerder programmamanager penvoerder school partner)

sign_in() { # $1 url, $2 n (address and account)
  local jar csrf
  jar=$(mktemp)
  csrf=$(curl -fs -m 60 -c "$jar" -b "$jar" -H "X-Forwarded-For: 10.9.$(($2 / 250)).$(($2 % 250 + 1))" "$1/inloggen" |
    grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 | cut -d'"' -f4)
  curl -s -m 60 -o /dev/null -w '%{http_code}\n' -c "$jar" -b "$jar" -H "X-Forwarded-For: 10.9.$(($2 / 250)).$(($2 % 250 + 1))" \
    --data-urlencode "csrf=$csrf" --data-urlencode "email=${accounts[$(($2 % 5))]}@sterk.example" \
    --data-urlencode "password=sterk-demo-2025" "$1/inloggen"
  rm -f "$jar"
}

measure() { # $1 binary, $2 label
  local port=18090 data server url
  url="http://127.0.0.1:$port"
  data=$(mktemp -d)
  STERK_TRUSTED_PROXIES=127.0.0.1 "$1" --data-dir "$data" serve --demo --bind "127.0.0.1:$port" >"$data/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -fs "$url/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
  curl -fs "$url/regios/zuid-friesland" >/dev/null
  echo "== $2: GET /regios/zuid-friesland, 16 connections, ${duration}s, alone"
  wrk -t1 -c16 -d"${duration}s" --latency "$url/regios/zuid-friesland" | grep -E 'Requests/sec|50%|99%|Non-2xx'
  echo "== $2: the same while waves of 100 parallel sign-ins run"
  local end=$((SECONDS + duration)) signed=0 codes
  (wrk -t1 -c16 -d"${duration}s" --latency "$url/regios/zuid-friesland" | grep -E 'Requests/sec|50%|99%|Non-2xx') &
  local load=$!
  codes=$(mktemp)
  while [ $SECONDS -lt $end ]; do
    local wave=()
    for n in $(seq 0 99); do
      sign_in "$url" "$n" >>"$codes" &
      wave+=($!)
    done
    wait "${wave[@]}" || true
    signed=$((signed + 100))
  done
  wait $load || true
  echo "   sign-ins: $signed, answers: $(sort "$codes" | uniq -c | tr '\n' ' ')"
  kill $server 2>/dev/null; wait $server 2>/dev/null || true
  rm -rf "$data" "$codes"
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
measure "$bin" "this build"
[ -n "$other" ] && measure "$other" "$other"
exit 0
