#!/usr/bin/env bash
# bench-audit.sh - how long `popdeck audit` takes on a big ledger (called by `make bench`, or on
# its own: scripts/bench-audit.sh [BUILD]).  On a throwaway cluster it builds, with
# generate_series, BENCH_AUDIT_ROWS ledger rows (default 10,000,000) over BENCH_AUDIT_ACCOUNTS
# players (default 100,000): operations of two rows (daily claims from 'rewards', pack purchases
# to 'shop', gifts between players) spread over the ten months before today, one partition a
# month, with balances that match.  Then it times `popdeck audit --full`, adds one more "day"
# of BENCH_AUDIT_DAY_ROWS new rows (default 1% of the ledger) and times the incremental
# `popdeck audit` that reads only them, and a second incremental run at once.
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
rows=${BENCH_AUDIT_ROWS:-10000000}
accounts=${BENCH_AUDIT_ACCOUNTS:-100000}
day=${BENCH_AUDIT_DAY_ROWS:-}
[[ $rows =~ ^[0-9]+$ ]] && [ -z "$day" ] && day=$((rows / 100))
for pair in ROWS:rows ACCOUNTS:accounts DAY_ROWS:day; do
  v=${pair#*:}
  [[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -ge 2 ] || { echo "bench-audit: BENCH_AUDIT_${pair%%:*} must be a whole number >= 2" >&2; exit 2; }
done
tmp=$(mktemp -d /tmp/popdeck-bench-audit.XXXXXX)
chmod 755 "$tmp"
cleanup() {
  scripts/pg.sh stop "$tmp/pg" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
export DATABASE_URL
DATABASE_URL=$(scripts/pg.sh start "$tmp/pg" --fast)
# A little more memory for the audit's aggregates than the 4 MB default, as a server would have.
psql -qX "$DATABASE_URL" -c "ALTER SYSTEM SET work_mem = '64MB'" -c "SELECT pg_reload_conf()" >/dev/null
"$build/popdeck" migrate >/dev/null

echo "popdeck audit benchmark: $(date -u +%FT%TZ), $(nproc) cores, $rows ledger rows over $accounts players, a day of $day rows"
t=$(now)
psql -qX -v ON_ERROR_STOP=1 -v rows="$rows" -v accounts="$accounts" "$DATABASE_URL" >/dev/null <<'SQL'
SELECT ledger_ensure_partitions(now() - interval '300 days', 3);
INSERT INTO users (discord_id, created_at)
  SELECT (900000000000000000 + g)::text, now() - interval '301 days' FROM generate_series(1, :accounts) g;
CREATE TEMP TABLE base AS SELECT min(id) AS u0 FROM users;
-- Operation g: a daily claim (rewards -> a), a purchase (a -> shop) or a gift (a -> p), dated
-- in order over the 300 days before the last day.
INSERT INTO ledger (op_id, at, kind, user_id, system_account, currency, amount)
SELECT o.g, o.at, o.kind, s.u, s.sys, 'notes', s.amt
  FROM (SELECT g, now() - interval '1 day' - interval '300 days' * (1 - g::float8 / (:rows / 2)) AS at,
               (ARRAY['daily', 'daily', 'purchase', 'gift'])[1 + g % 4] AS kind,
               b.u0 + (hashint4(g) & 2147483647) % :accounts AS a,
               b.u0 + ((hashint4(g) & 2147483647) % :accounts + 1
                       + (hashint4(g + 7) & 2147483647) % (:accounts - 1)) % :accounts AS p,
               (CASE WHEN g % 4 < 2 THEN 100 ELSE 10 + g % 40 END)::bigint AS amt
          FROM generate_series(1, :rows / 2) g, base b) o
  CROSS JOIN LATERAL (VALUES
     (CASE WHEN o.kind <> 'daily' THEN o.a END, CASE WHEN o.kind = 'daily' THEN 'rewards' END, -o.amt),
     (CASE o.kind WHEN 'daily' THEN o.a WHEN 'gift' THEN o.p END,
      CASE WHEN o.kind = 'purchase' THEN 'shop' END, o.amt)) s(u, sys, amt);
SELECT setval('ledger_op_seq', :rows / 2);
-- A player the gifts left below zero got an admin grant first.
INSERT INTO ledger (op_id, at, kind, user_id, system_account, currency, amount)
SELECT n.op, now() - interval '301 days', 'grant', s.u, s.sys, 'notes', s.amt
  FROM (SELECT nextval('ledger_op_seq') AS op, user_id, -sum(amount) AS need FROM ledger
         WHERE user_id IS NOT NULL GROUP BY user_id HAVING sum(amount) < 0) n
  CROSS JOIN LATERAL (VALUES (n.user_id, NULL::text, n.need), (NULL::int, 'grants', -n.need)) s(u, sys, amt);
UPDATE users u SET coins = s.n
  FROM (SELECT user_id, sum(amount) AS n FROM ledger WHERE user_id IS NOT NULL GROUP BY user_id) s
 WHERE s.user_id = u.id;
VACUUM ANALYZE ledger;
VACUUM ANALYZE users;
SQL
size=$(psql -qtAX "$DATABASE_URL" -c "SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits WHERE inhparent = 'ledger'::regclass")
parts=$(psql -qtAX "$DATABASE_URL" -c "SELECT count(*) FROM pg_inherits WHERE inhparent = 'ledger'::regclass")
printf '%-34s %s s (%s with its indexes, %s partitions)\n' "ledger built" "$(since "$t")" "$size" "$parts"

run() { # label args...
  local label=$1 t out
  shift
  t=$(now)
  out=$("$build/popdeck" audit "$@") || { echo "bench-audit: popdeck audit $* was not clean: $out" >&2; exit 1; }
  printf '%-34s %s s wall: %s\n' "$label" "$(since "$t")" "$out"
}
run "popdeck audit --full" --full

# One more day: each new operation a daily claim (rewards -> a) and a gift of half of it
# (a -> p), so no balance goes below zero; the balances move with them.
psql -qX -v ON_ERROR_STOP=1 -v day="$day" -v accounts="$accounts" "$DATABASE_URL" >/dev/null <<'SQL'
CREATE TEMP TABLE base AS SELECT min(id) AS u0 FROM users;
CREATE TEMP TABLE day AS
SELECT nextval('ledger_op_seq') AS op, g % 2 = 0 AS claim,
       b.u0 + (hashint4(g / 2 + 3) & 2147483647) % :accounts AS a,
       b.u0 + ((hashint4(g / 2 + 3) & 2147483647) % :accounts + 1
               + (hashint4(g / 2 + 11) & 2147483647) % (:accounts - 1)) % :accounts AS p
  FROM generate_series(0, :day / 2 - 1) g, base b;
INSERT INTO ledger (op_id, kind, user_id, system_account, currency, amount)
SELECT d.op, CASE WHEN d.claim THEN 'daily' ELSE 'gift' END, s.u, s.sys, 'notes', s.amt
  FROM day d CROSS JOIN LATERAL (VALUES
     (CASE WHEN NOT d.claim THEN d.a END, CASE WHEN d.claim THEN 'rewards' END,
      CASE WHEN d.claim THEN -100 ELSE -50 END),
     (CASE WHEN d.claim THEN d.a ELSE d.p END, NULL, CASE WHEN d.claim THEN 100 ELSE 50 END)) s(u, sys, amt);
UPDATE users u SET coins = u.coins + s.n
  FROM (SELECT s.u, sum(s.amt) AS n FROM day d CROSS JOIN LATERAL (VALUES
          (d.a, CASE WHEN d.claim THEN 100 ELSE -50 END), (CASE WHEN d.claim THEN NULL ELSE d.p END, 50)) s(u, amt)
         WHERE s.u IS NOT NULL GROUP BY s.u) s
 WHERE s.u = u.id;
ANALYZE ledger;
SQL
run "popdeck audit (a day later)"
# At once again: the rows of the last PD_AUDIT_MARGIN_US (10 minutes: the whole day here) are
# read again, by design; nothing older is.
run "popdeck audit (again at once)"
