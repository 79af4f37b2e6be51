#!/usr/bin/env bash
# Foundation benchmarks (issue 2), each beside its reference in the same run:
#  1. wrk -t2 -c64 -d10s on /healthz vs nginx serving a static file of the
#     same bytes (2 workers, default static config, access log off on both).
#  2. durable event appends (POST /api/chain/checkpoints) from 64 clients,
#     group commit (commit_batch_max=256) vs one commit per write (=1), both
#     with synchronous=FULL.
#  3. server RSS idle, and peak (VmHWM) under the write load.
# Usage: bench/foundation.sh [BUILD_DIR]   (writes bench/results/*.json)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build}/fazhi
DUR=${DUR:-10}
tmp=$(mktemp -d /tmp/fazhi-bench.XXXXXX)
chmod 755 "$tmp"  # nginx workers run as an unprivileged user
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])' 2>/dev/null ||
              node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p'; }
lat() { awk '/Latency/ {print $2; exit}'; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
# Largest VmRSS seen every 0.2 s while "$@" runs (the load, not a login's
# short-lived argon2 buffer, which VmHWM would report).
rss_during() { # pid outfile cmd...
  local pid=$1 out=$2; shift 2
  ( max=0; while kill -0 "$pid" 2>/dev/null; do v=$(rss_kb "$pid"); [ "${v:-0}" -gt "$max" ] && max=$v; echo "$max" > "$out"; sleep 0.2; done ) &
  local sampler=$!
  "$@"
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
}
wait_up() { for _ in $(seq 100); do curl -sf "$1" >/dev/null && return 0; sleep 0.05; done; return 1; }

start_fazhi() { # name batch
  local data=$tmp/$1 port
  port=$(free_port)
  printf 'Init-Passw0rd-2026\n' > "$tmp/$1.pw"   # ADMIN_INIT_PW of tests/api/lib.mjs
  "$BIN" init --data "$data" --admin-password-file "$tmp/$1.pw" >/dev/null
  "$BIN" serve --data "$data" --listen 127.0.0.1:$port --access-log off --commit-batch-max "$2" >"$tmp/$1.log" 2>&1 &
  pids+=($!)
  local pid=$!
  wait_up "http://127.0.0.1:$port/healthz" || { cat "$tmp/$1.log" >&2; return 1; }
  echo "$port $pid"
}

# --- 1. /healthz vs nginx static file of the same size
read -r fport fpid < <(start_fazhi read 256)
body=$(curl -s "http://127.0.0.1:$fport/healthz")
mkdir -p "$tmp/www" "$tmp/nginx"
printf '%s' "$body" > "$tmp/www/healthz"
nport=$(free_port)
cat > "$tmp/nginx/nginx.conf" <<NGX
worker_processes 2;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  client_body_temp_path $tmp/nginx; proxy_temp_path $tmp/nginx; fastcgi_temp_path $tmp/nginx;
  uwsgi_temp_path $tmp/nginx; scgi_temp_path $tmp/nginx;
  server { listen 127.0.0.1:$nport; root $tmp/www; }
}
NGX
nginx -c "$tmp/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
wait_up "http://127.0.0.1:$nport/healthz"
idle_rss=$(rss_kb "$fpid")
wrk -t2 -c64 -d2s "http://127.0.0.1:$fport/healthz" >/dev/null  # warm-up
rss_during "$fpid" "$tmp/rss-read" wrk -t2 -c64 -d${DUR}s "http://127.0.0.1:$fport/healthz" > "$tmp/wrk-read"
out_f=$(cat "$tmp/wrk-read")
wrk -t2 -c64 -d2s "http://127.0.0.1:$nport/healthz" >/dev/null
out_n=$(wrk -t2 -c64 -d${DUR}s "http://127.0.0.1:$nport/healthz")
read_rss=$(cat "$tmp/rss-read")
f_rps=$(echo "$out_f" | rps); n_rps=$(echo "$out_n" | rps)
f_lat=$(echo "$out_f" | lat); n_lat=$(echo "$out_n" | lat)

# --- 2. durable appends from 64 clients: group commit vs one commit per write
# Checkpoints are written by an 审计管理员: one signed-in session per server,
# its cookie and CSRF token sent by every wrk request.
post_lua() { # port file
  read -r cookie csrf < <(node bench/session.mjs "http://127.0.0.1:$1")
  cat > "$2" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = "$cookie"
wrk.headers["X-CSRF-Token"] = "$csrf"
wrk.body = '{"note":"基准测试：链头存证","recipient":"县司法局"}'
LUA
}
read -r gport gpid < <(start_fazhi group 256)
read -r sport spid < <(start_fazhi single 1)
post_lua "$gport" "$tmp/post-group.lua"
post_lua "$sport" "$tmp/post-single.lua"
rss_during "$gpid" "$tmp/rss-write" wrk -t2 -c64 -d${DUR}s -s "$tmp/post-group.lua" "http://127.0.0.1:$gport/api/chain/checkpoints" > "$tmp/wrk-write"
out_g=$(cat "$tmp/wrk-write")
load_rss=$(cat "$tmp/rss-write")
hwm_rss=$(hwm_kb "$gpid")
out_s=$(wrk -t2 -c64 -d${DUR}s -s "$tmp/post-single.lua" "http://127.0.0.1:$sport/api/chain/checkpoints")
g_rps=$(echo "$out_g" | rps); s_rps=$(echo "$out_s" | rps)
g_lat=$(echo "$out_g" | lat); s_lat=$(echo "$out_s" | lat)
batches=$(curl -s "http://127.0.0.1:$gport/metrics" | awk '/^fazhi_store_commit_batch_size_(sum|count)/ {print $2}' | paste -sd' ')
non2xx_g=$(echo "$out_g" | sed -n 's/.*Non-2xx or 3xx responses: *//p'); non2xx_g=${non2xx_g:-0}
# Every acknowledged append is in a verifiable chain.
kill "$gpid"; wait "$gpid" 2>/dev/null || true
verify=$("$BIN" verify --data "$tmp/group")

sha=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
date=$(date -u +%Y-%m-%d)
mkdir -p bench/results
res=bench/results/$date-$sha-foundation.json
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "0" }'; }
read -r bsum bcount <<<"$batches"
cat > "$res" <<JSON
{
  "date": "$date", "commit": "$sha", "machine": "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)",
  "healthz": {"fazhi_rps": $f_rps, "fazhi_p50_latency": "$f_lat", "nginx_static_rps": $n_rps, "nginx_latency": "$n_lat",
              "ratio": $(ratio "$f_rps" "$n_rps"), "target": 0.9},
  "durable_appends_64_clients": {"group_commit_rps": $g_rps, "group_latency": "$g_lat", "one_commit_per_write_rps": $s_rps,
              "single_latency": "$s_lat", "ratio": $(ratio "$g_rps" "$s_rps"), "target": 5,
              "mean_batch": $(ratio "$bsum" "$bcount"), "non_2xx": $non2xx_g, "verify": "${verify%% *} ${verify#OK }"},
  "rss_kb": {"idle": $idle_rss, "max_during_read_load": $read_rss, "max_during_write_load": $load_rss,
             "vmhwm_incl_logins": $hwm_rss, "target_kb": 30720}
}
JSON
cat "$res"
