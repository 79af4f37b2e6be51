#!/usr/bin/env bash
# pg-cluster.sh: a throwaway PostgreSQL 15 cluster for the tests.
#
# It runs Debian's postgresql-15 binaries (/usr/lib/postgresql/15/bin, or
# $PG_BINDIR) directly and never touches the system service or its clusters.
# Everything lives in one temporary directory DIR that the caller creates
# (mktemp -d) and that `stop` removes:
#
#   DIR/pgdata    the cluster (initdb: UTF8, locale C.UTF-8, trust auth,
#                 superuser "fazhi")
#   DIR/pg.log    the server log
#   DIR/port      the TCP port;  DIR/url  the connection URL
#   DIR/.s.PGSQL.PORT  the Unix socket
#
# The server listens on 127.0.0.1 only, on a free port picked at start, and
# keeps that port across restarts. PostgreSQL refuses to run as root, so when
# this script runs as root (CI) the cluster is owned by, and runs as, the
# `postgres` system user that the Debian package creates; otherwise it runs as
# the calling user.
#
# Usage:
#   pg-cluster.sh start DIR          init + start; prints postgresql://fazhi@127.0.0.1:PORT
#   pg-cluster.sh stop DIR           immediate stop, then rm -rf DIR (safe to repeat)
#   pg-cluster.sh restart DIR [SECS] fast restart on the same port; with SECS,
#                                    stop, stay down SECS seconds, then start
#   pg-cluster.sh createdb DIR NAME  prints postgresql://fazhi@127.0.0.1:PORT/NAME
#
# New databases are created from template1, which has pg_trgm installed.
set -euo pipefail

PROG=pg-cluster.sh
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
SUPERUSER=fazhi
HOST=127.0.0.1
# Unprivileged owner of the cluster when we run as root.
ROOT_RUN_AS=postgres

# Connection settings from the caller's environment must not leak into the
# commands below (they all get explicit -h/-p/-U/-d).
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGOPTIONS PGSERVICE \
      PGSERVICEFILE PGSSLMODE PGCONNECT_TIMEOUT PGPASSFILE PGDATA 2>/dev/null || true

die() {
  echo "$PROG: $*" >&2
  exit 1
}

usage() {
  cat >&2 <<EOF
usage: $PROG start DIR
       $PROG stop DIR
       $PROG restart DIR [SECS]
       $PROG createdb DIR NAME
EOF
  exit 2
}

# Absolute path of DIR (which need not exist yet).
abspath() {
  case $1 in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s/%s\n' "$PWD" "$1" ;;
  esac
}

# The OS user that owns/runs the cluster in DIR (only meaningful as root).
run_user() {
  local dir=$1 owner
  if [ -d "$dir/pgdata" ]; then
    owner=$(stat -c %U "$dir/pgdata" 2>/dev/null || true)
    if [ -n "$owner" ] && [ "$owner" != root ] && [ "$owner" != UNKNOWN ]; then
      printf '%s\n' "$owner"
      return
    fi
  fi
  printf '%s\n' "$ROOT_RUN_AS"
}

# Run a server-side command (initdb, pg_ctl) as the cluster's owner.
# Usage: as_owner DIR cmd args...
as_owner() {
  local dir=$1
  shift
  if [ "$EUID" -ne 0 ]; then
    "$@"
    return
  fi
  local user
  user=$(run_user "$dir")
  if command -v runuser >/dev/null 2>&1; then
    runuser -u "$user" -- "$@"
  elif command -v setpriv >/dev/null 2>&1; then
    setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"
  else
    die "running as root but neither runuser nor setpriv is available"
  fi
}

need_bin() {
  local b
  for b in "$@"; do
    [ -x "$PG_BINDIR/$b" ] || die "$PG_BINDIR/$b not found (install postgresql-15, or set PG_BINDIR)"
  done
}

read_port() {
  local dir=$1 port
  [ -f "$dir/port" ] || die "$dir/port not found: no cluster started in $dir"
  port=$(<"$dir/port")
  [[ $port =~ ^[0-9]+$ ]] || die "$dir/port is corrupt: '$port'"
  printf '%s\n' "$port"
}

# Is TCP port $1 unused (no socket of any state bound to it)?
port_free() {
  local port=$1
  if command -v ss >/dev/null 2>&1; then
    [ -z "$(ss -Htan "sport = :$port" 2>/dev/null)" ]
  elif command -v python3 >/dev/null 2>&1; then
    python3 - "$port" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.close()
EOF
  else
    # Nothing listening on it at least.
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 1
    fi
    return 0
  fi
}

# A free port below the kernel's ephemeral range (so outgoing connections do
# not grab it between our check and the server's bind).
pick_port() {
  local _ port
  for _ in $(seq 1 200); do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
    if port_free "$port"; then
      printf '%s\n' "$port"
      return 0
    fi
  done
  return 1
}

# Everything the server needs, in a file of its own that postgresql.conf
# includes, so `restart` (which re-reads the config) keeps the same settings
# and port.
write_conf() {
  local dir=$1 port=$2 sockdir=$3
  cat >"$dir/pgdata/fazhi-test.conf" <<EOF
# Written by scripts/pg-cluster.sh for a throwaway test cluster.
listen_addresses = '$HOST'
port = $port
unix_socket_directories = '$sockdir'
max_connections = 300
shared_buffers = 128MB
fsync = on
synchronous_commit = on
log_min_messages = warning
logging_collector = off
EOF
}

show_log_tail() {
  local dir=$1
  if [ -s "$dir/pg.log" ]; then
    echo "$PROG: last lines of $dir/pg.log:" >&2
    tail -n 20 "$dir/pg.log" >&2 || true
  fi
}

# Stop the cluster in DIR immediately, whatever state it is in. Never fails.
stop_server() {
  local dir=$1 pid _
  [ -d "$dir/pgdata" ] || return 0
  if [ -f "$dir/pgdata/postmaster.pid" ]; then
    as_owner "$dir" "$PG_BINDIR/pg_ctl" -D "$dir/pgdata" -m immediate -w -t 30 stop \
      >/dev/null 2>&1 || true
  fi
  # Belt and braces: if a postmaster for this data directory is still alive
  # (pg_ctl failed or timed out), signal it directly.
  [ -f "$dir/pgdata/postmaster.pid" ] || return 0
  pid=$(head -n 1 "$dir/pgdata/postmaster.pid" 2>/dev/null || true)
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  if [ -r "/proc/$pid/cmdline" ] &&
     tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$dir/pgdata"; then
    kill -QUIT "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || return 0
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  return 0
}

START_DIR=
# shellcheck disable=SC2317  # invoked by the trap in cmd_start
start_failed() {
  stop_server "$START_DIR"
  show_log_tail "$START_DIR"
}

cmd_start() {
  local dir
  dir=$(abspath "$1")
  need_bin initdb pg_ctl postgres psql

  if [ -e "$dir" ]; then
    [ -d "$dir" ] || die "$dir exists and is not a directory"
    [ -z "$(ls -A "$dir")" ] || die "$dir is not empty (start needs a new, empty directory)"
  else
    mkdir -p "$dir" || die "cannot create $dir"
  fi
  # Marks DIR as ours, so that stop may remove it.
  : >"$dir/.pg-cluster"

  if [ "$EUID" -eq 0 ]; then
    id -u "$ROOT_RUN_AS" >/dev/null 2>&1 ||
      die "running as root, but there is no '$ROOT_RUN_AS' user to run PostgreSQL as"
    chown "$ROOT_RUN_AS:" "$dir" || die "cannot chown $dir to $ROOT_RUN_AS"
    chmod 0700 "$dir"
    as_owner "$dir" test -w "$dir" -a -x "$dir" ||
      die "user $ROOT_RUN_AS cannot reach $dir (is a parent directory private? use mktemp -d under /tmp)"
  fi
  # The server and its tools may not be able to enter the caller's cwd.
  cd "$dir"

  # Unix socket paths are limited to 107 bytes; past that, TCP only.
  local sockdir=$dir
  if [ $((${#dir} + 17)) -gt 107 ]; then
    echo "$PROG: warning: $dir is too long for a Unix socket; TCP only" >&2
    sockdir=
  fi

  # On any failure from here on, stop whatever was started (DIR itself is
  # left for the caller's `stop`, with pg.log in it).
  START_DIR=$dir
  trap start_failed EXIT

  local out
  if ! out=$(as_owner "$dir" "$PG_BINDIR/initdb" -D "$dir/pgdata" \
      --encoding=UTF8 --locale=C.UTF-8 --auth=trust -U "$SUPERUSER" --no-sync 2>&1); then
    printf '%s\n' "$out" >&2
    die "initdb failed"
  fi
  printf "\ninclude 'fazhi-test.conf'\n" >>"$dir/pgdata/postgresql.conf"

  # A port picked as free can be taken before the server binds it (parallel
  # test suites); then try another.
  local port attempt started=0
  for attempt in 1 2 3 4 5; do
    port=$(pick_port) || die "no free TCP port found on $HOST"
    write_conf "$dir" "$port" "$sockdir"
    if as_owner "$dir" "$PG_BINDIR/pg_ctl" -D "$dir/pgdata" -l "$dir/pg.log" \
        -w -t 60 start >/dev/null 2>&1; then
      started=1
      break
    fi
    stop_server "$dir"
    if ! grep -qE 'could not bind|could not create any TCP/IP sockets|could not create lock file' \
        "$dir/pg.log" 2>/dev/null; then
      break
    fi
    echo "$PROG: port $port was taken, retrying (attempt $attempt)" >&2
    : >"$dir/pg.log"
  done
  [ "$started" -eq 1 ] || die "PostgreSQL failed to start (data directory $dir/pgdata)"

  if ! out=$("$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$HOST" -p "$port" \
      -U "$SUPERUSER" -d template1 -c 'CREATE EXTENSION IF NOT EXISTS pg_trgm' 2>&1); then
    printf '%s\n' "$out" >&2
    die "could not create extension pg_trgm in template1 (is postgresql-contrib installed?)"
  fi

  local url="postgresql://$SUPERUSER@$HOST:$port"
  printf '%s\n' "$port" >"$dir/port"
  printf '%s\n' "$url" >"$dir/url"
  trap - EXIT
  printf '%s\n' "$url"
}

cmd_stop() {
  local dir
  dir=$(abspath "$1")
  [ -e "$dir" ] || return 0
  [ -d "$dir" ] || die "$dir is not a directory"
  case $dir in
    / | /tmp | /tmp/ | "${HOME:-/}" | "${HOME:-}/") die "refusing to remove $dir" ;;
  esac
  # Only remove a directory that `start` set up, or an empty one (start was
  # never run, or failed before writing anything).
  if [ ! -e "$dir/.pg-cluster" ] && [ -n "$(ls -A "$dir")" ]; then
    die "$dir was not set up by $PROG start; not removing it"
  fi
  cd /
  stop_server "$dir"
  rm -rf -- "$dir" || die "could not remove $dir"
}

cmd_restart() {
  local dir
  dir=$(abspath "$1")
  need_bin pg_ctl
  [ -d "$dir/pgdata" ] || die "$dir/pgdata not found: no cluster in $dir"
  read_port "$dir" >/dev/null
  cd "$dir"
  local out pause=${2:-}
  if [ -n "$pause" ]; then
    [[ $pause =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "bad pause: $pause"
    as_owner "$dir" "$PG_BINDIR/pg_ctl" -D "$dir/pgdata" -m fast -w -t 60 stop >/dev/null 2>&1 ||
      die "PostgreSQL stop failed"
    sleep "$pause"
    if ! out=$(as_owner "$dir" "$PG_BINDIR/pg_ctl" -D "$dir/pgdata" -l "$dir/pg.log" -w -t 60 start 2>&1); then
      printf '%s\n' "$out" >&2
      show_log_tail "$dir"
      die "PostgreSQL start failed"
    fi
    return 0
  fi
  if ! out=$(as_owner "$dir" "$PG_BINDIR/pg_ctl" -D "$dir/pgdata" -l "$dir/pg.log" \
      -m fast -w -t 60 restart 2>&1); then
    printf '%s\n' "$out" >&2
    show_log_tail "$dir"
    die "PostgreSQL restart failed"
  fi
}

cmd_createdb() {
  local dir name port
  dir=$(abspath "$1")
  name=$2
  need_bin createdb
  # Kept to characters that need no quoting in the URL.
  [[ $name =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$ ]] ||
    die "bad database name '$name' (letters, digits, _ . - only; at most 63)"
  port=$(read_port "$dir")
  local out
  if ! out=$("$PG_BINDIR/createdb" -h "$HOST" -p "$port" -U "$SUPERUSER" \
      -O "$SUPERUSER" -- "$name" 2>&1); then
    printf '%s\n' "$out" >&2
    die "createdb $name failed"
  fi
  printf 'postgresql://%s@%s:%s/%s\n' "$SUPERUSER" "$HOST" "$port" "$name"
}

[ $# -ge 2 ] || usage
[ -n "$2" ] || die "DIR must not be empty"
case $1 in
  start) [ $# -eq 2 ] || usage; cmd_start "$2" ;;
  stop) [ $# -eq 2 ] || usage; cmd_stop "$2" ;;
  restart) [ $# -eq 2 ] || [ $# -eq 3 ] || usage; cmd_restart "$2" "${3:-}" ;;
  createdb) [ $# -eq 3 ] || usage; cmd_createdb "$2" "$3" ;;
  *) usage ;;
esac
