#!/usr/bin/env bash
# deps.sh - installs the Debian 12 packages PopDeck builds, tests and runs with, when any is missing.
# Quiet and quick when everything is already there; needs root (or sudo) only when it installs.
set -euo pipefail

pkgs=(
  build-essential pkg-config
  libmicrohttpd-dev libsodium-dev libpq-dev libcurl4-openssl-dev libjansson-dev libgd-dev libpng-dev
  libjpeg62-turbo-dev libwebp-dev
  libcmocka-dev
  postgresql postgresql-client
  fonts-dejavu-core
  wrk curl
  clang-format
  openssl
  chromium
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# chromium is the real browser the playground's tests (test/browser) drive headless.
# node and npm run the OpenAPI check of replies, the browser tests and the Node comparison in
# make bench; a machine that already has them (from any source) keeps its own.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
