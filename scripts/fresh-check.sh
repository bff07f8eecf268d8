#!/usr/bin/env bash
# scripts/fresh-check.sh [--warm DIR] - proves the README's quick start on a fresh machine: clones the
# committed HEAD into a new folder beside this checkout (where CI clones it: the shared test vectors are
# read from ../shared), points PLATFORM_TRUST_TOOLCHAIN_DIR at a new, empty cache folder, keeps PATH as it
# is (so a `terraform` on PATH is still there and must not be picked up), and runs `.ci/run` there: the
# README's test command, lint and the second-engine pass. Prints the wall time.
#   --warm DIR   reuse the toolchain cache folder DIR (from an earlier run) instead of an empty one
# Go's module and build caches are kept in the cache folder as well. The clone and the cache folder are
# left in place and printed, for a warm run after (remove them with chmod -R u+w, then rm -rf).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
parent="$(dirname "$repo")"
cache=""
if [ "${1:-}" = --warm ]; then cache="${2:?--warm needs the cache folder of an earlier run}"; fi
stamp="$(date -u +%Y%m%d-%H%M%S)"
clone="$parent/fresh-check-$stamp"
git clone --quiet --no-hardlinks "$repo" "$clone"
if [ -z "$cache" ]; then cache="$(mktemp -d "${TMPDIR:-/tmp}/pt-toolchain-$stamp-XXXX")"; fi
echo "[fresh-check] clone: $clone (commit $(git -C "$clone" rev-parse --short HEAD))"
echo "[fresh-check] toolchain cache: $cache ($(find "$cache" -type f | wc -l) files)"
echo "[fresh-check] on PATH: $(command -v terraform || echo 'no terraform'), $(command -v tofu || echo 'no tofu')"
t0=$(date +%s)
rc=0
# Go's module and build caches live in the cache folder too, so a cold run downloads and compiles
# everything as a new machine does.
( cd "$clone" && PLATFORM_TRUST_TOOLCHAIN_DIR="$cache" GOMODCACHE="$cache/go/mod" GOCACHE="$cache/go/build" \
    ./.ci/run ) || rc=$?
t1=$(date +%s)
echo "[fresh-check] .ci/run exit $rc in $((t1 - t0)) s ($(( (t1 - t0) / 60 )) min $(( (t1 - t0) % 60 )) s)"
echo "[fresh-check] warm run: scripts/fresh-check.sh --warm $cache"
exit $rc
