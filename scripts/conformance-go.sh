#!/usr/bin/env bash
# Runs the Go reference check of the conformance vectors (conformance/go) offline: its modules must already be in
# the Go module cache (scripts/toolchain.sh fetches them; `npm test` runs it). Nothing is downloaded here
# (GOPROXY=off): a missing module fails with Go's "module lookup disabled" message and the fix below.
set -euo pipefail
cd "$(dirname "$0")/../conformance/go"
GO="${GO:-go}"
command -v "$GO" >/dev/null 2>&1 || { [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go; } ||
  { echo "conformance-go: no Go toolchain found (set GO or put go on PATH)" >&2; exit 1; }
# Go's build cache lives under $HOME (or $XDG_CACHE_HOME); without either, use a temporary one.
gocache="$("$GO" env GOCACHE 2>/dev/null || true)"
if [ -z "$gocache" ] || [ "$gocache" = off ]; then
  GOCACHE="$(mktemp -d)"
  export GOCACHE
  trap 'rm -rf "$GOCACHE"' EXIT
fi
echo "conformance-go: $("$GO" version), vectors in conformance/vectors"
if ! GOFLAGS=-mod=mod GOPROXY=off "$GO" test -count=1 ./...; then
  echo "conformance-go: FAILED (a module missing from the cache says \"module lookup disabled by GOPROXY=off\": run scripts/toolchain.sh)" >&2
  exit 1
fi
