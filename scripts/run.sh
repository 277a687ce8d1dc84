#!/usr/bin/env bash
# run.sh - what `make run` does after building: a local PostgreSQL under .data/ when DATABASE_URL is
# unset, a development signing key and a local Discord double when no Discord application is
# configured, migrations, the demo catalog, then `popdeck serve` in the foreground.
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mkdir -p .data

if [ -f .env ]; then set -a; . ./.env; set +a; fi

if [ -z "${DATABASE_URL:-}" ]; then
  DATABASE_URL=$(scripts/pg.sh start .data/pg)
  echo "run: local PostgreSQL in .data/pg ($DATABASE_URL)"
fi
export DATABASE_URL

dev=0
if [ -z "${DISCORD_PUBLIC_KEY:-}" ]; then
  dev=1
  DISCORD_PUBLIC_KEY=$("$build/popdeck" keygen .data/dev-key)
  DISCORD_APPLICATION_ID=${DISCORD_APPLICATION_ID:-1111111111111111111}
  if [ -z "${DISCORD_API_BASE:-}" ]; then
    # Follow-ups go to a local double, never to the internet, until a real application is configured.
    [ -f .data/double.pid ] && kill "$(cat .data/double.pid)" 2>/dev/null || true
    "$build/double-discord" --port "${DEV_DOUBLE_PORT:-8081}" >.data/double.log 2>&1 &
    echo $! >.data/double.pid
    DISCORD_API_BASE=http://127.0.0.1:${DEV_DOUBLE_PORT:-8081}/api/v10
  fi
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
  "$build/popdeck" seed demo
fi

if [ "$dev" = 1 ]; then
  cat <<MSG

PopDeck development mode: no DISCORD_PUBLIC_KEY, so requests are signed with .data/dev-key.
  public key: $DISCORD_PUBLIC_KEY
  follow-ups go to the local Discord double at $DISCORD_API_BASE
Try a command from another terminal:
  scripts/try daily
  scripts/try balance user=53908232506183680
  scripts/try profile
MSG
fi
# Not exec: when serve stops (Ctrl-C, SIGTERM), the development double stops with it.
trap '[ -f .data/double.pid ] && kill "$(cat .data/double.pid)" 2>/dev/null; rm -f .data/double.pid' EXIT
"$build/popdeck" serve
