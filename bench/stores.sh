#!/usr/bin/env bash
# SQLite beside PostgreSQL (issue 10): bench/engine.sh on each backend, one
# after the other in one run, same N and data; then the two results side by
# side. Usage: N=100000 bench/stores.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
STORE=sqlite bash bench/engine.sh "${1:-build}" > /dev/null
STORE=pg bash bench/engine.sh "${1:-build}" > /dev/null
sha=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
date=$(date -u +%Y-%m-%d)
node -e '
const fs = require("fs");
const [a, b] = process.argv.slice(1).map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
const row = (k, f) => console.log(`| ${k} | ${f(a)} | ${f(b)} |`);
console.log(`| ${a.cases} cases | SQLite | PostgreSQL 15 |`);
console.log("|---|---|---|");
row("import, rows/s", (x) => x.import.rows_per_s);
row("list with a filter, wrk -c32: req/s", (x) => x.list_filter_c32.rps);
row("list with a filter, p50 / p99", (x) => `${x.list_filter_c32.p50} / ${x.list_filter_c32.p99}`);
row("durable transitions, 64 clients: /s", (x) => x.transitions_64_clients.rps);
row("2-character search, p50 / max ms", (x) => `${x.search_2char_ms.p50} / ${x.search_2char_ms.max_of_20}`);
row("xlsx export of 100k rows: s, server peak RSS", (x) => `${x.export_xlsx.seconds} s, ${Math.round(x.export_xlsx.server_peak_rss_kb / 1024)} MB`);
' "bench/results/$date-$sha-engine.json" "bench/results/$date-$sha-engine-pg.json"
