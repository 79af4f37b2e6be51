#!/usr/bin/env bash
# Procedure-engine benchmarks (issue 5) on N cases of 政府信息公开申请 (default
# 100000; the issue's figure is 1,000,000: N=1000000 bench/engine.sh):
#  - bulk import of N historic cases (fazhi import), rows/s;
#  - a list page with a filter under wrk -c32: p50 / p99;
#  - durable transitions (登记) from 64 clients, each request a different case;
#  - a 2-character search, ms;
#  - export of 100,000 rows (a filtered list) to xlsx: seconds and peak RSS of the server.
# STORE=pg runs the same on PostgreSQL 15 (a throwaway cluster from
# scripts/pg-cluster.sh, on this machine); bench/stores.sh runs both in one go.
# Usage: bench/engine.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build}/fazhi
N=${N:-100000}
DUR=${DUR:-10}
tmp=$(mktemp -d /tmp/fazhi-bench-engine.XXXXXX)
pids=()
STORE=${STORE:-sqlite}
store_args=()
pgdir=""
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
  if [ -n "$pgdir" ]; then bash scripts/pg-cluster.sh stop "$pgdir" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
if [ "$STORE" = pg ]; then
  pgdir=$(mktemp -d /tmp/fazhi-bench-pg.XXXXXX)
  bash scripts/pg-cluster.sh start "$pgdir" >/dev/null
  store_args=(--store "$(bash scripts/pg-cluster.sh createdb "$pgdir" bench)")
fi
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
ms() { date +%s%3N; }

data=$tmp/data
printf 'Init-Passw0rd-2026\n' > "$tmp/pw"
"$BIN" init --data "$data" --admin-password-file "$tmp/pw" --region-code 532624 "${store_args[@]}" >/dev/null
python3 - "$N" > "$tmp/cases.csv" <<'PY'
import sys, random
random.seed(7)
n = int(sys.argv[1])
kinds = ['自然人', '商业企业', '科研机构', '社会公益组织', '法律服务机构', '其他']
surnames = '赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜'
print('编号,状态,申请人,申请人类型,申请方式,收到日期,申请内容')
for i in range(1, n + 1):
    name = random.choice(surnames) + random.choice('伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英')
    # The first 100,000 came by post: the export below takes them (100k rows at any N).
    channel = '邮寄' if i <= 100000 else random.choice(['当面', '网络', '传真'])
    print(f'公开申请〔2025〕{i}号,已收到,{name},{random.choice(kinds)},{channel},2025-{random.randint(1,12):02d}-{random.randint(1,28):02d},'
          f'申请公开{random.choice(["道路维修", "财政预算", "环境监测", "征地补偿", "学校招生", "噪声治理"])}相关信息第{i}项')
PY
t0=$(ms)
"$BIN" import --data "$data" disclosure_request "$tmp/cases.csv" --unit-id 1 >/dev/null
t1=$(ms)
import_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", (b-a)/1000}')
import_rps=$(awk -v a="$t0" -v b="$t1" -v n="$N" 'BEGIN{printf "%.0f", n/((b-a)/1000)}')

port=$(free_port)
"$BIN" serve --data "$data" --listen 127.0.0.1:$port --access-log off >/dev/null 2>&1 &
spid=$!
pids+=($spid)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
read -r cookie csrf < <(node -e '
import("./tests/api/lib.mjs").then(async ({ loginAdmin, makeUser }) => {
  const a = await loginAdmin(process.argv[1]);
  const o = await makeUser(a, { username: "bench_officer", roles: ["officer"] });
  console.log(o.cookie, o.csrf);
});' "http://127.0.0.1:$port")

cat > "$tmp/get.lua" <<LUA
wrk.headers["Cookie"] = "$cookie"
LUA
list=$(wrk -t2 -c32 -d${DUR}s --latency -s "$tmp/get.lua" \
  "http://127.0.0.1:$port/api/cases/disclosure_request?applicant_type=%E5%95%86%E4%B8%9A%E4%BC%81%E4%B8%9A&size=20")
list_rps=$(echo "$list" | sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p')
list_p50=$(echo "$list" | awk '$1=="50%" {print $2}')
list_p99=$(echo "$list" | awk '$1=="99%" {print $2}')

cat > "$tmp/act.lua" <<LUA
local counter = 0
local threads = {}
function setup(thread) thread:set("base", #threads * 1000000); table.insert(threads, thread) end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = "$cookie"
wrk.headers["X-CSRF-Token"] = "$csrf"
wrk.body = "{}"
function request()
  counter = counter + 1
  local id = (base == 0) and (counter * 2 - 1) or (counter * 2)
  return wrk.format(nil, "/api/cases/disclosure_request/" .. id .. "/actions/register")
end
LUA
act=$(wrk -t2 -c64 -d${DUR}s -s "$tmp/act.lua" "http://127.0.0.1:$port")
act_rps=$(echo "$act" | sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p')
act_non2xx=$(echo "$act" | sed -n 's/.*Non-2xx or 3xx responses: *//p'); act_non2xx=${act_non2xx:-0}

search_ms=$( { for i in $(seq 20); do
  # curl's own timer: a process started around each request would add its start-up time.
  curl -s -o /dev/null -w '%{time_total}\n' -b "$cookie" "http://127.0.0.1:$port/api/search?q=%E5%99%AA%E5%A3%B0" |
    awk '{printf "%.1f\n", $1 * 1000}';
done; } | sort -n | awk '{a[NR]=$1} END {print a[int(NR/2)+1] " " a[NR]}')

max=0
( while kill -0 $spid 2>/dev/null; do v=$(awk '/^VmRSS/ {print $2}' /proc/$spid/status); [ "$v" -gt "$max" ] && max=$v; echo $max > "$tmp/rss"; sleep 0.1; done ) &
sampler=$!
s=$(ms)
curl -s -b "$cookie" -o "$tmp/export.xlsx" "http://127.0.0.1:$port/api/cases/disclosure_request/export?format=xlsx&channel=%E9%82%AE%E5%AF%84"
e=$(ms)
kill $sampler 2>/dev/null || true
export_s=$(awk -v a="$s" -v b="$e" 'BEGIN{printf "%.2f", (b-a)/1000}')
export_rss=$(cat "$tmp/rss")
export_bytes=$(stat -c %s "$tmp/export.xlsx")

sha=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
date=$(date -u +%Y-%m-%d)
mkdir -p bench/results
suffix=""
if [ "$STORE" = pg ]; then suffix=-pg; fi
out="bench/results/$date-$sha-engine$suffix.json"
cat > "$out" <<JSON
{"date": "$date", "commit": "$sha", "store": "$STORE", "cases": $N,
 "import": {"seconds": $import_s, "rows_per_s": $import_rps},
 "list_filter_c32": {"rps": $list_rps, "p50": "$list_p50", "p99": "$list_p99"},
 "transitions_64_clients": {"rps": $act_rps, "non_2xx": $act_non2xx},
 "search_2char_ms": {"p50": ${search_ms% *}, "max_of_20": ${search_ms#* }},
 "export_xlsx": {"rows": $(( N < 100000 ? N : 100000 )), "seconds": $export_s, "bytes": $export_bytes, "server_peak_rss_kb": $export_rss}}
JSON
cat "$out"
