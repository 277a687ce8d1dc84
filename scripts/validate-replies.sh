#!/usr/bin/env bash
# validate-replies.sh FILE - checks every payload the end-to-end suites recorded (JSON lines of
# {kind, body}) against Discord's OpenAPI description, with ajv from the npm registry.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$top/test/openapi
if [ ! -d "$dir/node_modules/ajv" ]; then
  (cd "$dir" && npm ci --no-audit --no-fund --silent >/dev/null 2>&1) \
    || { echo "openapi: npm could not install ajv"; echo "openapi: 0 passed, 1 failed"; exit 1; }
fi
exec node "$dir/validate.mjs" "$1"
