#!/usr/bin/env bash
# Start a throw-away PostgreSQL server for the test suite; prints its DATABASE_URL.
# Usage: .ci/postgres.sh start DIR PORT   |   .ci/postgres.sh stop DIR
#        .ci/postgres.sh resume DIR PORT (start a stopped server again, its data kept)
set -euo pipefail
action=$1 dir=$2

find_bindir() {
  if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir; return
  fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$1"; else bash -c "$1"; fi
}

serve() {
  as_postgres "'$bindir/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w \
    -o \"-p $1 -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start >/dev/null"
}

case $action in
start)
  port=$3
  bindir=$(find_bindir)
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    echo "PostgreSQL is not installed; installing it with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
    bindir=$(find_bindir)
  fi
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --home "$dir" postgres
  fi
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_postgres "'$bindir/initdb' -D '$dir/data' -A trust -U postgres >'$dir/initdb.log' 2>&1"
  serve "$port"
  echo "postgres://postgres@127.0.0.1:$port/revloop"
  ;;
resume)
  bindir=$(find_bindir)
  serve "$3"
  ;;
stop)
  bindir=$(find_bindir)
  as_postgres "'$bindir/pg_ctl' -D '$dir/data' -m fast -w stop >/dev/null" || true
  ;;
esac
