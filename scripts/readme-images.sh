#!/usr/bin/env bash
# readme-images.sh - the README's pictures of what a player sees, drawn by `popdeck render` from
# the demo catalog, so they never drift from the renderer:
#   assets/readme/cards.png       one card of each rarity, common to mythic, side by side
#   assets/readme/pack.png        a pack of three card backs, as /openpack shows it
#   assets/readme/playground.png  (with --screenshot) the playground in headless Chromium, taken
#                                 by test/browser/run.sh after its tests
#   readme-images.sh [BUILD] [--screenshot]   writes them
#   readme-images.sh [BUILD] --check          draws them again and compares (test/sh runs this):
#                                             PASS:/FAIL: lines, exit 1 when one differs
# Under `make test` (PD_TEST_DATABASE_URL set) it uses that cluster; otherwise a throwaway one.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=build check=0 shot=0
for a in "$@"; do
  case "$a" in
  --check) check=1 ;;
  --screenshot) shot=1 ;;
  -*) echo "usage: readme-images.sh [BUILD] [--check | --screenshot]" >&2; exit 2 ;;
  *) build=$a ;;
  esac
done
# The sizes the README shows them at: small files, still readable.
CARD_W=180

tmp=$(mktemp -d /tmp/popdeck-readme.XXXXXX)
chmod 755 "$tmp"
own_cluster=0
cleanup() {
  [ "$own_cluster" = 1 ] && scripts/pg.sh stop "$tmp/pg" >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY='*' no_proxy='*'
export PGOPTIONS='--client-min-messages=warning'

base=${PD_TEST_DATABASE_URL:-}
if [ -z "$base" ]; then
  base=$(scripts/pg.sh start "$tmp/pg" --fast) || { echo "readme-images: cannot start PostgreSQL" >&2; exit 1; }
  own_cluster=1
fi
db=readme_images
psql -q "$base" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null || exit 1
. "$top/scripts/lib.sh"
DATABASE_URL=$(db_url_named "$base" "$db")
export DATABASE_URL CARDS_DIR=$tmp/cards DISCORD_PUBLIC_KEY= DISCORD_API_BASE=
"$build/popdeck" migrate >/dev/null || exit 1
"$build/popdeck" seed demo --limit 3 >/dev/null || exit 1

# Each rarity from another era, in the catalog's own order: common from the first era, rare
# from the second, and so on.
ids=$(psql -Atq "$DATABASE_URL" -c "
  WITH eras AS (SELECT era_id, row_number() OVER (ORDER BY min(id)) AS k
                FROM card_templates GROUP BY era_id)
  SELECT t.public_id FROM card_templates t JOIN eras e USING (era_id)
  WHERE (t.rarity, e.k) IN (('common',1),('rare',2),('epic',3),('legendary',4),('mythic',5))
  ORDER BY e.k") || exit 1
# shellcheck disable=SC2086 # one word per id
set -- $ids
[ $# -eq 5 ] || { echo "readme-images: expected five cards, got: $ids" >&2; exit 1; }
mkdir -p "$tmp/out"
"$build/popdeck" render --strip "$CARD_W" "$tmp/out/cards.png" "$@" >/dev/null || exit 1
"$build/popdeck" render --strip "$CARD_W" "$tmp/out/pack.png" back back back >/dev/null || exit 1
psql -q "$base" -c "DROP DATABASE $db" >/dev/null

if [ "$check" = 1 ]; then
  failed=0
  for f in cards.png pack.png; do
    if cmp -s "$tmp/out/$f" "assets/readme/$f"; then
      echo "PASS: assets/readme/$f is what popdeck render draws"
    else
      echo "FAIL: assets/readme/$f differs from what popdeck render draws now (run scripts/readme-images.sh)"
      failed=1
    fi
  done
  exit "$failed"
fi
mkdir -p assets/readme
cp "$tmp/out/cards.png" "$tmp/out/pack.png" assets/readme/
echo "readme-images: assets/readme/cards.png ($*), assets/readme/pack.png"
if [ "$shot" = 1 ]; then
  PD_TEST_DATABASE_URL=$base PD_TMP=$tmp PD_BUILD_DIR=$build \
    PLAY_SCREENSHOT="$top/assets/readme/playground.png" test/browser/run.sh "$build" || exit 1
  echo "readme-images: assets/readme/playground.png"
fi
