#!/usr/bin/env bash
# run.sh BUILD - the playground page (assets/play) in a real headless Chromium: runs the page's
# markdown table in Node (markdown.test.mjs), starts the Discord double and `popdeck serve` in
# development mode against a database of its own on the test cluster, runs play.test.mjs, then
# checks the ledger with `popdeck audit`.
# Needs PD_TEST_DATABASE_URL (the throwaway cluster scripts/test.sh starts) and PD_TMP; prints
# one PASS:/FAIL: line per test and exits non-zero on any failure.  Screenshots of failed tests
# go to BUILD/test-output/browser.  PLAY_SCREENSHOT=FILE also saves a picture of the page.
set -uo pipefail
build=${1:-${PD_BUILD_DIR:-build}}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
case $build in /*) ;; *) build=$top/$build ;; esac
here=$top/test/browser
out=$build/test-output/browser
mkdir -p "$out"
: "${PD_TEST_DATABASE_URL:?PD_TEST_DATABASE_URL: the test cluster (scripts/test.sh sets it)}"
: "${PD_TMP:?PD_TMP: a scratch folder (scripts/test.sh sets it)}"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY='*' no_proxy='*'

fail() {
  echo "FAIL: $1"
  exit 1
}
[ -x /usr/bin/chromium ] || fail "browser setup (no /usr/bin/chromium: scripts/deps.sh installs it)"
command -v node >/dev/null || fail "browser setup (no node: scripts/deps.sh installs it)"

# npm ci only when the lock is newer than what is installed (npm writes .package-lock.json).
if [ ! -f "$here/node_modules/.package-lock.json" ] ||
  [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >"$PD_TMP/browser-npm.log" 2>&1) ||
    { cat "$PD_TMP/browser-npm.log"; fail "browser setup (npm ci)"; }
fi

rc=0
# The page's markdown renderer needs no browser: its table first.
node "$here/markdown.test.mjs" || rc=1

dir=$(mktemp -d "$PD_TMP/browser.XXXXXX")
db=browser_play
. "$top/scripts/lib.sh"
admin_url=$PD_TEST_DATABASE_URL
db_url=$(db_url_named "$PD_TEST_DATABASE_URL" "$db")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
}
trap cleanup EXIT

psql -q -v ON_ERROR_STOP=1 "$admin_url" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" \
  -c "CREATE DATABASE $db" >"$dir/psql.log" 2>&1 || { cat "$dir/psql.log"; fail "browser setup (database)"; }

pubkey=$("$build/popdeck" keygen "$dir/dev-key" 2>"$dir/keygen.log") || { cat "$dir/keygen.log"; fail "browser setup (keygen)"; }

"$build/double-discord" --port 0 >"$dir/double.log" 2>&1 &
pids+=($!)
dport=
for _ in $(seq 1 100); do
  dport=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$dir/double.log" | head -1)
  [ -n "$dport" ] && break
  sleep 0.1
done
[ -n "$dport" ] || { cat "$dir/double.log"; fail "browser setup (double-discord did not start)"; }

# The assets as they are, but for packs.json without cooldowns and with more free opens a day:
# /mycards needs eleven cards for a second page, each kept from a pack opened through the page.
mkdir -p "$dir/assets"
for f in "$top"/assets/*; do
  [ "$(basename "$f")" = packs.json ] || ln -s "$f" "$dir/assets/"
done
node -e '
const fs = require("fs");
const c = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
c.cooldowns.openpack_s = 0;
c.cooldowns.draw_s = 0;
for (const p of c.packs) if (p.id === c.default_pack) p.free_per_day = 50;
fs.writeFileSync(process.argv[2], JSON.stringify(c, null, 1));
' "$top/assets/packs.json" "$dir/assets/packs.json" || fail "browser setup (packs.json)"

# A free loopback port for the server (scripts/lib.sh).  Card URLs are made at seed time from
# PUBLIC_BASE_URL, so it is known before the seed.
port=$(free_port)
export DATABASE_URL=$db_url SQL_DIR=$top/sql ASSETS_DIR=$dir/assets CARDS_DIR=$dir/cards \
  LISTEN_ADDR=127.0.0.1:$port PUBLIC_BASE_URL=http://127.0.0.1:$port
"$build/popdeck" migrate >"$dir/migrate.log" 2>&1 || { cat "$dir/migrate.log"; fail "browser setup (migrate)"; }
"$build/popdeck" seed demo --limit 3 >"$dir/seed.log" 2>&1 || { cat "$dir/seed.log"; fail "browser setup (seed demo)"; }
printf '{"admins":["80351110224678914"]}\n' >"$dir/admins.json"

DISCORD_PUBLIC_KEY=$pubkey DEV_KEY_FILE=$dir/dev-key DISCORD_APPLICATION_ID=1111111111111111111 \
  DISCORD_API_BASE=http://127.0.0.1:$dport/api/v10 DISCORD_BOT_TOKEN=dev-bot-token \
  ADMIN_FILE=$dir/admins.json RATE_LIMIT_COMMANDS=0 \
  "$build/popdeck" serve >"$dir/serve.log" 2>&1 &
pids+=($!)
up=0
for _ in $(seq 1 150); do
  grep -q '"msg":"listening"' "$dir/serve.log" && { up=1; break; }
  kill -0 "${pids[1]}" 2>/dev/null || break
  sleep 0.1
done
[ "$up" = 1 ] || { tail -20 "$dir/serve.log"; fail "browser setup (popdeck serve did not start)"; }
grep -q '"msg":"playground mounted"' "$dir/serve.log" || { tail -20 "$dir/serve.log"; fail "browser setup (playground not mounted)"; }

PLAY_SCREENSHOT=${PLAY_SCREENSHOT:-} node "$here/play.test.mjs" "http://127.0.0.1:$port" "$out" || rc=1

if "$build/popdeck" audit >"$dir/audit.log" 2>&1; then
  echo "PASS: browser audit after the playground"
else
  echo "FAIL: browser audit after the playground"
  cat "$dir/audit.log"
  rc=1
fi
if [ "$rc" -ne 0 ]; then
  cp "$dir/serve.log" "$dir/double.log" "$out/" 2>/dev/null
  echo "browser: logs and screenshots in $out"
fi
exit "$rc"
