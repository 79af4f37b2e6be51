#!/usr/bin/env bash
# Indicator scenarios of issues 7 and 9 on a data directory made by bench/gen:
#  - `fazhi indicators recompute` over all of it (values kept by month);
#  - the dashboard reads, served from indicator_values, as a node of one
#    county sees them and as a province-level node sees them (every county):
#    GET /api/indicators?year= (its first page of ranked rows), the same
#    grouped by unit type, a quarter, and the monthly trend: the first
#    request's time after the start, then p50 / p90 / p99 under wrk -c1,
#    then the first request's time again after an officer registry write
#    (a new version of one officer, same values: the process's stock cache
#    goes stale, the officer stock timeline is kept by the write).
# Usage: bench/dashboard.sh DATA [YEAR]   (BIN, DUR as in bench/run;
#        RECOMPUTE=0 reads the values as they are)
# The directory is modified (its indicator values are rebuilt; one officer
# gets a new version per view); the server listens on 127.0.0.1 and is
# stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ] || [ "$1" = --help ]; then
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
DATA=$1
YEAR=${2:-$(date +%Y)}
BIN=${BIN:-build/fazhi}
DUR=${DUR:-10}
tmp=$(mktemp -d /tmp/fazhi-bench-dash.XXXXXX)
spid=""
cleanup() {
  if [ -n "$spid" ]; then kill "$spid" 2>/dev/null || true; wait "$spid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
ms() { date +%s%3N; }
to_ms() { # wrk latency ("812.00us", "3.21ms", "1.02s") in ms
  python3 -c 'import sys,re;v=sys.argv[1];m=re.match(r"([\d.]+)(us|ms|s)",v);f={"us":0.001,"ms":1,"s":1000}[m.group(2)];print(round(float(m.group(1))*f,2))' "$1"
}
pct() { awk -v p="$1%" '$1==p {print $2}'; }

db=$DATA/fazhi.db
cases=$(sqlite3 -readonly "$db" 'SELECT count(*) FROM case_penalty')
if [ "${RECOMPUTE:-1}" = 1 ]; then
  s=$(ms)
  "$BIN" indicators recompute --data "$DATA" > "$tmp/recompute.out"
  recompute_ms=$(( $(ms) - s ))
  echo "recompute: $cases cases in ${recompute_ms} ms ($(cat "$tmp/recompute.out"))"
fi
values=$(sqlite3 -readonly "$db" 'SELECT count(*) FROM indicator_values')
echo "indicator_values: $values rows"

county=$(sqlite3 -readonly "$db" "SELECT substr(region_code, 1, 6) || '000000' FROM units WHERE id > 1 ORDER BY id LIMIT 1")
province=$(sqlite3 -readonly "$db" "SELECT substr(region_code, 1, 2) || '0000000000' FROM units WHERE id > 1 ORDER BY id LIMIT 1")
unit=$(sqlite3 -readonly "$db" "SELECT id FROM units WHERE region_code LIKE substr('$county', 1, 6) || '%' ORDER BY id LIMIT 1")
cat > "$tmp/get.lua" <<'LUA'
wrk.headers["Cookie"] = os.getenv("FAZHI_COOKIE")
LUA
for view in county province; do
  region=$county
  [ $view = province ] && region=$province
  port=$(free_port)
  base="http://127.0.0.1:$port"
  "$BIN" serve --data "$DATA" --listen "127.0.0.1:$port" --access-log off --region-code "$region" 2> "$tmp/serve.log" &
  spid=$!
  for _ in $(seq 1 600); do curl -sf "$base/healthz" > /dev/null && break; sleep 0.1; done
  read -r cookie _csrf < <(node bench/api.mjs session "$base" "dash_${view}_$$" leader "$unit")
  read -r acookie acsrf < <(node bench/api.mjs session "$base" "dash_${view}_adm_$$" sys_admin 1)
  export FAZHI_COOKIE=$cookie
  queries=("indicators?year=$YEAR" "indicators?year=$YEAR&group=unit_type" "indicators?year=$YEAR&quarter=2" "indicators/trend?year=$YEAR")
  first_of() { curl -s -o /dev/null -w '%{time_total}' -b "$cookie" "$base/api/$1" | awk '{printf "%.1f", $1 * 1000}'; }
  # The first request of a period pays for what is computed at read time and
  # kept in the process (the officer stocks on its reference days); timed
  # before anything else reads them, then wrk on the warm server.
  declare -A first=()
  for q in "${queries[@]}"; do first[$q]=$(first_of "$q"); done
  rows=$(curl -s -b "$cookie" "$base/api/indicators?year=$YEAR" | python3 -c 'import json,sys; j=json.load(sys.stdin); print("%d units with values, %d listed" % (max(i.get("total", len(i.get("units", []))) for i in j["indicators"]), max(len(i.get("units", [])) for i in j["indicators"])))')
  for q in "${queries[@]}"; do
    out=$(wrk -t1 -c1 -d"${DUR}s" --latency -s "$tmp/get.lua" "$base/api/$q")
    bytes=$(curl -s -b "$cookie" "$base/api/$q" | wc -c)
    echo "$view ($region, $rows) /api/$q: $bytes B, first ${first[$q]} ms, p50 $(to_ms "$(echo "$out" | pct 50)") ms, p90 $(to_ms "$(echo "$out" | pct 90)") ms, p99 $(to_ms "$(echo "$out" | pct 99)") ms, $(echo "$out" | awk '/Requests\/sec/ {print $2}') req/s"
  done
  # An officer registry write (one officer of the view, a new version with
  # the values it has), then each query's first request again.
  off=$(sqlite3 -readonly "$db" "SELECT o.row_id FROM cat_officers o JOIN units u ON u.id = o.f_unit WHERE o.valid_to = 0 AND u.region_code LIKE substr('$region', 1, $([ $view = province ] && echo 2 || echo 6)) || '%' ORDER BY o.row_id LIMIT 1")
  field=$(sqlite3 -readonly "$db" "SELECT f_cert_field FROM cat_officers WHERE row_id = $off AND valid_to = 0")
  wrote=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -b "$acookie" -H "X-CSRF-Token: $acsrf" -H 'Content-Type: application/json' \
    --data "{\"cert_field\": \"$field\"}" "$base/api/catalogs/officers/$off")
  after=""
  for q in "${queries[@]}"; do after="$after /api/$q $(first_of "$q") ms,"; done
  echo "$view after an officer write (PUT officers/$off: $wrote), first requests:${after%,}"
  kill "$spid"; wait "$spid" 2>/dev/null || true; spid=""
done
