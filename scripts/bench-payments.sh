#!/usr/bin/env bash
# bench-payments.sh - the two payment webhooks at a steady rate (called by `make bench`, or on its
# own: scripts/bench-payments.sh [BUILD]).  On a throwaway cluster, one `popdeck serve` with a
# Discord SKU mapped to a Gems bundle and a Stripe webhook secret; then, with test/bench_webhooks:
#   - POST /events: BENCH_PAY_RATE (default 200) signed ENTITLEMENT_CREATE events a second for
#     BENCH_PAY_SECONDS (default 10) after a second of warm-up, each a new purchase (a grant, a
#     consume job, a receipt);
#   - POST /webhooks/stripe: the same rate of signed checkout.session.completed events.
# Target: p99 <= 10 ms for each.  Afterwards every event must have been granted exactly once
# and `popdeck audit` must be clean.
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
rate=${BENCH_PAY_RATE:-200}
secs=${BENCH_PAY_SECONDS:-10}
for v in rate secs; do
  [[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -ge 1 ] || { echo "bench-payments: BENCH_PAY_RATE and BENCH_PAY_SECONDS must be whole numbers >= 1" >&2; exit 2; }
done
tmp=$(mktemp -d /tmp/popdeck-bench-pay.XXXXXX)
chmod 755 "$tmp"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/pg.sh stop "$tmp/pg" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
# shellcheck source=scripts/lib.sh
. scripts/lib.sh # free_port
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY='*' no_proxy='*'

export DATABASE_URL
DATABASE_URL=$(scripts/pg.sh start "$tmp/pg" --fast)
"$build/popdeck" migrate >/dev/null
pk=$("$build/popdeck" keygen "$tmp/key")
port=$(free_port)
dport=$(free_port)
"$build/double-discord" --port "$dport" >"$tmp/double.log" 2>&1 &
pids+=($!)
sku=1300000000000000001
secret=whsec_bench_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
DISCORD_PUBLIC_KEY=$pk DISCORD_APPLICATION_ID=1111111111111111111 LISTEN_ADDR=127.0.0.1:$port \
  DISCORD_API_BASE=http://127.0.0.1:$dport/api/v10 DISCORD_BOT_TOKEN=bench-bot-token \
  CARDS_DIR=$tmp/cards PAYMENT_SKUS=$sku:gems-100 STRIPE_WEBHOOK_SECRET=$secret \
  PAYMENTS_RECONCILE_S=0 "$build/popdeck" serve 2>"$tmp/server.log" &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

n=$((rate * (secs + 1))) # bench_webhooks warms up for one second first
d=$("$build/bench_webhooks" discord "http://127.0.0.1:$port/events" "$tmp/key" "$sku" "$rate" "$secs")
printf '%-34s %s (target p99 <= 10000 us)\n' "POST /events at ${rate}/s" "$d"
s=$("$build/bench_webhooks" stripe "http://127.0.0.1:$port/webhooks/stripe" "$secret" "$rate" "$secs")
printf '%-34s %s (target p99 <= 10000 us)\n' "POST /webhooks/stripe at ${rate}/s" "$s"

q() { psql -qAtX "$DATABASE_URL" -c "$1"; }
got_d=$(q "SELECT count(*) FROM payments WHERE provider = 'discord' AND state = 'granted'")
got_s=$(q "SELECT count(*) FROM payments WHERE provider = 'stripe' AND state = 'granted'")
gems=$(q "SELECT coalesce(sum(gems), 0) FROM users WHERE discord_id LIKE '86%'")
printf '%-34s discord %s of %s, stripe %s of %s, %s Gems held\n' "granted once each" "$got_d" "$n" "$got_s" "$n" "$gems"
[ "$got_d" = "$n" ] && [ "$got_s" = "$n" ] || { echo "bench-payments: not every event was granted once" >&2; tail -5 "$tmp/server.log" >&2; exit 1; }
"$build/popdeck" audit --full
