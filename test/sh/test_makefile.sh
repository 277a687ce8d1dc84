#!/usr/bin/env bash
# test_makefile.sh - plain `make` on a machine without the libraries: one line saying what to run
# (`make deps` or `make run`) before anything is compiled, and `make deps` itself unaffected.
# The machine's pkg-config is pointed at a folder without the libraries (PKG_CONFIG_LIBDIR).
#   test_makefile.sh BUILD    prints PASS:/FAIL: lines; exit status 0 only when every check passed
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

tmp=$(mktemp -d /tmp/popdeck-maketest.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/none" "$tmp/nojansson"
for pc in $(pkg-config --variable pc_path pkg-config | tr ':' ' '); do
  for f in "$pc"/*.pc; do
    [ -e "$f" ] && [ "$(basename "$f")" != jansson.pc ] && ln -sf "$f" "$tmp/nojansson/"
  done
done

# make_without LIBDIR GOAL...: runs make with pkg-config seeing only LIBDIR, into a fresh BUILD.
make_without() {
  local libdir=$1
  shift
  rm -rf "$tmp/build"
  out=$(PKG_CONFIG_LIBDIR=$libdir make --no-print-directory BUILD="$tmp/build" "$@" 2>&1)
  rc=$?
}
one_line_hint() { # label expected-list
  local n
  n=$(printf '%s\n' "$out" | wc -l)
  if [ "$rc" -ne 0 ] && [ "$n" -eq 1 ] &&
    printf '%s\n' "$out" | grep -qF "missing libraries ($2): run \`make deps\` (or \`make run\`, which installs them)"; then
    pass "$1"
  else
    fail "$1 (exit $rc, $n lines:)"
    printf '%s\n' "$out" | head -n 5 | sed 's/^/  /'
  fi
}
nothing_compiled() { # label
  if [ -z "$(find "$tmp/build" -name '*.o' 2>/dev/null | head -n 1)" ]; then pass "$1"; else fail "$1"; fi
}

make_without "$tmp/none" all
one_line_hint "make with no libraries says in one line to run make deps or make run" \
  "libmicrohttpd libsodium libpq libcurl jansson gdlib libpng libjpeg libwebp"
nothing_compiled "make with no libraries compiles nothing"

make_without "$tmp/nojansson" all
one_line_hint "make without jansson names only jansson" "jansson"
nothing_compiled "make without jansson compiles nothing"

make_without "$tmp/nojansson" tests
one_line_hint "make tests without jansson names only jansson (cmocka is there)" "jansson"

make_without "$tmp/none" -n deps
if [ "$rc" -eq 0 ] && ! printf '%s\n' "$out" | grep -q 'missing libraries'; then
  pass "make deps still runs on a machine without the libraries"
else
  fail "make deps still runs on a machine without the libraries (exit $rc: $out)"
fi

[ "$failures" -eq 0 ]
