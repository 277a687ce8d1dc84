#!/usr/bin/env bash
# docker-check.sh - builds the Dockerfile and proves the image without a Docker daemon: buildah
# builds it (chroot isolation, host network), then from a container of that image, as its own
# user `popdeck`: `popdeck migrate`, `popdeck seed demo --limit 2` into the image's cards volume
# and `popdeck serve`, against a throwaway PostgreSQL (scripts/pg.sh) whose socket is mounted
# into the container. From the host: GET /healthz, a signed PING (type 1) and one card's URL from
# card_templates.image_url; inside: the image's own HEALTHCHECK command.
#   docker-check.sh [BUILD]   BUILD holds the host's popdeck and bench_verify (key and signature)
# No registry is needed: the base image debian:bookworm-slim is made once with debootstrap from
# the machine's Debian mirror and kept in buildah's storage; later runs reuse it and the cached
# build layers. Installs buildah and debootstrap with apt-get when missing. Needs root.
# Prints PASS:/FAIL: lines and a summary; exit status 0 only when all passed. (The summary is not
# an "N passed, N failed" line, so the closing count of .ci/run stays that of the test suites.)
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
image=localhost/popdeck:check
base=debian:bookworm-slim
say() { echo "docker-check: $*"; }

[ "$(id -u)" -eq 0 ] || { say "needs root (buildah's storage and chroot isolation)" >&2; exit 1; }
for f in popdeck bench_verify; do
  [ -x "$build/$f" ] || { say "no $build/$f: run make first" >&2; exit 1; }
done
missing=()
for p in buildah debootstrap curl; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY='*' no_proxy='*'

tmp=$(mktemp -d /tmp/popdeck-docker.XXXXXX)
chmod 755 "$tmp"
ctr='' spid=''
cleanup() {
  if [ -n "$spid" ]; then
    # buildah runs the server as its child; stop the whole group setsid gave them.
    kill -TERM -- "-$spid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$spid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$spid" 2>/dev/null || true
    wait "$spid" 2>/dev/null || true
  fi
  [ -n "$ctr" ] && buildah rm "$ctr" >/dev/null 2>&1
  scripts/pg.sh stop "$tmp/pg" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

passed=0 failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
finish() {
  echo
  if [ "$failed" -eq 0 ]; then
    say "all $passed checks passed"
  else
    say "$failed of $((passed + failed)) checks failed"
  fi
  exit $((failed > 0))
}
stage() { # label command...: a step the rest needs; its output goes to a log shown on failure
  local label=$1 log
  log=$tmp/$(printf '%s' "$label" | tr -c 'A-Za-z0-9' '_').log
  shift
  if "$@" >"$log" 2>&1; then
    pass "$label"
  else
    fail "$label"
    tail -n 25 "$log" | sed 's/^/  /'
    finish
  fi
}

# The base image, once: from the Debian mirror this machine's apt uses.
make_base() {
  local mirror b mnt
  mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
  [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
  b=$(buildah from scratch)
  mnt=$(buildah mount "$b")
  if ! debootstrap --variant=minbase bookworm "$mnt" "$mirror"; then
    buildah rm "$b" >/dev/null
    return 1
  fi
  rm -rf "$mnt"/var/cache/apt/archives/*.deb "$mnt"/var/lib/apt/lists/*
  buildah umount "$b" >/dev/null
  buildah commit -q --rm "$b" "localhost/$base"
}
t0=$(date +%s)
if buildah inspect --type image "localhost/$base" >/dev/null 2>&1; then
  say "base image $base from buildah's storage"
else
  say "making the base image $base with debootstrap (once; kept in buildah's storage)"
  stage "base image $base made with debootstrap" make_base
fi

# --format docker keeps HEALTHCHECK (OCI has no field for it); --layers caches the apt steps.
stage "image builds from the Dockerfile" buildah bud --pull=never --layers --format docker \
  --isolation=chroot --network=host -t "$image" .
t1=$(date +%s)
say "image ready in $((t1 - t0)) s"

cards_dir=/var/lib/popdeck/cards
config=$(buildah inspect --type image --format \
  'user={{.Docker.Config.User}}{{"\n"}}{{range .Docker.Config.Env}}env={{.}}{{"\n"}}{{end}}{{range $v, $_ := .Docker.Config.Volumes}}volume={{$v}}{{"\n"}}{{end}}{{range .Docker.Config.Healthcheck.Test}}health={{.}}{{"\n"}}{{end}}' \
  "$image")
if grep -qx 'user=popdeck' <<<"$config" && grep -qx "env=CARDS_DIR=$cards_dir" <<<"$config" &&
  grep -qx "volume=$cards_dir" <<<"$config" && grep -q '^health=.*/healthz' <<<"$config"; then
  pass "image runs as popdeck with CARDS_DIR=$cards_dir declared a VOLUME and a HEALTHCHECK on /healthz"
else
  fail "image runs as popdeck with CARDS_DIR=$cards_dir declared a VOLUME and a HEALTHCHECK on /healthz"
  sed 's/^/  /' <<<"$config"
fi

# The database: a throwaway cluster the container's user may reach through the mounted socket.
stage "throwaway PostgreSQL starts" scripts/pg.sh start "$tmp/pg" --fast --open
. scripts/lib.sh # free_port
port=$(free_port)
url=http://127.0.0.1:$port
pk=$("$build/popdeck" keygen "$tmp/key")
ctr=$(buildah from --pull=never "$image")
# What a `docker run --env-file` would give it; follow-ups (none here) would go to a closed port.
buildah config --env DATABASE_URL='postgresql:///popdeck?host=/run/popdeck-pg&user=postgres' \
  --env DISCORD_PUBLIC_KEY="$pk" --env DISCORD_APPLICATION_ID=1111111111111111111 \
  --env DISCORD_API_BASE=http://127.0.0.1:9/api/v10 --env LISTEN_ADDR="127.0.0.1:$port" \
  --env PUBLIC_BASE_URL="$url" "$ctr"
in_ctr() { buildah run --isolation=chroot --network=host --user popdeck -v "$tmp/pg/sock:/run/popdeck-pg" "$ctr" -- "$@"; }

stage "popdeck migrate in the image" in_ctr popdeck migrate
stage "popdeck seed demo --limit 2 in the image writes its cards" in_ctr popdeck seed demo --limit 2
setsid buildah run --isolation=chroot --network=host --user popdeck -v "$tmp/pg/sock:/run/popdeck-pg" \
  "$ctr" -- popdeck serve >"$tmp/serve.log" 2>&1 </dev/null &
spid=$!
up=0
for _ in $(seq 300); do
  curl -fsS -o /dev/null --max-time 2 "$url/healthz" 2>/dev/null && { up=1; break; }
  kill -0 "$spid" 2>/dev/null || break
  sleep 0.1
done
if [ "$up" = 1 ]; then pass "popdeck serve from the image answers GET /healthz 200"; else
  fail "popdeck serve from the image answers GET /healthz 200"
  tail -n 20 "$tmp/serve.log" | sed 's/^/  /'
  finish
fi

status=$(curl -sS -o "$tmp/readyz" -w '%{http_code}' --max-time 5 "$url/readyz" || true)
[ "$status" = 200 ] && pass "GET /readyz 200 (migrated)" || fail "GET /readyz 200 (migrated), got $status"

# A PING as Discord sends it, signed with the key whose public half the container was given.
printf '%s' '{"application_id":"1111111111111111111","id":"1310000000000000000","token":"aW50ZXJhY3Rpb246ZG9ja2VyLWNoZWNr","type":1,"version":1}' >"$tmp/ping.json"
mapfile -t sig < <("$build/bench_verify" sign "$tmp/key" "$tmp/ping.json")
status=$(curl -sS -o "$tmp/ping.out" -w '%{http_code}' --max-time 5 -H 'Content-Type: application/json' \
  -H "${sig[0]}" -H "${sig[1]}" --data-binary "@$tmp/ping.json" "$url/interactions" || true)
if [ "$status" = 200 ] && [ "$(tr -d ' \n' <"$tmp/ping.out")" = '{"type":1}' ]; then
  pass "signed PING to /interactions answers 200 {\"type\":1}"
else
  fail "signed PING to /interactions answers 200 {\"type\":1}, got $status $(head -c 200 "$tmp/ping.out")"
fi
status=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 5 -H 'Content-Type: application/json' \
  -H "${sig[0]}" -H "X-Signature-Timestamp: 1" --data-binary "@$tmp/ping.json" "$url/interactions" || true)
[ "$status" = 401 ] && pass "a PING with a wrong signature answers 401" || fail "a PING with a wrong signature answers 401, got $status"

# A card the seed rendered inside the image, by the URL the database holds for it.
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
card=$(runuser -u postgres -- "$bin/psql" -h "$tmp/pg/sock" -d popdeck -qtAc \
  'SELECT image_url FROM card_templates WHERE image_url IS NOT NULL ORDER BY id LIMIT 1' 2>&1 || true)
status=$(curl -sS -o "$tmp/card.png" -w '%{http_code}' --max-time 5 "$card" 2>/dev/null || true)
if [ "$status" = 200 ] && [ "$(head -c 8 "$tmp/card.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
  pass "card URL from card_templates.image_url ($card) answers 200 with a PNG"
else
  fail "card URL from card_templates.image_url ($card) answers 200 with a PNG, got $status"
fi

# The image's own HEALTHCHECK command, run where Docker would run it.
hc=$(sed -n 's/^health=//p' <<<"$config" | sed -n 2p)
if [ -n "$hc" ] && in_ctr /bin/sh -c "$hc" >/dev/null 2>&1; then
  pass "the image's HEALTHCHECK passes inside the container"
else
  fail "the image's HEALTHCHECK passes inside the container ($hc)"
fi

say "checked in $(($(date +%s) - t0)) s"
finish
