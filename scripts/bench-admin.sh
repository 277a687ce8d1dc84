#!/usr/bin/env bash
# bench-admin.sh - how long the admin operations that touch every owner of a card take through
# the REST API, on a card with BENCH_ADMIN_OWNERS owners (default 20,000; called by `make bench`,
# or on its own: scripts/bench-admin.sh [BUILD]).  On a throwaway cluster with one demo artist,
# each owner gets a copy of one card, and 1,000 of them list it.  Then, timed with curl (the
# whole HTTP call: one transaction, its audit row, the DMs queued):
#   - setrarity (the change, the listings, one DM per owner queued in one statement, the render
#     job);
#   - delete_template's preview (409), and its confirmation (every listing cancelled, every copy
#     gone, a refund operation and a DM for each owner);
#   - an audit page of 50 entries filtered by operation, with BENCH_ADMIN_AUDIT rows of audit
#     log (default 1,000,000).
# Discord waits 3 s for /admin's answer; the REST API has no such limit.
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
owners=${BENCH_ADMIN_OWNERS:-20000}
audit_rows=${BENCH_ADMIN_AUDIT:-1000000}
for v in owners audit_rows; do
  [[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -ge 1000 ] || { echo "bench-admin: BENCH_ADMIN_OWNERS and BENCH_ADMIN_AUDIT must be whole numbers >= 1000" >&2; exit 2; }
done
tmp=$(mktemp -d /tmp/popdeck-bench-admin.XXXXXX)
chmod 755 "$tmp"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/pg.sh stop "$tmp/pg" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY='*' no_proxy='*'

export DATABASE_URL
DATABASE_URL=$(scripts/pg.sh start "$tmp/pg" --fast)
"$build/popdeck" migrate >/dev/null
CARDS_DIR=$tmp/cards "$build/popdeck" seed demo --limit 1 >/dev/null
card=$(psql -qAtX "$DATABASE_URL" -c "SELECT public_id FROM card_templates WHERE rarity = 'rare' ORDER BY id LIMIT 1")
psql -qX -v ON_ERROR_STOP=1 -v owners="$owners" -v audit="$audit_rows" -v card="$card" "$DATABASE_URL" >/dev/null <<'SQL'
INSERT INTO users (discord_id, created_at)
  SELECT (910000000000000000 + g)::text, now() - interval '30 days' FROM generate_series(1, :owners) g;
INSERT INTO user_cards (user_id, template_id, print_no, state)
  SELECT u.id, t.id, row_number() OVER (ORDER BY u.id), CASE WHEN u.id % (:owners / 1000) = 0 THEN 'listed' ELSE 'free' END
    FROM users u, card_templates t WHERE t.public_id = :'card' AND u.discord_id LIKE '91%';
UPDATE card_templates SET copies_created = :owners WHERE public_id = :'card';
INSERT INTO market_listings (user_card_id, seller_id, card_id, price, currency, scope, expires_at,
                             artist_id, rarity, rarity_order)
  SELECT c.id, c.user_id, c.card_id, 500, 'notes', 'global', now() + interval '7 days',
         t.artist_id, t.rarity, 3
    FROM user_cards c JOIN card_templates t ON t.id = c.template_id WHERE c.state = 'listed';
INSERT INTO admin_audit (at, actor, action, outcome, target, args, ref)
  SELECT now() - make_interval(secs => :audit - g), 'rest',
         (ARRAY['give_currency', 'setrarity', 'ban', 'audit', 'user'])[1 + g % 5], 'done',
         'user ' || (900000000000000000 + g % 5000), '{}', 'BENCH' || g
    FROM generate_series(1, :audit) g;
ANALYZE;
SQL

pk=$("$build/popdeck" keygen "$tmp/key")
port=$(free_port)
dport=$(free_port)
"$build/double-discord" --port "$dport" >"$tmp/double.log" 2>&1 &
pids+=($!)
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
DISCORD_PUBLIC_KEY=$pk DISCORD_APPLICATION_ID=1111111111111111111 LISTEN_ADDR=127.0.0.1:$port \
  DISCORD_API_BASE=http://127.0.0.1:$dport/api/v10 CARDS_DIR=$tmp/cards ADMIN_TOKEN=$token \
  FOLLOWUP_WORKERS=0 ADMIN_JOB_WORKERS=0 "$build/popdeck" serve 2>"$tmp/server.log" &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

api=http://127.0.0.1:$port/admin/v1
path=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$card")
call() { # method url [body] -> prints "status seconds", keeps the body in $tmp/out
  curl -sS -o "$tmp/out" -w '%{http_code} %{time_total}' -X "$1" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' ${3:+-d "$3"} "$2"
}
ms() { awk -v s="$1" 'BEGIN { printf "%.0f ms", s * 1000 }'; }
row() { printf '%-44s %s (HTTP %s)\n' "$1" "$(ms "${2#* }")" "${2%% *}"; }

echo "admin operations benchmark: $(date -u +%FT%TZ), $(nproc) cores, card $card with $owners owners (1,000 listing it), $audit_rows audit rows"
row "setrarity (DMs queued for every owner)" "$(call PATCH "$api/cards/$path" '{"rarity": "epic"}')"
dms=$(psql -qAtX "$DATABASE_URL" -c "SELECT count(*) FROM followup_jobs WHERE method = 'dm'")
echo "  DMs queued: $dms"
row "delete_template preview (409)" "$(call DELETE "$api/cards/$path?refund=true")"
confirm=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["confirm"])' "$tmp/out")
row "delete_template confirmed (refund)" "$(call DELETE "$api/cards/$path?refund=true&confirm=$confirm")"
gone=$(psql -qAtX "$DATABASE_URL" -c "SELECT count(*) FROM user_cards c JOIN card_templates t ON t.id = c.template_id WHERE t.public_id = '$card' AND c.state = 'gone'")
echo "  copies gone: $gone; refund operations: $(psql -qAtX "$DATABASE_URL" -c "SELECT count(DISTINCT op_id) FROM ledger WHERE system_account = 'refunds'")"
best=
for _ in 1 2 3 4 5; do
  r=$(call GET "$api/audit?action=setrarity&limit=50")
  s=${r#* }
  best=$(awk -v a="${best:-$s}" -v b="$s" 'BEGIN { print (b < a) ? b : a }')
done
row "audit page (50, by operation, best of 5)" "200 $best"
r=$(call GET "$api/audit?user=rest&action=ban&before=$((audit_rows / 2))&limit=50")
row "audit page (50, by admin and operation, deep)" "$r"
