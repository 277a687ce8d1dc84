#!/usr/bin/env bash
# pg.sh - a private PostgreSQL cluster in a folder, reached only through a Unix socket inside it.
#   pg.sh start DIR [--fast]   init (first time) and start; prints the DATABASE_URL of database "popdeck"
#   pg.sh stop DIR             stop it (fast shutdown)
#   pg.sh url DIR              print the DATABASE_URL again
# initdb refuses to run as root, so as root the cluster belongs to the "postgres" user (runuser).
# --fast turns off durability (fsync, synchronous_commit): for throwaway test clusters only.
set -euo pipefail

cmd=${1:?usage: pg.sh start|stop|url DIR [--fast]}
dir=${2:?usage: pg.sh start|stop|url DIR [--fast]}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
data=$dir/data
sock=$dir/sock
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "pg.sh: no PostgreSQL server found (run scripts/deps.sh)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
url() {
  local user=postgres
  [ "$(id -u)" -eq 0 ] || user=$(id -un)
  echo "postgresql:///popdeck?host=$sock&user=$user"
}

case "$cmd" in
start)
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data" "$sock"
    [ "$(id -u)" -eq 0 ] && chown -R postgres: "$dir"
    as_owner "$bin/initdb" -D "$data" -A trust -U "$([ "$(id -u)" -eq 0 ] && echo postgres || id -un)" \
      -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    {
      echo "listen_addresses = ''"
      echo "unix_socket_directories = '$sock'"
      echo "max_connections = 300"
      echo "shared_buffers = 128MB"
      if [ "${3:-}" = "--fast" ]; then
        echo "fsync = off"; echo "synchronous_commit = off"; echo "full_page_writes = off"
      fi
    } >>"$data/postgresql.conf"
  fi
  if ! as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 30 start >/dev/null \
      || { tail -n 20 "$dir/server.log" >&2; exit 1; }
  fi
  as_owner "$bin/psql" -h "$sock" -d postgres -qtAc "SELECT 1 FROM pg_database WHERE datname='popdeck'" \
    | grep -q 1 || as_owner "$bin/createdb" -h "$sock" popdeck
  url
  ;;
stop)
  [ -f "$data/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
  ;;
url)
  url
  ;;
*)
  echo "pg.sh: unknown command $cmd" >&2; exit 2
  ;;
esac
