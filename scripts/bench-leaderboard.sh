#!/usr/bin/env bash
# bench-leaderboard.sh - /leaderboard at a million players (called by `make bench`, or on its own:
# scripts/bench-leaderboard.sh [BUILD]).  Generates, with SQL generate_series, BENCH_LB_PLAYERS
# players (default 1,000,000) with Notes, BENCH_LB_COPIES copies (default 20,000,000) over a
# catalog of 2,000 eras, and the servers they play in (every player in one of 100 servers of
# 10,000, the even half also in one big server); then one `popdeck serve` whose scheduler
# rebuilds the ranks every 60 s, and, through the real HTTP endpoint with signed interactions
# (test/bench_leaderboard, BENCH_LB_REQUESTS requests per figure, default 2,000, from 4
# connections pausing 5 ms between requests):
#   - /leaderboard by random players, random board and scope: the first page and their own rank;
#   - Next/Previous on random pages of random boards (global and the big server's);
#   - the very last page of the global board, pressed by the very last player.
# Target: p99 <= 20 ms for each; the refresh must fit in its 60 s period.  The refreshes that
# run during the measurement are counted in: their swap is part of what readers see.
# Generating takes minutes: BENCH_LB_PG=DIR keeps the cluster in DIR and reuses a database
# generated there before with the same sizes.
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
players=${BENCH_LB_PLAYERS:-1000000}
copies=${BENCH_LB_COPIES:-20000000}
requests=${BENCH_LB_REQUESTS:-2000}
for v in players copies requests; do
  [[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -ge 1000 ] || { echo "bench-leaderboard: BENCH_LB_PLAYERS, BENCH_LB_COPIES and BENCH_LB_REQUESTS must be whole numbers >= 1000" >&2; exit 2; }
done
tmp=$(mktemp -d /tmp/popdeck-bench-lb.XXXXXX)
chmod 755 "$tmp"
cluster=${BENCH_LB_PG:-$tmp/pg}
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/pg.sh stop "$cluster" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
# shellcheck source=scripts/lib.sh
. scripts/lib.sh # free_port
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY='*' no_proxy='*'

export DATABASE_URL
DATABASE_URL=$(scripts/pg.sh start "$cluster" --fast)
q() { psql -qAtX "$DATABASE_URL" -c "$1"; }
"$build/popdeck" migrate >/dev/null
echo "leaderboard benchmark: $(date -u +%FT%TZ), $(nproc) cores, $players players, $copies copies"
have=$(q "SELECT players || ' ' || copies FROM bench_leaderboard_sizes" 2>/dev/null || true)
if [ "$have" = "$players $copies" ]; then
  echo "  reusing the database generated before in $cluster"
else
  [ -z "$(q "SELECT 1 FROM users LIMIT 1")" ] || { echo "bench-leaderboard: $cluster holds another database; give BENCH_LB_PG a new folder" >&2; exit 1; }
  t0=$(date +%s.%N)
  psql -qX -v ON_ERROR_STOP=1 -v players="$players" -v copies="$copies" "$DATABASE_URL" >/dev/null <<'SQL'
-- 500 artists of 4 eras, each era's cards: 4 common, 3 rare, 2 epic, 1 legendary, 1 mythic.
INSERT INTO artists (name) SELECT 'Bench artist ' || a FROM generate_series(1, 500) a;
INSERT INTO eras (artist_id, name)
  SELECT ar.id, 'Era ' || e FROM artists ar, generate_series(1, 4) e ORDER BY ar.id, e;
INSERT INTO card_templates (public_id, artist_id, era_id, rarity, image_url)
  SELECT upper(lpad(to_hex(er.id), 4, '0')) || '_' || lpad(k::text, 2, '0') || '#01', er.artist_id, er.id,
         (ARRAY['common','common','common','common','rare','rare','rare','epic','epic','legendary','mythic'])[k],
         'https://cards.invalid/' || er.id || '/' || k
  FROM eras er, generate_series(1, 11) k ORDER BY er.id, k;
-- Players' Notes spread over six orders of magnitude (set directly: nothing here is audited).
INSERT INTO users (discord_id, coins)
  SELECT (700000000000000000 + g)::text, (floor(power(random(), 3) * 1000000))::bigint
  FROM generate_series(1, :players) g;
-- Copies: low ids own many (a player's share falls with the square of a uniform draw), each a
-- card of one of the three eras that player collects.  user_cards' secondary indexes are built
-- once after the load instead of row by row.
CREATE TEMP TABLE bench_idx AS
  SELECT indexname, indexdef FROM pg_indexes i
  WHERE tablename = 'user_cards' AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname);
DO $$ DECLARE r RECORD; BEGIN
  FOR r IN SELECT indexname FROM bench_idx LOOP EXECUTE format('DROP INDEX %I', r.indexname); END LOOP;
END $$;
INSERT INTO user_cards (user_id, template_id, print_no, source)
  SELECT u, (((u::bigint * 37 + floor(random() * 3)::int) % 2000) * 11 + 1 + floor(random() * 11))::bigint, g, 'bench'
  FROM (SELECT g, 1 + floor(power(random(), 2) * :players)::int AS u FROM generate_series(1, :copies) g) s;
SET maintenance_work_mem = '1GB';
DO $$ DECLARE r RECORD; BEGIN
  FOR r IN SELECT indexdef FROM bench_idx LOOP EXECUTE r.indexdef; END LOOP;
END $$;
-- Servers: 100 of 10,000 players each, and the big one (pd_ixb_build's) of every even id.
INSERT INTO player_guilds (user_id, guild_id)
  SELECT id, 3000000000000000000 + (discord_id::bigint % 100) FROM users
  UNION ALL SELECT id, 2222222222222222222 FROM users WHERE discord_id::bigint % 2 = 0;
VACUUM ANALYZE;
CHECKPOINT;
CREATE TABLE bench_leaderboard_sizes AS SELECT :players AS players, :copies AS copies;
SQL
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "  generated in %.0f s\n", b - a }'
fi

pk=$("$build/popdeck" keygen "$tmp/key")
port=$(free_port)
dport=$(free_port)
"$build/double-discord" --port "$dport" >"$tmp/double.log" 2>&1 &
pids+=($!)
q "DELETE FROM scheduler_runs WHERE task = 'leaderboard'"
DISCORD_PUBLIC_KEY=$pk DISCORD_APPLICATION_ID=1111111111111111111 LISTEN_ADDR=127.0.0.1:$port \
  DISCORD_API_BASE=http://127.0.0.1:$dport/api/v10 CARDS_DIR=$tmp/cards RATE_LIMIT_COMMANDS=0 \
  SCHEDULER_PERIODS=expire:3600,leaderboard:60 "$build/popdeck" serve 2>"$tmp/server.log" &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

# The first refresh, by the server's scheduler at its start.
for _ in $(seq 600); do
  [ -n "$(q "SELECT 1 FROM scheduler_runs WHERE task = 'leaderboard' AND state <> 'running'")" ] && break
  sleep 0.5
done
run=$(q "SELECT state || ' ' || round(duration_ms) || ' ' || detail FROM scheduler_runs WHERE task = 'leaderboard' ORDER BY period_start LIMIT 1")
[ "${run%% *}" = ok ] || { echo "bench-leaderboard: the refresh did not finish: $run" >&2; tail -5 "$tmp/server.log" >&2; exit 1; }
read -r _ ms _ <<<"$run"
printf '%-44s %s ms (%s; target < 60000 ms, the period)\n' "leaderboard refresh (rebuild and swap)" "$ms" "${run#* * }"

url=http://127.0.0.1:$port/interactions
per=$((requests / 4))
r0=$(q "SELECT count(*) FROM scheduler_runs WHERE task = 'leaderboard' AND state = 'ok'")
figure() { # label mode
  local out
  out=$("$build/bench_leaderboard" "$2" "$url" "$tmp/key" "$DATABASE_URL" 4 "$per" 5 2>"$tmp/$2.err") || true
  f() { sed -n "s/^$2_$1 //p" <<<"$out"; }
  printf '%-44s p50 %s us, p99 %s us, max %s us (target p99 <= 20000 us), %s of %s answered with ranks\n' "$1" \
    "$(f p50_us "$2")" "$(f p99_us "$2")" "$(f max_us "$2")" "$(f ok "$2")" "$(f requests "$2")"
}
figure "/leaderboard (first page and own rank)" own
figure "Next/Previous, random pages" pages
figure "the very last page, by the very last player" last
r1=$(q "SELECT count(*) FROM scheduler_runs WHERE task = 'leaderboard' AND state = 'ok'")
echo "  refreshes during the measurement: $((r1 - r0)); latest: $(q "SELECT round(duration_ms) || ' ms, ' || detail FROM scheduler_runs WHERE task = 'leaderboard' AND state = 'ok' ORDER BY period_start DESC LIMIT 1")"
