#!/usr/bin/env bash
# Every public page against nginx serving the very same bytes, in one run on this machine:
# req/s, p50 and p99 at 64 connections for both, and the ratio; then the signed-in pages at 16
# connections; the first visits after an import of DUO's exam file; the server's memory (RSS)
# before and after. Sterk runs a release build of `serve --demo` on SQLite (or
# $STERK_DATABASE_URL); nginx is Debian's package, started here on
# a free port with a minimal configuration; wrk drives both from loopback.
# Usage: [STERK_BIN=path] bench/public.sh [seconds per run, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
duration="${1:-5}"
need wrk wrk
need nginx nginx
bin=$(sterk_bin)

work=$(mktemp -d)
sport=$(free_port)
nport=$(free_port)
sterk="http://127.0.0.1:$sport"
nginx_url="http://127.0.0.1:$nport"
"$bin" --data-dir "$work/data" serve --demo --bind "127.0.0.1:$sport" >"$work/serve.log" 2>&1 &
server=$!
mkdir -p "$work/www" "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx;
  fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx;
  scgi_temp_path $work/nginx;
  server { listen 127.0.0.1:$nport; root $work/www; default_type text/html; }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
nginx_pid=$!
trap 'kill $server $nginx_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 150); do curl -fs "$sterk/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
sleep 2  # the indicators are made once at start, before pages are kept

rss() { awk '/VmRSS/ {printf "%.0f MiB", $2 / 1024}' "/proc/$server/status"; }
# "req/s p50 p99 non-2xx" from wrk's output.
run() {
  wrk -t2 -c"$1" -d"${duration}s" --latency "${@:2}" 2>/dev/null | awk '
    /Requests\/sec/ {r=$2} / 50%/ {p50=$2} / 99%/ {p99=$2} /Non-2xx/ {bad=$5}
    END {printf "%s %s %s %s", r, p50, p99, (bad == "" ? 0 : bad)}'
}

pages=(/ /regios /regios/zuid-friesland "/scholen?q=college" /monitor /regeling/sto-2025-2028 /nieuws /agenda
  /veelgestelde-vragen /documenten "/zoeken?q=techniek" /nieuws.atom /agenda.ics /api/v1/regions
  "/api/v1/indicators?scope=national" /api/v1/regions/zuid-friesland)

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "database: $(curl -fs "$sterk/healthz")"
echo "Sterk RSS after start: $(rss)"
echo
echo "| page | Sterk req/s | p50 | p99 | nginx req/s | p50 | p99 | Sterk/nginx | non-2xx |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
i=0
for page in "${pages[@]}"; do
  i=$((i + 1))
  curl -fs "$sterk$page" -o "$work/www/p$i"  # the same bytes for nginx; warms the cache
  read -r sr s50 s99 sbad <<<"$(run 64 "$sterk$page")"
  read -r nr n50 n99 _ <<<"$(run 64 "$nginx_url/p$i")"
  ratio=$(awk -v a="$sr" -v b="$nr" 'BEGIN {printf "%.0f%%", (b > 0 ? 100 * a / b : 0)}')
  echo "| \`$page\` | $sr | $s50 | $s99 | $nr | $n50 | $n99 | $ratio | $sbad |"
done

# Signed in as the region manager: personal pages, no cache across people.
jar="$work/jar"
csrf=$(curl -fs -c "$jar" -b "$jar" "$sterk/inloggen" | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" \
  --data-urlencode "email=programmamanager@sterk.example" --data-urlencode "password=sterk-demo-2025" "$sterk/inloggen"
cookie=$(awk '$6 == "sterk_sessie" {print "sterk_sessie=" $7}' "$jar")
echo
echo "| signed-in page (16 connections) | req/s | p50 | p99 | non-2xx |"
echo "|---|---:|---:|---:|---:|"
for page in /beheer /regio/zuid-friesland/aanvragen/hoofdlijnen /regio/zuid-friesland/deelplannen /regio/zuid-friesland/uitvoering; do
  read -r r p50 p99 bad <<<"$(run 16 -H "Cookie: $cookie" "$sterk$page")"
  echo "| \`$page\` | $r | $p50 | $p99 | $bad |"
done
echo
echo "Sterk RSS after the load: $(rss)"

# The first visit after DUO's real exam file is imported again through the command line (another
# process, as an operator does), each page visited before and after an import of its own: at once
# (the server has not noticed yet, or is making the indicators again: the previous page is
# served), and 1.5 s later (the first visit at the new data version, the indicators made ahead).
echo
echo "| first request after importing DUO's exam file | at once (s) | after 1.5 s (s) |"
echo "|---|---:|---:|"
for page in /monitor /regios/zuid-friesland "/api/v1/indicators?scope=national" /regios; do
  curl -fs -o /dev/null "$sterk$page"
  "$bin" --data-dir "$work/data" import duo-exams data/duo/duo_examenkandidaten-en-geslaagden-2019-2024.csv >/dev/null 2>&1
  now=$(curl -fs -o /dev/null -w '%{time_total}' "$sterk$page")
  sleep 1.5
  echo "| \`$page\` | $now | $(curl -fs -o /dev/null -w '%{time_total}' "$sterk$page") |"
done
echo
echo "Sterk RSS after the imports: $(rss)"
