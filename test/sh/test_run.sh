#!/usr/bin/env bash
# test_run.sh - `make run`'s script (scripts/run.sh) from a copy of the checkout in folders the
# postgres user cannot enter: a 0700 home (like /root) and a `mktemp -d` folder. Each is run
# twice: the first run makes the cluster, the second must find the same one. Both must answer
# /healthz and /readyz; the cluster must not be open to other users; at the end nothing is left:
# no server, no postgres, no cluster folder.
#   test_run.sh BUILD    prints PASS:/FAIL: lines; exit status 0 only when every check passed
set -uo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { # name command...
  local name=$1
  shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}
. scripts/lib.sh # free_port
http_ok() { curl -fsS --noproxy '*' -o /dev/null --max-time 2 "$1" 2>/dev/null; }

runpid='' cluster='' bases=() by_term=0
stop_run() {
  [ -n "$runpid" ] || return 0
  # run.sh is its own process group (setsid): the server, the Discord double and run.sh itself.
  # Wait for the whole group, not only run.sh: a sanitizer build of the double exits more slowly.
  kill -TERM -- "-$runpid" 2>/dev/null
  by_term=0
  for _ in $(seq 150); do kill -0 -- "-$runpid" 2>/dev/null || { by_term=1; break; }; sleep 0.1; done
  kill -KILL -- "-$runpid" 2>/dev/null
  wait "$runpid" 2>/dev/null
  runpid=''
}
teardown_cluster() {
  [ -n "$cluster" ] || return 0
  scripts/pg.sh stop "$cluster" >/dev/null 2>&1
  rm -rf "$cluster"
  cluster=''
}
cleanup() {
  stop_run
  teardown_cluster
  rm -rf "${bases[@]}"
}
trap cleanup EXIT

# Starts run.sh in CHECKOUT and waits until /healthz and /readyz answer; LOG gets its output.
# A port taken between the choice and the bind (other programs share the machine) is chosen again.
start_run() { # checkout log
  local try
  for try in 1 2 3; do
    start_run_once "$1" "$2" && return 0
    grep -q 'cannot listen on' "$2" || break
    stop_run
  done
  sed 's/^/  run.sh: /' "$2" | tail -n 15
  return 1
}
start_run_once() {
  local port dport
  port=$(free_port)
  dport=$(free_port)
  while [ "$dport" = "$port" ]; do dport=$(free_port); done
  (cd "$1" && exec env -u DATABASE_URL -u DISCORD_PUBLIC_KEY -u DISCORD_APPLICATION_ID -u DISCORD_API_BASE \
    -u PD_TEST_DATABASE_URL LISTEN_ADDR="127.0.0.1:$port" DEV_DOUBLE_PORT="$dport" DEV_SEED_LIMIT=2 \
    setsid scripts/run.sh build) >"$2" 2>&1 </dev/null &
  runpid=$!
  url=http://127.0.0.1:$port
  for _ in $(seq 600); do
    http_ok "$url/healthz" && http_ok "$url/readyz" && return 0
    kill -0 "$runpid" 2>/dev/null || break
    sleep 0.1
  done
  return 1
}

# True when no file or folder under DIR is writable by others (sockets included).
not_world_writable() { [ -z "$(find "$1" -perm -o+w 2>/dev/null | head -n 1)" ]; }

one_case() { # label checkout [leftover]: leftover = a .data/pg from a run before the fix
  local label=$1 co=$2 log
  log=$logs/$(printf '%s' "$label" | tr -c 'A-Za-z0-9' '_').log
  mkdir -p "$co/build"
  cp -r scripts sql assets "$co/"
  cp "$build/popdeck" "$build/double-discord" "$co/build/"
  # What an initdb that could not enter the checkout left behind.
  [ "${3:-}" = leftover ] && mkdir -p "$co/.data/pg/data" && echo 'initdb: error' >"$co/.data/pg/initdb.log"
  if [ "$(id -u)" -eq 0 ]; then
    check "$label: the postgres user cannot enter the checkout (the case under test)" \
      bash -c '! runuser -u postgres -- test -x "$1"' _ "$co"
  fi

  if ! start_run "$co" "$log"; then
    fail "$label: make run answers /healthz and /readyz"
    return
  fi
  pass "$label: make run answers /healthz and /readyz"
  # Development mode: the playground's address, printed, serves the page.
  check "$label: make run prints the playground's address, which serves the page" bash -c \
    'grep -qxF "Play in your browser: $2/play" "$1" && curl -fsS --noproxy "*" --max-time 2 "$2/play" | grep -q "PopDeck Playground</title>"' \
    _ "$log" "$url"
  cluster=$(cd "$co/.data/pg" && pwd -P)
  local first=$cluster dburl
  dburl=$(sed -n 's/^DATABASE_URL=//p' "$co/.data/dev.env")
  if [ "$(id -u)" -eq 0 ]; then
    check "$label: the cluster is outside the checkout, owned by postgres" \
      bash -c '[ -L "$1/.data/pg" ] && case "$2" in "$1"/*) exit 1 ;; esac && [ "$(stat -c %U "$2/data")" = postgres ]' \
      _ "$co" "$cluster"
  fi
  check "$label: the cluster's data is 0700" test "$(stat -c %a "$cluster/data")" = 700
  check "$label: nothing in the cluster (socket included) is writable by others" not_world_writable "$cluster"
  "$bin/psql" "$dburl" -qc 'CREATE TABLE run_test_marker ()' >/dev/null 2>&1
  local dpid gone=0
  dpid=$(cat "$co/.data/double.pid" 2>/dev/null)
  stop_run
  # SIGTERM, not the SIGKILL stop_run falls back to, must have emptied the group.
  [ -n "$dpid" ] && [ "$by_term" = 1 ] && ! kill -0 "$dpid" 2>/dev/null && gone=1
  check "$label: stopping make run (SIGTERM) stops the server and the Discord double" test "$gone" = 1

  if start_run "$co" "$log.2"; then
    pass "$label: a second make run answers /healthz and /readyz"
    cluster=$(cd "$co/.data/pg" && pwd -P)
    check "$label: the second make run reuses the same cluster" bash -c \
      '[ "$1" = "$2" ] && grep -q "0 applied" "$3" && "$4/psql" "$5" -qtAc "SELECT 1 FROM run_test_marker" >/dev/null' \
      _ "$first" "$cluster" "$log.2" "$bin" "$dburl"
  else
    fail "$label: a second make run answers /healthz and /readyz"
  fi
  stop_run
  teardown_cluster
  check "$label: nothing is left running from the cluster" \
    bash -c '! ps -eo args | grep -F -- "$1/data" | grep -v grep >/dev/null' _ "$first"
  check "$label: the cluster folder is gone" test ! -e "$first"
}

logs=$(mktemp -d /tmp/popdeck-runlogs.XXXXXX)
bases+=("$logs")
# A home like /root: a 0700 folder with the checkout inside it, where a make run before this fix
# had already failed.
home=$(mktemp -d /tmp/popdeck-home.XXXXXX)
bases+=("$home")
chmod 700 "$home"
one_case "0700 home" "$home/popdeck" leftover
# A `mktemp -d` folder (0700) that is itself the checkout.
tmpco=$(mktemp -d)
bases+=("$tmpco")
one_case "mktemp -d" "$tmpco"

[ "$failures" -eq 0 ]
