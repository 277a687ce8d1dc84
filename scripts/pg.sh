#!/usr/bin/env bash
# pg.sh - a private PostgreSQL cluster in a folder, reached only through a Unix socket inside it.
#   pg.sh start DIR [--fast] [--open]   init (first time) and start; prints the DATABASE_URL of database "popdeck"
#   pg.sh stop DIR                      stop it (fast shutdown)
#   pg.sh url DIR                       print the DATABASE_URL again
# initdb refuses to run as root, so as root the cluster belongs to the "postgres" user (runuser),
# and every folder above DIR must let that user in (scripts/run.sh keeps root's cluster outside a
# closed home for that reason). DIR may be a symbolic link: the cluster lives where it points.
# Authentication is "trust", so only the cluster's owner (and root) may reach the socket.
# --fast turns off durability (fsync, synchronous_commit): for throwaway test clusters only.
# --open lets every local user reach the socket: for a throwaway cluster that a container's own
#   user connects to (scripts/docker-check.sh), never for one that is kept.
set -euo pipefail

usage="usage: pg.sh start|stop|url DIR [--fast] [--open]"
cmd=${1:?$usage}
dir=${2:?$usage}
fast=0 open=0
for opt in "${@:3}"; do
  case "$opt" in
  --fast) fast=1 ;;
  --open) open=1 ;;
  *) echo "pg.sh: unknown option $opt ($usage)" >&2; exit 2 ;;
  esac
done
mkdir -p "$dir"
# The physical path: the postgres user must not have to pass through the link's own folder.
dir=$(cd "$dir" && pwd -P)
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
  if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$dir"; then
    echo "pg.sh: the postgres user cannot enter $dir (a folder above it is closed to others); put the cluster elsewhere" >&2
    exit 1
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data" "$sock"
    mode=700 sockmode=0700
    [ "$open" = 1 ] && mode=755 sockmode=0777
    chmod "$mode" "$dir" "$sock"
    [ "$(id -u)" -eq 0 ] && chown -R postgres: "$dir"
    as_owner "$bin/initdb" -D "$data" -A trust -U "$([ "$(id -u)" -eq 0 ] && echo postgres || id -un)" \
      -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    {
      echo "listen_addresses = ''"
      echo "unix_socket_directories = '$sock'"
      echo "unix_socket_permissions = $sockmode"
      echo "max_connections = 300"
      echo "shared_buffers = 128MB"
      if [ "$fast" = 1 ]; then
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
