#!/usr/bin/env bash
# test.sh - runs every suite: the cmocka unit tests, then the end-to-end suites against a
# throwaway PostgreSQL cluster (torn down at the end) and the local API doubles.
# Then the shell suites test/sh/test_*.sh, which check the scripts and the Makefile, and the
# browser suite test/browser/run.sh (each prints PASS:/FAIL: lines). Prints each suite's own
# output, then one closing line "N passed, N failed".
set -uo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

tmp=$(mktemp -d /tmp/popdeck-test.XXXXXX)
chmod 755 "$tmp"
cleanup() {
  scripts/pg.sh stop "$tmp/pg" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
# Nothing a test starts may leave loopback through a proxy.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY='*' no_proxy='*'

passed=0 failed=0 broken=()
run_suite() {
  local bin=$1 out
  out=$("$bin" 2>&1)
  local rc=$?
  printf '%s\n' "$out"
  local p f
  p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
  f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
  passed=$((passed + p))
  failed=$((failed + f))
  # A suite that crashed or exited non-zero without reporting a failure still fails.
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    failed=$((failed + 1))
    broken+=("$bin (exit $rc)")
  elif [ "$rc" -ne 0 ]; then
    broken+=("$bin")
  fi
}

shopt -s nullglob
for t in "$build"/test_*; do
  [ -x "$t" ] && run_suite "$t"
done

e2e=("$build"/e2e_*)
if [ ${#e2e[@]} -gt 0 ]; then
  PD_TEST_DATABASE_URL=$(scripts/pg.sh start "$tmp/pg" --fast) || { echo "test: cannot start PostgreSQL"; exit 1; }
  export PD_TEST_DATABASE_URL PD_BUILD_DIR=$build PD_PG_DIR=$tmp/pg PD_TMP=$tmp
  for t in "${e2e[@]}"; do
    [ -x "$t" ] && run_suite "$t"
  done
  # Every reply and follow-up the suites saw, against Discord's own API description.
  out=$(scripts/validate-replies.sh "$tmp/payloads.jsonl" 2>&1)
  rc=$?
  printf '%s\n' "$out"
  # It counts as one test: it passes only if every recorded payload is valid.
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    broken+=("openapi check of recorded payloads")
  fi
fi

# Shell suites, then the browser suite (the playground in headless Chromium, test/browser):
# one test per PASS:/FAIL: line; a non-zero exit without a FAIL line still fails.
run_lines() {
  local t=$1 out rc p f
  out=$("$t" "$build" 2>&1)
  rc=$?
  printf '%s\n' "$out"
  p=$(printf '%s\n' "$out" | grep -c '^PASS: ')
  f=$(printf '%s\n' "$out" | grep -c '^FAIL: ')
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    failed=$((failed + 1))
    broken+=("$t (exit $rc)")
  elif [ "$rc" -ne 0 ]; then
    broken+=("$t")
  fi
}
for t in test/sh/test_*.sh; do
  run_lines "$t"
done
if [ ${#e2e[@]} -gt 0 ]; then
  run_lines test/browser/run.sh
fi

echo
[ ${#broken[@]} -gt 0 ] && printf 'failing suite: %s\n' "${broken[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
