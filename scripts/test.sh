#!/usr/bin/env bash
# make test: every suite, on the release build and then the unit and API
# suites again under ASan+UBSan. Each suite prints "N passed, M failed"; this
# script adds them up and ends with one summary line. Servers started by the
# suites bind 127.0.0.1 only and are killed on exit.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ASAN_BUILD=${ASAN_BUILD:-build-asan}
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# The statutes and other shared material the tests read (CI: shared/ beside
# the clone).
if [ -z "${FAZHI_SHARED:-}" ]; then
  for c in ../shared /work/shared; do
    if [ -d "$c/laws" ]; then FAZHI_SHARED=$(cd "$c" && pwd); break; fi
  done
fi
if [ -z "${FAZHI_SHARED:-}" ]; then
  echo "test.sh: shared/ (with laws/) not found beside the checkout; set FAZHI_SHARED" >&2
  exit 1
fi
export FAZHI_SHARED
total_pass=0 total_fail=0
failed_suites=()
log=$(mktemp -d /tmp/fazhi-test-log.XXXXXX)

# A throwaway PostgreSQL 15 cluster on a free loopback port (never the system
# service): the API suites run again on it, one fresh database per data dir.
PG_DIR=$(mktemp -d /tmp/fazhi-pg.XXXXXX)
cleanup() {
  # Any server a suite left behind (only ours: they run from a temp data dir).
  pkill -f 'fazhi serve --data /tmp/fazhi-test-' 2>/dev/null || true
  bash scripts/pg-cluster.sh stop "$PG_DIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# Runs one suite, echoes its output, and adds its "N passed, M failed" line.
suite() {
  local name=$1; shift
  echo "=== $name"
  local out="$log/${name//[^a-zA-Z0-9_-]/_}.log"
  "$@" > "$out" 2>&1
  local rc=$?
  cat "$out"
  local line p f
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
  if [ -n "$line" ]; then
    p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
  else
    p=0; f=1
  fi
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
  if [ "$f" -ne 0 ]; then failed_suites+=("$name"); fi
}

# ctest's own summary line is "100% tests passed, 0 tests failed out of N";
# restate it in the common form.
ctest_suite() {
  local dir=$1 out rc
  out=$(ctest --test-dir "$dir" --output-on-failure 2>&1)
  rc=$?
  echo "$out"
  echo "$out" | sed -n 's/.*tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\).*/\1 \2/p' | tail -1 |
    { read -r f n && echo "$((n - f)) passed, $f failed"; }
  return $rc
}

suite banned-functions bash -c 'scripts/check-banned.sh && echo "1 passed, 0 failed"'
suite unit ctest_suite "$BUILD"
suite api env FAZHI_BIN="$BUILD/fazhi" node tests/api/run.mjs
suite lifecycle env FAZHI_BIN="$BUILD/fazhi" node tests/api/lifecycle.mjs
suite identity env FAZHI_BIN="$BUILD/fazhi" node tests/api/identity.mjs
suite authz-matrix env FAZHI_BIN="$BUILD/fazhi" node tests/api/authz_matrix.mjs
suite calendar env FAZHI_BIN="$BUILD/fazhi" node tests/api/calendar.mjs
suite attachments env FAZHI_BIN="$BUILD/fazhi" node tests/api/attachments.mjs
# The issue's bar: 10,000 seeded transitions, then incremental = full recompute (1,000 on PG and ASan).
suite indicators env FAZHI_IND_STEPS=10000 FAZHI_BIN="$BUILD/fazhi" node tests/api/indicators.mjs
suite demo env FAZHI_BIN="$BUILD/fazhi" node tests/api/demo.mjs
suite report env FAZHI_BIN="$BUILD/fazhi" node tests/api/report.mjs
suite indicator-yoy env FAZHI_BIN="$BUILD/fazhi" node tests/api/indicator_yoy.mjs
suite import-history env FAZHI_BIN="$BUILD/fazhi" node tests/api/import_history.mjs
suite browser env FAZHI_BIN="$BUILD/fazhi" node tests/browser/run.mjs
# An SQL error in a server's log on PostgreSQL is a dialect difference that
# a suite's assertions missed.
pg_sql_errors() {
  local n
  n=$(grep -c 'PostgreSQL error' "$PG_DIR/servers.log" 2>/dev/null) || n=0
  grep 'PostgreSQL error' "$PG_DIR/servers.log" 2>/dev/null | head -20
  if [ "$n" -eq 0 ]; then echo '1 passed, 0 failed'; else echo "0 passed, $n failed"; fi
}
pg_suite() { local name=$1; shift; suite "$name" env FAZHI_TEST_PG="$PG_DIR" FAZHI_BIN="$BUILD/fazhi" "$@"; }
pg_ok=0
if bash scripts/pg-cluster.sh start "$PG_DIR" > "$log/pg-start.log" 2>&1; then
  pg_ok=1
  pg_suite api-pg node tests/api/run.mjs
  pg_suite identity-pg node tests/api/identity.mjs
  pg_suite authz-matrix-pg node tests/api/authz_matrix.mjs
  pg_suite calendar-pg node tests/api/calendar.mjs
  pg_suite attachments-pg node tests/api/attachments.mjs
  pg_suite indicators-pg node tests/api/indicators.mjs
  pg_suite search-backends node tests/api/search_backends.mjs
  pg_suite migrate-store-pg node tests/api/migrate_store.mjs
  pg_suite demo-pg node tests/api/demo.mjs
  pg_suite report-pg node tests/api/report.mjs
  pg_suite indicator-yoy-pg node tests/api/indicator_yoy.mjs
  pg_suite import-history-pg node tests/api/import_history.mjs
  suite pg-sql-errors pg_sql_errors
  # Last: it restarts the cluster while clients write.
  pg_suite two-nodes-pg node tests/api/two_nodes.mjs
else
  suite pg-start bash -c "cat '$log/pg-start.log'; echo '0 passed, 1 failed'"
fi
suite unit-asan ctest_suite "$ASAN_BUILD"
suite api-asan env FAZHI_BIN="$ASAN_BUILD/fazhi" node tests/api/run.mjs
suite lifecycle-asan env FAZHI_BIN="$ASAN_BUILD/fazhi" node tests/api/lifecycle.mjs
suite identity-asan env FAZHI_BIN="$ASAN_BUILD/fazhi" node tests/api/identity.mjs
suite authz-matrix-asan env FAZHI_BIN="$ASAN_BUILD/fazhi" node tests/api/authz_matrix.mjs
suite calendar-asan env FAZHI_BIN="$ASAN_BUILD/fazhi" node tests/api/calendar.mjs
suite attachments-asan env FAZHI_BIN="$ASAN_BUILD/fazhi" node tests/api/attachments.mjs
suite indicators-asan env FAZHI_BIN="$ASAN_BUILD/fazhi" node tests/api/indicators.mjs
suite report-asan env FAZHI_BIN="$ASAN_BUILD/fazhi" node tests/api/report.mjs
suite import-history-asan env FAZHI_BIN="$ASAN_BUILD/fazhi" node tests/api/import_history.mjs

if [ $pg_ok -eq 1 ]; then
  suite api-pg-asan env FAZHI_TEST_PG="$PG_DIR" FAZHI_BIN="$ASAN_BUILD/fazhi" node tests/api/run.mjs
  suite migrate-store-pg-asan env FAZHI_TEST_PG="$PG_DIR" FAZHI_BIN="$ASAN_BUILD/fazhi" node tests/api/migrate_store.mjs
fi
echo
if [ ${#failed_suites[@]} -gt 0 ]; then
  echo "failed suites: ${failed_suites[*]}"
fi
echo "fazhi: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
