#!/usr/bin/env bash
# A mixed load with writes, from wrk (one process per kind of request, all at once, for a fixed
# time): anonymous visitors on the public pages, the region manager on workspace pages, searches
# (a few words again and again, others new), hours recorded through the API, and a school contact
# saving a school plan through the API (each save on the version the previous one returned).
# Twice: against one instance on SQLite, and against two instances on PostgreSQL behind nginx with
# deploy/nginx.conf. Reports per kind: requests/s, p50, p99 and errors (non-2xx/3xx and socket
# errors: must be 0), and each instance's memory (RSS) at the start and the end.
# Usage: [STERK_BIN=path] [PG_URL=postgres://…/postgres] bench/mixed.sh [seconds, default 20]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
duration="${1:-20}"
pg_url="${PG_URL:-postgres://postgres:sterk@127.0.0.1:5432/postgres}"
need wrk wrk
need nginx nginx
need psql postgresql-client
bin=$(sterk_bin)

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql "$pg_url" -qc "DROP DATABASE IF EXISTS sterk_bench_mixed WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
rss() { awk '/VmRSS/ {printf "%.0f MiB", $2 / 1024}' "/proc/$1/status"; }

# start NAME [env…]: a `serve --demo` on a free port; sets $port and $pid.
start() {
  local name=$1
  shift
  port=$(free_port)
  env "$@" "$bin" --data-dir "$work/$name" serve --demo --bind "127.0.0.1:$port" >"$work/$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return; sleep 0.2; done
  echo "sterk did not start: $(cat "$work/$name.log")" >&2
  exit 1
}

# sign_in BASE EMAIL: a session cookie.
sign_in() {
  local jar="$work/jar-$2" csrf
  csrf=$(curl -fs -c "$jar" -b "$jar" "$1/inloggen" | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
  curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode "email=$2" \
    --data-urlencode "password=sterk-demo-2025" "$1/inloggen"
  awk '$6 == "sterk_sessie" {print "sterk_sessie=" $7}' "$jar"
}

# token BASE COOKIE: a new API token for that session's account.
token() {
  local csrf
  csrf=$(curl -fs -H "Cookie: $2" "$1/beheer" | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
  curl -fs -H "Cookie: $2" --data-urlencode "csrf=$csrf" --data-urlencode "name=bench" "$1/account/sleutels" |
    grep -o '<code class="sterk-token">[^<]*' | cut -d'>' -f2
}

write_scripts() {
  cat >"$work/public.lua" <<'LUA'
local pages = { "/", "/regios", "/regios/zuid-friesland", "/monitor", "/nieuws", "/agenda", "/documenten",
  "/veelgestelde-vragen", "/regeling/sto-2025-2028", "/scholen?q=college", "/api/v1/regions", "/nieuws.atom" }
local i = 0
request = function() i = i % #pages + 1; return wrk.format("GET", pages[i]) end
LUA
  cat >"$work/workspace.lua" <<'LUA'
local pages = { "/beheer", "/regio/zuid-friesland/aanvragen/hoofdlijnen", "/regio/zuid-friesland/deelplannen",
  "/regio/zuid-friesland/uitvoering", "/regio/zuid-friesland/uitvoering/uren" }
local i = 0
request = function() i = i % #pages + 1; return wrk.format("GET", pages[i]) end
LUA
  cat >"$work/search.lua" <<'LUA'
local words = { "techniek", "lassen", "robotica", "installatietechniek", "docent", "mbo", "bouw", "zorg", "ict",
  "energietransitie", "praktijk", "stage", "werkplaats", "duurzaam", "elektro", "metaal", "automotive" }
local i = 0
request = function()
  i = i + 1
  -- Two of three searches are for a common word, one in three for a word nobody asked before.
  local q = (i % 3 == 0) and ("woord" .. i) or words[i % #words + 1]
  return wrk.format("GET", "/zoeken?q=" .. q)
end
LUA
  cat >"$work/hours.lua" <<LUA
local n = 0
request = function()
  n = n + 1
  local body = '{"person":"Bench ' .. n .. '","organisation":"$organisation","activity":"a1","date":"2026-09-01",'
    .. '"hours":"1","rate_eur":"50","external":false}'
  return wrk.format("POST", "/api/v1/regions/zuid-friesland/hours",
    { ["Authorization"] = "Bearer $manager_token", ["Content-Type"] = "application/json" }, body)
end
LUA
  cat >"$work/plans.lua" <<LUA
local version = "$plan_version"
local n = 0
request = function()
  n = n + 1
  local body = '{"title":"Techniek in de onderbouw (' .. n .. ')","organisation":"$school_org",'
    .. '"goals":"Meer leerlingen kiezen techniek."}'
  return wrk.format("PUT", "/api/v1/school-plans/$plan_id",
    { ["Authorization"] = "Bearer $school_token", ["Content-Type"] = "application/json", ["If-Match"] = version }, body)
end
response = function(status, headers, body)
  if headers["etag"] then version = headers["etag"] elseif headers["ETag"] then version = headers["ETag"] end
end
LUA
}

# prepare BASE: the accounts, tokens, the organisation and a concept plan the load writes to.
prepare() {
  local base=$1 manager school plan
  manager=$(sign_in "$base" programmamanager@sterk.example)
  manager_token=$(token "$base" "$manager")
  school=$(sign_in "$base" school@sterk.example)
  school_token=$(token "$base" "$school")
  school_org=$(curl -fs -H "Authorization: Bearer $school_token" "$base/api/v1/regions/zuid-friesland/school-plans" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["school_id"])')
  organisation=$school_org
  plan=$(curl -fs -D "$work/plan-head" -H "Authorization: Bearer $school_token" -H "Content-Type: application/json" \
    -d "{\"title\":\"Techniek in de onderbouw\",\"organisation\":\"$school_org\"}" \
    "$base/api/v1/regions/zuid-friesland/school-plans")
  plan_id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$plan")
  plan_version=$(awk -F': ' 'tolower($1) == "etag" {gsub("\r", "", $2); print $2}' "$work/plan-head")
  manager_cookie=$manager
  write_scripts
}

# "req/s p50 p99 errors" from one wrk output file.
summary() {
  awk '/Requests\/sec/ {r=$2} / 50%/ {p50=$2} / 99%/ {p99=$2} /Non-2xx/ {bad+=$5}
    /Socket errors/ {gsub(",", ""); bad+=$4+$6+$8+$10}
    END {printf "%s %s %s %d", r, p50, p99, bad}' "$1"
}

# load BASE LABEL: every kind at once for $duration seconds; prints the table rows.
load() {
  local base=$1 label=$2
  wrk -t1 -c16 -d"${duration}s" --latency -s "$work/public.lua" "$base" >"$work/w-public" 2>&1 &
  local a=$!
  wrk -t1 -c4 -d"${duration}s" --latency -s "$work/workspace.lua" -H "Cookie: $manager_cookie" "$base" >"$work/w-workspace" 2>&1 &
  local b=$!
  wrk -t1 -c4 -d"${duration}s" --latency -s "$work/search.lua" "$base" >"$work/w-search" 2>&1 &
  local c=$!
  wrk -t1 -c2 -d"${duration}s" --latency -s "$work/hours.lua" "$base" >"$work/w-hours" 2>&1 &
  local d=$!
  wrk -t1 -c1 -d"${duration}s" --latency -s "$work/plans.lua" "$base" >"$work/w-plans" 2>&1 &
  local e=$!
  wait $a $b $c $d $e
  for kind in public workspace search hours plans; do
    read -r r p50 p99 bad <<<"$(summary "$work/w-$kind")"
    echo "| $label | $kind | $r | $p50 | $p99 | $bad |"
  done
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "load: ${duration} s; connections: public 16, workspace 4, search 4, hours 2, plans 1 (all at once)"
echo
table="| set-up | kind | req/s | p50 | p99 | errors |
|---|---|---:|---:|---:|---:|"

# One instance on SQLite.
start single
single_pid=$pid
sleep 2
prepare "http://127.0.0.1:$port"
start_rss="$(rss "$single_pid")"
rows=$(load "http://127.0.0.1:$port" "1 × SQLite")
memory="1 × SQLite: RSS $start_rss at the start, $(rss "$single_pid") at the end"

# Two instances on PostgreSQL behind nginx (deploy/nginx.conf, ports rewritten).
psql "$pg_url" -qc "DROP DATABASE IF EXISTS sterk_bench_mixed WITH (FORCE)" -qc "CREATE DATABASE sterk_bench_mixed" >/dev/null
db_url="${pg_url%/*}/sterk_bench_mixed"
start a STERK_DATABASE_URL="$db_url" STERK_TRUSTED_PROXIES=127.0.0.1
a_pid=$pid a_port=$port
start b STERK_DATABASE_URL="$db_url" STERK_TRUSTED_PROXIES=127.0.0.1
b_pid=$pid b_port=$port
proxy_port=$(free_port)
mkdir -p "$work/nginx"
site=$(sed -e "s/127.0.0.1:8081/127.0.0.1:$a_port/" -e "s/127.0.0.1:8082/127.0.0.1:$b_port/" \
  -e "s/listen 127.0.0.1:8080;/listen 127.0.0.1:$proxy_port;/" deploy/nginx.conf)
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
$site
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
pids+=("$!")
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$proxy_port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
sleep 2
prepare "http://127.0.0.1:$proxy_port"
a_rss="$(rss "$a_pid")" b_rss="$(rss "$b_pid")"
rows="$rows
$(load "http://127.0.0.1:$proxy_port" "2 × PostgreSQL + nginx")"
memory="$memory
2 × PostgreSQL: RSS $a_rss and $b_rss at the start, $(rss "$a_pid") and $(rss "$b_pid") at the end"

echo "$table"
echo "$rows"
echo
echo "$memory"
