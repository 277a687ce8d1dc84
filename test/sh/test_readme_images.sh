#!/usr/bin/env bash
# test_readme_images.sh - the README's card pictures (assets/readme) are what `popdeck render`
# draws from the demo catalog today: scripts/readme-images.sh draws them again and compares.
#   test_readme_images.sh BUILD    prints PASS:/FAIL: lines; exit status 0 only when both match
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
exec "$top/scripts/readme-images.sh" "${1:-build}" --check
