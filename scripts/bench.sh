#!/usr/bin/env bash
# bench.sh - what `make bench` measures, on loopback only, leaving nothing running:
#   libsodium's verify rate; signed PING with wrk (throughput, latency, server CPU per request);
#   signed /balance paced at 2,000 requests/s (p50/p99) and unpaced; /openpack's deferred
#   acknowledgement and how soon its follow-up reaches (a local double of) Discord; /mycards p99
#   with 1,000 and with 1,000,000 rows in user_cards; /buy with 50 concurrent buyers on different
#   listings and with 50 on one listing; /market's first page with 1,000 and with 1,000,000
#   active listings; and, when npm can install it, Discord's official Node example stack
#   (express + discord-interactions) on the same PING; then
#   `popdeck audit` on a ledger of 10,000,000 rows (scripts/bench-audit.sh);
#   setrarity, delete_template and audit pages for a card of 20,000 owners (scripts/bench-admin.sh);
#   POST /events and POST /webhooks/stripe at 200 signed events a second (scripts/bench-payments.sh);
#   /leaderboard, its pages and the leaderboard refresh at a million players and 20,000,000 copies
#   (scripts/bench-leaderboard.sh).
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
secs=${BENCH_SECONDS:-10}
tmp=$(mktemp -d /tmp/popdeck-bench.XXXXXX)
chmod 755 "$tmp"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/pg.sh stop "$tmp/pg" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 100); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "bench: $1 did not come up" >&2; exit 1; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ncpu=$(nproc)
pin_server=() pin_wrk=()
if [ "$ncpu" -ge 2 ] && command -v taskset >/dev/null; then pin_server=(taskset -c 0); pin_wrk=(taskset -c 1); fi

echo "PopDeck benchmark: $(date -u +%FT%TZ), $ncpu cores, $(uname -m), ${secs}s per run"
# The renderer first, before PostgreSQL or the server run on the machine.
if [ -x "$build/bench_render" ]; then echo; "$build/bench_render" 100; fi

export DATABASE_URL
DATABASE_URL=$(scripts/pg.sh start "$tmp/pg" --fast)
"$build/popdeck" migrate >/dev/null
# Five artists' cards, rendered before the clock starts: packs draw from ready templates.
CARDS_DIR=$tmp/cards "$build/popdeck" seed demo --limit 5 >/dev/null
pk=$("$build/popdeck" keygen "$tmp/key")
port=$(free_port)
dport=$(free_port)
"$build/double-discord" --port "$dport" >"$tmp/double.log" 2>&1 &
pids+=($!)
export DISCORD_PUBLIC_KEY=$pk DISCORD_APPLICATION_ID=1111111111111111111 LISTEN_ADDR=127.0.0.1:$port
export DISCORD_API_BASE=http://127.0.0.1:$dport/api/v10 DEV_KEY_FILE=$tmp/key CARDS_DIR=$tmp/cards
# Sellers' DMs after each /buy go to the double, as they would to Discord.
export DISCORD_BOT_TOKEN=bench-bot-token
# The handlers are measured replaying one player's request, which the per-player limit would
# refuse after eight: this server runs without it; the limit's own cost is measured below.
RATE_LIMIT_COMMANDS=0 "${pin_server[@]}" "$build/popdeck" serve 2>"$tmp/server.log" &
spid=$!
pids+=("$spid")
wait_http "http://127.0.0.1:$port/healthz"

# The requests: one signed PING, and a signed /balance for a player who has claimed a daily.
echo '{"app_permissions":"562949953601536","application_id":"1111111111111111111","id":"1310000000000000000","token":"aW50ZXJhY3Rpb246NBIwuLREC7OyhENWJRC_A_pVW7bgRuLkLSCUlJksfoEZ","type":1,"version":1}' >"$tmp/ping.body"
{ cat "$tmp/ping.body"; "$build/bench_verify" sign "$tmp/key" "$tmp/ping.body"; } >"$tmp/ping.req"
"$build/popdeck" try --user 80351110224678912 daily >/dev/null
"$build/popdeck" try --user 80351110224678912 --dump "$tmp/balance.req" balance

run_wrk() { # name url req threads conns delay_ms
  BENCH_REQ=$3 BENCH_DELAY_MS=$6 "${pin_wrk[@]}" wrk -t"$4" -c"$5" -d"${secs}s" --latency -s scripts/bench.lua "$2" \
    | grep '^RESULT' | sed "s/^RESULT/$1/"
}
field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" <<<"$2"; }

echo
[ ${#pin_server[@]} -gt 0 ] && echo "server pinned to CPU 0, wrk to CPU 1 (taskset)"
echo

verify=$("$build/bench_verify" rate 20000)
verify_us=$(sed -n 's/verify_us //p' <<<"$verify")
printf '%-34s %s verifies/s (%s us each)\n' "libsodium Ed25519 verify, 1 core" "$(sed -n 's/verify_per_s //p' <<<"$verify")" "$verify_us"

url=http://127.0.0.1:$port/interactions
"$build/bench_verify" sign "$tmp/key" "$tmp/ping.body" >/dev/null
run_wrk warmup "$url" "$tmp/ping.req" 1 8 0 >/dev/null
t0=$(cpu_ticks "$spid")
ping=$(run_wrk ping "$url" "$tmp/ping.req" 1 32 0)
t1=$(cpu_ticks "$spid")
hz=$(getconf CLK_TCK)
n=$(field requests "$ping"); d=$(field duration_us "$ping")
rps=$(( n * 1000000 / d ))
cpu_us=$(awk -v t=$((t1 - t0)) -v hz="$hz" -v n="$n" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')
ratio=$(awk -v a="$cpu_us" -v b="$verify_us" 'BEGIN { printf "%.2f", a / b }')
printf '%-34s %s req/s, p50 %s us, p99 %s us, errors %s, non-2xx %s\n' "signed PING (wrk -t1 -c32)" "$rps" \
  "$(field p50_us "$ping")" "$(field p99_us "$ping")" "$(field errors "$ping")" "$(field non2xx "$ping")"
printf '%-34s %s us CPU per request = %sx one verify (target <= 1.2x)\n' "server CPU per signed PING" "$cpu_us" "$ratio"

bal=$(run_wrk balance "$url" "$tmp/balance.req" 2 22 10)
n=$(field requests "$bal"); d=$(field duration_us "$bal")
printf '%-34s %s req/s achieved, p50 %s us, p99 %s us (target p99 <= 5000 us), non-2xx %s\n' \
  "/balance paced (22 conns x 10 ms)" "$(( n * 1000000 / d ))" "$(field p50_us "$bal")" "$(field p99_us "$bal")" "$(field non2xx "$bal")"
bal=$(run_wrk balance "$url" "$tmp/balance.req" 1 32 0)
n=$(field requests "$bal"); d=$(field duration_us "$bal")
printf '%-34s %s req/s, p50 %s us, p99 %s us, non-2xx %s\n' "/balance unpaced (wrk -t1 -c32)" \
  "$(( n * 1000000 / d ))" "$(field p50_us "$bal")" "$(field p99_us "$bal")" "$(field non2xx "$bal")"

# The per-player limit (its default, 8 commands in 10 s): a second server, the same player's
# /balance replayed, so after eight every request is counted and refused before any handler.
lport=$(free_port)
LISTEN_ADDR=127.0.0.1:$lport "${pin_server[@]}" "$build/popdeck" serve 2>"$tmp/server-limit.log" &
lpid=$!
pids+=("$lpid")
wait_http "http://127.0.0.1:$lport/healthz"
lim=$(run_wrk limit "http://127.0.0.1:$lport/interactions" "$tmp/balance.req" 1 32 0)
n=$(field requests "$lim"); d=$(field duration_us "$lim")
printf '%-34s %s req/s, p50 %s us, p99 %s us, non-2xx %s\n' "/balance over the limit (refused)" \
  "$(( n * 1000000 / d ))" "$(field p50_us "$lim")" "$(field p99_us "$lim")" "$(field non2xx "$lim")"
kill "$lpid" 2>/dev/null || true

# /openpack: 300 opens by new players at 20/s; the follow-up's delay is measured from the
# acknowledgement to the moment the Discord double received the pack message.
"$build/bench_packs" "$url" "$tmp/key" "http://127.0.0.1:$dport" 300 20 >"$tmp/packs.out"
printf '%-34s p50 %s us, p99 %s us (target p99 <= 20000 us), %s opens\n' "/openpack deferred acknowledgement" \
  "$(sed -n 's/openpack_ack_p50_us //p' "$tmp/packs.out")" "$(sed -n 's/openpack_ack_p99_us //p' "$tmp/packs.out")" \
  "$(sed -n 's/openpack_opens //p' "$tmp/packs.out")"
printf '%-34s p50 %s ms, p99 %s ms after the acknowledgement (target <= 150 ms)\n' "/openpack follow-up sent" \
  "$(sed -n 's/openpack_followup_p50_ms //p' "$tmp/packs.out")" "$(sed -n 's/openpack_followup_p99_ms //p' "$tmp/packs.out")"

# /mycards: the same player's first page (100 cards) with 1,000 and with 1,000,000 rows in
# user_cards, paced like /balance.
player=80351110224678912
psql -qX -v ON_ERROR_STOP=1 "$DATABASE_URL" >/dev/null <<SQL
INSERT INTO users (discord_id) SELECT (800000000000000000 + g)::text FROM generate_series(1, 10000) g;
CREATE TEMP TABLE t AS SELECT array_agg(id ORDER BY id) AS a FROM card_templates;
INSERT INTO user_cards (user_id, template_id, print_no)
  SELECT (SELECT id FROM users WHERE discord_id = '$player'), t.a[1 + g % 40], 1000000 + g
  FROM generate_series(1, 100) g, t;
INSERT INTO user_cards (user_id, template_id, print_no)
  SELECT (SELECT min(id) FROM users) + 1 + g % 9000, t.a[1 + g % array_length(t.a, 1)], 2000000 + g
  FROM generate_series(1, 1000 - (SELECT count(*) FROM user_cards)) g, t;
ANALYZE user_cards;
SQL
mycards() { # rows
  "$build/popdeck" try --user "$player" --dump "$tmp/mycards.req" mycards >/dev/null
  run_wrk mycards "$url" "$tmp/mycards.req" 2 22 50
}
small=$(mycards)
rows_small=$(psql -qtAX "$DATABASE_URL" -c 'SELECT count(*) FROM user_cards')
psql -qX -v ON_ERROR_STOP=1 "$DATABASE_URL" >/dev/null <<SQL
CREATE TEMP TABLE t AS SELECT array_agg(id ORDER BY id) AS a FROM card_templates;
INSERT INTO user_cards (user_id, template_id, print_no)
  SELECT (SELECT min(id) FROM users) + 1 + g % 9000, t.a[1 + g % array_length(t.a, 1)], 3000000 + g
  FROM generate_series(1, 1000000 - (SELECT count(*) FROM user_cards)) g, t;
VACUUM ANALYZE user_cards;
CHECKPOINT;
SQL
big=$(mycards)
rows_big=$(psql -qtAX "$DATABASE_URL" -c 'SELECT count(*) FROM user_cards')
printf '%-34s p50 %s us, p99 %s us with %s rows; p50 %s us, p99 %s us with %s rows\n' "/mycards page (22 conns x 50 ms)" \
  "$(field p50_us "$small")" "$(field p99_us "$small")" "$rows_small" "$(field p50_us "$big")" "$(field p99_us "$big")" "$rows_big"
awk -v a="$(field p99_us "$big")" -v b="$(field p99_us "$small")" \
  'BEGIN { printf "%-34s %.2fx (target <= 1.2x)\n", "/mycards p99, 1M rows / 1k rows", a / b }'

# The market.  /buy: 50 buyers at once, each buying 20 different listings in turn (1,000
# sales, each buyer from a seller of its own: 50 sellers; a closed loop, so it measures the
# queue at saturation); then 20 rounds of 50 buyers pressing /buy at the same instant, each on a
# listing of its own (every one buys); then 30 rounds of 50 buyers pressing /buy on one listing
# at the same instant (every buyer must be answered, exactly one wins).
# The listings are global, 10 Notes each.
cseller=820000000000000000
psql -qX -v ON_ERROR_STOP=1 "$DATABASE_URL" >/dev/null <<SQL
INSERT INTO users (discord_id) SELECT (810000000000000000 + g)::text FROM generate_series(1, 50) g;
INSERT INTO users (discord_id) SELECT (830000000000000000 + g)::text FROM generate_series(0, 49) g;
INSERT INTO users (discord_id) SELECT (840000000000000000 + g)::text FROM generate_series(0, 49) g;
INSERT INTO users (discord_id) VALUES ('$cseller');
-- The buyers' Notes, granted as an admin would: balances and ledger rows of one operation.
WITH op AS (SELECT nextval('ledger_op_seq') AS id),
  b AS (UPDATE users SET coins = coins + 10000000 WHERE discord_id > '810000000000000000'
        AND discord_id <= '810000000000000050' RETURNING id)
INSERT INTO ledger (op_id, kind, user_id, system_account, currency, amount)
  SELECT op.id, 'grant', b.id, NULL, 'notes', 10000000 FROM op, b
  UNION ALL SELECT op.id, 'grant', NULL, 'grants', 'notes', -10000000 * (SELECT count(*) FROM b) FROM op;
CREATE TEMP TABLE t AS SELECT array_agg(id ORDER BY id) AS a FROM card_templates;
WITH c AS (INSERT INTO user_cards (user_id, template_id, print_no, state)
  SELECT (SELECT id FROM users WHERE discord_id = CASE WHEN g <= 1000 THEN (830000000000000000 + (g - 1) % 50)::text
                                                      WHEN g <= 2000 THEN (840000000000000000 + (g - 1) % 50)::text
                                                      ELSE '$cseller' END),
         t.a[1 + g % array_length(t.a, 1)], 5000000 + g, 'listed'
  FROM generate_series(1, 2030) g, t ORDER BY g RETURNING id, user_id, card_id)
INSERT INTO market_listings (user_card_id, seller_id, card_id, price, currency, scope, expires_at,
                             artist_id, rarity, rarity_order)
  SELECT c.id, c.user_id, c.card_id, 10, 'notes', 'global', now() + interval '7 days', ct.artist_id,
         ct.rarity, CASE ct.rarity WHEN 'mythic' THEN 0 WHEN 'legendary' THEN 1 WHEN 'epic' THEN 2
                                   WHEN 'rare' THEN 3 ELSE 4 END
  FROM c JOIN card_templates ct ON ct.id = c.card_id ORDER BY c.id;
ANALYZE users; ANALYZE market_listings;
SQL
# A figure that misses (a buyer not answered) is printed, not fatal: the rest still runs.
# Serialization retries (pd_db_tx) during each run come from the server's /metrics.
retries() { curl -s "http://127.0.0.1:$port/metrics" | sed -n 's/^popdeck_db_tx_retries_total //p'; }
r0=$(retries)
"$build/bench_market" spread "$url" "$tmp/key" "$DATABASE_URL" '8300000000000000%' 50 20 >"$tmp/buy.out" 2>"$tmp/buy.err" || true
r1=$(retries)
printf '%-34s p50 %s us, p99 %s us (target p99 <= 20000 us), %s of %s answered, %s retries\n' "/buy, 50 buyers, different listings" \
  "$(sed -n 's/buy_spread_p50_us //p' "$tmp/buy.out")" "$(sed -n 's/buy_spread_p99_us //p' "$tmp/buy.out")" \
  "$(sed -n 's/buy_spread_answered //p' "$tmp/buy.out")" "$(sed -n 's/buy_spread_requests //p' "$tmp/buy.out")" "$((r1 - r0))"
"$build/bench_market" burst "$url" "$tmp/key" "$DATABASE_URL" '8400000000000000%' 50 20 >"$tmp/buyb.out" 2>"$tmp/buyb.err" || true
r2=$(retries)
printf '%-34s p50 %s us, p99 %s us (target p99 <= 20000 us), %s of %s bought, %s retries\n' "/buy, 50 at once, different listings" \
  "$(sed -n 's/buy_burst_p50_us //p' "$tmp/buyb.out")" "$(sed -n 's/buy_burst_p99_us //p' "$tmp/buyb.out")" \
  "$(sed -n 's/buy_burst_bought //p' "$tmp/buyb.out")" "$(sed -n 's/buy_burst_requests //p' "$tmp/buyb.out")" "$((r2 - r1))"
"$build/bench_market" contended "$url" "$tmp/key" "$DATABASE_URL" "$cseller" 50 30 >"$tmp/buyc.out" 2>"$tmp/buyc.err" || true
printf '%-34s p50 %s us, p99 %s us (target p99 <= 100000 us), %s of %s answered, %s of %s rounds one winner\n' \
  "/buy, 50 buyers, one listing" "$(sed -n 's/buy_contended_p50_us //p' "$tmp/buyc.out")" \
  "$(sed -n 's/buy_contended_p99_us //p' "$tmp/buyc.out")" "$(sed -n 's/buy_contended_answered //p' "$tmp/buyc.out")" \
  "$(sed -n 's/buy_contended_requests //p' "$tmp/buyc.out")" "$(sed -n 's/buy_contended_rounds_one_winner //p' "$tmp/buyc.out")" \
  "$(sed -n 's/buy_contended_rounds //p' "$tmp/buyc.out")"

# /market's first page (the default: this server's and global listings, cheapest first), paced
# like /mycards, with 1,000 and then 1,000,000 active listings: half global, half server
# listings spread over 100 servers (this one among them), in the three currencies.  After each
# bulk load: VACUUM and CHECKPOINT, so autovacuum and the flush of a million dirty rows do not
# land in the measurement (they are the load's cost, not the page's).
list_more() { # total active listings wanted
  psql -qX -v ON_ERROR_STOP=1 "$DATABASE_URL" >/dev/null <<SQL
WITH c AS (UPDATE user_cards SET state = 'listed' WHERE id IN (
    SELECT id FROM user_cards WHERE state = 'free' AND user_id <> (SELECT id FROM users WHERE discord_id = '$player')
    ORDER BY id LIMIT greatest(0, $1 - (SELECT count(*) FROM market_listings WHERE status = 'active')))
  RETURNING id, user_id, card_id)
INSERT INTO market_listings (user_card_id, seller_id, card_id, price, currency, scope, guild_id, expires_at,
                             artist_id, rarity, rarity_order)
  SELECT c.id, c.user_id, c.card_id, 1 + (c.id * 7919) % 100000, (ARRAY['notes', 'discs', 'gems'])[1 + c.id % 3],
         CASE WHEN c.id % 2 = 0 THEN 'global' ELSE 'server' END,
         CASE WHEN c.id % 2 = 0 THEN NULL ELSE (2222222222222222222 + c.id % 100)::text END,
         now() + interval '7 days', ct.artist_id, ct.rarity,
         CASE ct.rarity WHEN 'mythic' THEN 0 WHEN 'legendary' THEN 1 WHEN 'epic' THEN 2 WHEN 'rare' THEN 3 ELSE 4 END
  FROM c JOIN card_templates ct ON ct.id = c.card_id;
VACUUM ANALYZE market_listings;
VACUUM ANALYZE user_cards;
CHECKPOINT;
SQL
}
market() {
  "$build/popdeck" try --user "$player" --dump "$tmp/market.req" market >/dev/null
  run_wrk market "$url" "$tmp/market.req" 2 22 50
}
list_more 1000
msmall=$(market)
lists_small=$(psql -qtAX "$DATABASE_URL" -c "SELECT count(*) FROM market_listings WHERE status = 'active'")
list_more 1000000
mbig=$(market)
lists_big=$(psql -qtAX "$DATABASE_URL" -c "SELECT count(*) FROM market_listings WHERE status = 'active'")
printf '%-34s p50 %s us, p99 %s us with %s listings; p50 %s us, p99 %s us with %s listings\n' "/market first page (22 conns x 50 ms)" \
  "$(field p50_us "$msmall")" "$(field p99_us "$msmall")" "$lists_small" "$(field p50_us "$mbig")" "$(field p99_us "$mbig")" "$lists_big"
awk -v a="$(field p99_us "$mbig")" -v b="$(field p99_us "$msmall")" \
  'BEGIN { printf "%-34s %.2fx (target <= 1.2x)\n", "/market p99, 1M / 1k listings", a / b }'

# Discord's official Node example stack, for comparison, when npm can install it here.
node_dir=$top/build/bench-node
if command -v npm >/dev/null && command -v node >/dev/null; then
  if [ ! -d "$node_dir/node_modules/discord-interactions" ]; then
    mkdir -p "$node_dir"
    cp scripts/bench-node/package.json scripts/bench-node/server.js "$node_dir/"
    (cd "$node_dir" && npm install --no-audit --no-fund --silent >"$tmp/npm.log" 2>&1) || true
  fi
fi
if [ -d "$node_dir/node_modules/discord-interactions" ]; then
  cp scripts/bench-node/server.js "$node_dir/"
  nport=$(free_port)
  PUBLIC_KEY=$pk PORT=$nport "${pin_server[@]}" node "$node_dir/server.js" 2>"$tmp/node.log" &
  pids+=($!)
  npid=$!
  wait_http "http://127.0.0.1:$nport/healthz"
  "$build/bench_verify" sign "$tmp/key" "$tmp/ping.body" >/dev/null
  run_wrk warmup "http://127.0.0.1:$nport/interactions" "$tmp/ping.req" 1 8 0 >/dev/null
  nping=$(run_wrk node "http://127.0.0.1:$nport/interactions" "$tmp/ping.req" 1 32 0)
  nn=$(field requests "$nping"); nd=$(field duration_us "$nping")
  nrps=$(( nn * 1000000 / nd ))
  printf '%-34s %s req/s, p50 %s us, p99 %s us, non-2xx %s\n' "Node express+discord-interactions" "$nrps" \
    "$(field p50_us "$nping")" "$(field p99_us "$nping")" "$(field non2xx "$nping")"
  awk -v a="$rps" -v b="$nrps" 'BEGIN { printf "%-34s %.1fx (target >= 5x)\n", "PopDeck / Node PING throughput", a / b }'
  kill "$npid" 2>/dev/null || true
else
  echo "Node express+discord-interactions  SKIPPED: npm could not install it here (see scripts/bench-node)"
fi

# The ledger audit on a big ledger, on a cluster of its own (scripts/bench-audit.sh).
echo
scripts/bench-audit.sh "$build"

# The admin operations that reach every owner of a card, on a cluster of its own
# (scripts/bench-admin.sh).
echo
scripts/bench-admin.sh "$build"

# The payment webhooks at 200 signed events a second, on a cluster of its own
# (scripts/bench-payments.sh).
echo
scripts/bench-payments.sh "$build"

# The leaderboards at a million players, on a cluster of its own (scripts/bench-leaderboard.sh;
# BENCH_LB_PG keeps its generated database for the next run).
echo
scripts/bench-leaderboard.sh "$build"
