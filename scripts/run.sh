#!/usr/bin/env bash
# run.sh - what `make run` does after building: a local PostgreSQL under .data/ when DATABASE_URL is
# unset, a development signing key and a local Discord double when no Discord application is
# configured, migrations, the demo catalog, then `popdeck serve` in the foreground.
# As root the cluster belongs to the postgres user, who often cannot enter the checkout (root's
# home is 0700, so is a `mktemp -d` folder): it then lives in that user's home, in
# popdeck-dev/<checkout name>-<hash of its path>, and .data/pg is a link to it, so the next
# `make run` finds the same cluster. Remove both to start afresh.
# DEV_SEED_LIMIT=N seeds only the first N demo artists (quicker; the tests use it).
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mkdir -p .data

if [ -f .env ]; then set -a; . ./.env; set +a; fi

seed=(seed demo)
if [ -n "${DEV_SEED_LIMIT:-}" ]; then
  case "$DEV_SEED_LIMIT" in
  *[!0-9]* | 0*) echo "run: DEV_SEED_LIMIT must be a whole number above 0 (got \"$DEV_SEED_LIMIT\")" >&2; exit 2 ;;
  esac
  seed+=(--limit "$DEV_SEED_LIMIT")
fi

# Root's cluster outside the checkout, unless one already works inside it (made where postgres
# could enter). A .data/pg left by an initdb that could not enter holds nothing worth keeping.
root_pg_dir() {
  local home base ext
  if [ -L .data/pg ]; then
    # Already linked; only a target removed by hand needs making again.
    ext=$(readlink .data/pg)
    [ -d "$ext" ] || install -d -o postgres -g postgres -m 700 "$ext"
    return 0
  fi
  home=$(getent passwd postgres | cut -d: -f6)
  [ -n "$home" ] || { echo "run: no postgres user (run scripts/deps.sh)" >&2; exit 1; }
  base=$(printf '%s' "$(basename "$top")" | tr -c 'A-Za-z0-9._-' '_' | cut -c1-32)
  ext=$home/popdeck-dev/$base-$(printf '%s' "$top" | sha256sum | cut -c1-8)
  install -d -o postgres -g postgres -m 700 "$home/popdeck-dev" "$ext"
  rm -rf .data/pg
  ln -s "$ext" .data/pg
}

if [ -z "${DATABASE_URL:-}" ]; then
  if [ "$(id -u)" -eq 0 ] && { [ -L .data/pg ] || [ ! -f .data/pg/data/PG_VERSION ]; }; then
    root_pg_dir
  fi
  DATABASE_URL=$(scripts/pg.sh start .data/pg)
  where=.data/pg
  [ -L .data/pg ] && where="$(readlink .data/pg) (linked from .data/pg)"
  echo "run: local PostgreSQL in $where ($DATABASE_URL)"
fi
export DATABASE_URL

dev=0
if [ -z "${DISCORD_PUBLIC_KEY:-}" ]; then
  dev=1
  DEV_KEY_FILE=${DEV_KEY_FILE:-.data/dev-key}
  DISCORD_PUBLIC_KEY=$("$build/popdeck" keygen "$DEV_KEY_FILE")
  DISCORD_APPLICATION_ID=${DISCORD_APPLICATION_ID:-1111111111111111111}
  if [ -z "${DISCORD_API_BASE:-}" ]; then
    # Follow-ups go to a local double, never to the internet, until a real application is configured.
    [ -f .data/double.pid ] && kill "$(cat .data/double.pid)" 2>/dev/null || true
    "$build/double-discord" --port "${DEV_DOUBLE_PORT:-8081}" >.data/double.log 2>&1 &
    echo $! >.data/double.pid
    DISCORD_API_BASE=http://127.0.0.1:${DEV_DOUBLE_PORT:-8081}/api/v10
    # The double wants a bot token on direct messages, as Discord does; it goes nowhere else.
    DISCORD_BOT_TOKEN=${DISCORD_BOT_TOKEN:-development-double}
  fi
  # The playground's admin player, unless an admin list is configured.
  if [ -z "${ADMIN_FILE:-}" ] && [ ! -f admin.json ]; then
    ADMIN_FILE=.data/dev-admin.json
    [ -f "$ADMIN_FILE" ] || printf '{"admins": ["80351110224678914"]}\n' >"$ADMIN_FILE"
  fi
  export DEV_KEY_FILE DISCORD_BOT_TOKEN ADMIN_FILE
fi
export DISCORD_PUBLIC_KEY DISCORD_APPLICATION_ID DISCORD_API_BASE

# scripts/try reads this to reach the same server and double.
cat >.data/dev.env <<ENV
DATABASE_URL=$DATABASE_URL
DISCORD_APPLICATION_ID=${DISCORD_APPLICATION_ID:-}
DISCORD_API_BASE=${DISCORD_API_BASE:-}
LISTEN_ADDR=${LISTEN_ADDR:-127.0.0.1:8080}
ENV

"$build/popdeck" migrate
if "$build/popdeck" help 2>/dev/null | grep -q '^  seed'; then
  "$build/popdeck" "${seed[@]}"
fi

if [ "$dev" = 1 ]; then
  cat <<MSG

PopDeck development mode: no DISCORD_PUBLIC_KEY, so requests are signed with $DEV_KEY_FILE.
  public key: $DISCORD_PUBLIC_KEY
  follow-ups go to the local Discord double at $DISCORD_API_BASE

Play in your browser: http://${LISTEN_ADDR:-127.0.0.1:8080}/play

Or try a command from another terminal:
  scripts/try daily
  scripts/try balance user=53908232506183680
  scripts/try profile
MSG
fi
# Not exec: when serve stops (Ctrl-C, SIGTERM), the development double stops with it.
trap '[ -f .data/double.pid ] && kill "$(cat .data/double.pid)" 2>/dev/null; rm -f .data/double.pid' EXIT
"$build/popdeck" serve
