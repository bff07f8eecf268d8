#!/usr/bin/env bash
# scripts/engine-matrix.sh ENGINE - runs the engine-sensitive part of the integration suite (dev stack,
# signing lifecycle, faults, bootstrap rotation, bundle v2) on another engine than the pinned OpenTofu.
#   ENGINE  terraform | tofu | /absolute/path/to/binary   (see PLATFORM_TRUST_ENGINE in scripts/toolchain.sh)
# When ENGINE is `terraform` and no terraform >= 1.5 is on PATH, it says so plainly and exits 0: the
# second engine is covered where it is installed, and its absence is visible in the CI log.
set -euo pipefail
cd "$(dirname "$0")/.."
engine=${1:?usage: scripts/engine-matrix.sh terraform|tofu|/path/to/engine}
if [ "$engine" = terraform ] || [ "$engine" = tofu ]; then
  if ! command -v "$engine" >/dev/null 2>&1; then
    echo "[engine-matrix] $engine is ABSENT from PATH: the engine-sensitive tests ran on the pinned OpenTofu only."
    exit 0
  fi
  out=$("$engine" version 2>/dev/null || true)
  ver=$(sed -n 's/^[A-Za-z]* v\([0-9][0-9.]*\).*/\1/p' <<<"$out" | sed -n 1p)
  min=1.5.0; [ "$engine" = tofu ] && min=1.6.0
  if [ -z "$ver" ] || [ "$(printf '%s\n%s\n' "$min" "$ver" | sort -V | head -n1)" != "$min" ]; then
    echo "[engine-matrix] $engine on PATH is ${ver:-of unknown version}, below $min: SKIPPED, the engine-sensitive tests ran on the pinned OpenTofu only."
    exit 0
  fi
fi
echo "[engine-matrix] running the engine-sensitive integration tests on $engine"
PLATFORM_TRUST_ENGINE="$engine" node scripts/run-integration.js \
  test/integration/dev-stack.test.ts \
  test/integration/signing-lifecycle.test.ts \
  test/integration/faults.test.ts \
  test/integration/bootstrap-rotation.test.ts \
  test/integration/bundle-v2.test.ts \
  test/integration/freshness.test.ts
