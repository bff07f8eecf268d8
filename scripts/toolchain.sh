#!/usr/bin/env bash
# scripts/toolchain.sh - provide the pinned toolchain for cdktf-platform-trust's
# integration tests, built from Go modules (no release downloads, no Terraform
# registry):
#
#   engine   OpenTofu 1.12.6 (fallback 1.11.14), built from its module: the default engine, whatever
#            else is on PATH. Another engine only when asked for (PLATFORM_TRUST_ENGINE below).
#   server   OpenBao 2.6.2; if the Go module proxy refuses it, HashiCorp Vault 1.21.4 (same
#            CLI/API surface for what the tests use), built from its module. Another server binary
#            only when asked for (PLATFORM_TRUST_VAULT_SERVER below).
#   providers hashicorp/vault 5.9.0 and hashicorp/tls 4.1.0, always built, installed
#            into a filesystem mirror, plus a CLI config (tofu.rc) that points at it, for
#            use via TF_CLI_CONFIG_FILE so `tofu init` works offline.
#   go modules  the modules of the Go conformance check (conformance/go), fetched into the Go
#            module cache (`go mod download`), so that check runs with GOPROXY=off.
# Nothing is taken from PATH unless an environment variable names it: a fresh machine and a
# developer machine run the same pinned binaries.
#
# Usage:
#   scripts/toolchain.sh                  build what is missing, write and print env.json
#   scripts/toolchain.sh --print-env      print env.json if everything is present (exit 1
#                                         otherwise); never builds, never runs Go
#   scripts/toolchain.sh --print-env --allow-partial
#                                         print env.json even if some piece is missing
#
# Progress goes to stderr; stdout carries only env.json.
#
# Environment:
#   PLATFORM_TRUST_TOOLCHAIN_DIR    cache dir (default:
#                                   ${XDG_CACHE_HOME:-$HOME/.cache}/cdktf-platform-trust/toolchain)
#   PLATFORM_TRUST_ENGINE           which engine the tests and the demo run on:
#                                     opentofu (default)  the pinned OpenTofu, built when missing
#                                     terraform           `terraform` from PATH (>= 1.5)
#                                     tofu                `tofu` from PATH (>= 1.6)
#                                     /path/to/binary     that binary (OpenTofu or Terraform)
#   PLATFORM_TRUST_VAULT_SERVER     path of a server binary (bao >= 2 or vault >= 1.15) to use
#                                   instead of the pinned one (default: the pinned build)
#   PLATFORM_TRUST_TOOLCHAIN_KEEP_SRC=1  keep the writable module copies under <cache>/src
#   GO                              go command to use (default: go on PATH)
#   GOFLAGS, GOPROXY, GONOSUMDB, GOMODCACHE, GOCACHE ... are the user's, untouched.
#
# Cache layout (<cache> = the cache dir):
#   bin/tofu-<ver>  bin/bao-<ver> | bin/vault-<ver>
#   providers/terraform-provider-{vault,tls}_v<ver>
#   mirror/{registry.opentofu.org,registry.terraform.io}/hashicorp/<type>/<ver>/<os_arch>/
#          terraform-provider-<type>_v<ver>
#   tofu.rc  env.json  logs/<piece>.log  src/<piece>/ (removed after a successful build)
# To rebuild a piece, delete its file under bin/ or providers/.

set -euo pipefail

# ---------------------------------------------------------------- pinned versions
TOFU_VERSION=1.12.6
TOFU_FALLBACK_VERSION=1.11.14
TOFU_MODULE=github.com/opentofu/opentofu
TOFU_MIN=1.6.0
TERRAFORM_MIN=1.5.0

OPENBAO_VERSION=2.6.2
OPENBAO_MODULE=github.com/openbao/openbao
# The module path has no /v2 suffix, so the v2.6.2 tag (commit dd9c19c37a87) is only
# reachable as a pseudo-version.
OPENBAO_MODULE_VERSION=v0.0.0-20260818154305-dd9c19c37a87
# The OpenBao go.mod replaces these with in-repo folders that are separate modules
# (absent from the module zip); the published versions are required instead.
OPENBAO_REQUIRES="github.com/openbao/openbao/api/v2@v2.6.0
github.com/openbao/openbao/api/auth/approle/v2@v2.6.0
github.com/openbao/openbao/api/auth/userpass/v2@v2.6.0
github.com/openbao/openbao/api/auth/kubernetes/v2@v2.6.0
github.com/openbao/openbao/sdk/v2@v2.6.2"
BAO_MIN=2.0.0

# Fallback server when the OpenBao module is not served: HashiCorp Vault (BUSL-1.1;
# used here only as a local test server).  Its go.mod replaces api, api/auth/* and sdk
# with in-repo folders; the versions its go.mod already requires are published.
VAULT_SERVER_VERSION=1.21.4
VAULT_SERVER_MODULE=github.com/hashicorp/vault
VAULT_MIN=1.15.0

# The bindings (@cdktf/provider-vault 15.6.1) were generated from 5.6.0, but the Go module proxy
# does not serve a 5.6.0 build (the v5.6.0 pseudo-version answers 403). It serves the 5.9.0 commit;
# the stacks accept any 5.x >= 5.6.0 (see lib/core/providers.ts), so the tests run 5.9.0.
VAULT_PROVIDER_VERSION=5.9.0
VAULT_PROVIDER_MODULE=github.com/hashicorp/terraform-provider-vault
VAULT_PROVIDER_MODULE_VERSION=v1.9.1-0.20260422134934-5e9fcd457a99   # commit of v5.9.0 (CHANGELOG: 5.9.0, April 22, 2026)
TLS_PROVIDER_VERSION=4.1.0
TLS_PROVIDER_MODULE=github.com/hashicorp/terraform-provider-tls
TLS_PROVIDER_MODULE_VERSION=v1.2.1-0.20250423195406-eefba144662d     # commit of v4.1.0

# ---------------------------------------------------------------- settings
CACHE_DIR="${PLATFORM_TRUST_TOOLCHAIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cdktf-platform-trust/toolchain}"
ENGINE_CHOICE="${PLATFORM_TRUST_ENGINE:-opentofu}"
SERVER_CHOICE="${PLATFORM_TRUST_VAULT_SERVER:-}"
KEEP_SRC="${PLATFORM_TRUST_TOOLCHAIN_KEEP_SRC:-0}"
export CHECKPOINT_DISABLE=1   # keep terraform from phoning home while we ask its version

MODE=build
ALLOW_PARTIAL=0
for arg in "$@"; do
  case "$arg" in
    --print-env) MODE=print ;;
    --allow-partial) ALLOW_PARTIAL=1 ;;
    -h|--help) sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "toolchain.sh: unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done

say() { printf '[toolchain] %s\n' "$*" >&2; }
die() { printf '[toolchain] ERROR: %s\n' "$*" >&2; exit 1; }

case "$(uname -s)" in
  Linux) OS=linux ;; Darwin) OS=darwin ;; *) OS="$(uname -s | tr '[:upper:]' '[:lower:]')" ;;
esac
case "$(uname -m)" in
  x86_64|amd64) ARCH=amd64 ;; aarch64|arm64) ARCH=arm64 ;; *) ARCH="$(uname -m)" ;;
esac
PLATFORM="${OS}_${ARCH}"

# ---------------------------------------------------------------- helpers
# abs PATH -> absolute path (the cache dir may be given relative)
abs() { case "$1" in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$PWD" "$1" ;; esac; }
CACHE_DIR="$(abs "$CACHE_DIR")"
BIN_DIR="$CACHE_DIR/bin"
PROVIDERS_DIR="$CACHE_DIR/providers"
MIRROR_DIR="$CACHE_DIR/mirror"
SRC_DIR="$CACHE_DIR/src"
LOG_DIR="$CACHE_DIR/logs"
CLI_CONFIG="$CACHE_DIR/tofu.rc"
ENV_JSON="$CACHE_DIR/env.json"

# version_ge A B: A >= B (plain dotted versions)
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

# first vX.Y.Z in a command's version output, without the v
extract_version() { sed -n 's/.*v\([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' | head -n1; }

# cli_version BIN -> "<Name> <x.y.z>" from `BIN version` (OpenTofu|Terraform|OpenBao|Vault)
cli_version() {
  local all out name ver
  # The whole output first, then the first version line (tofu prints CLI-config warnings on stdout before it).
  # Never `BIN version | grep -m1`: grep stops reading at the first match, the engine's next line then gets
  # SIGPIPE, and under pipefail the whole check fails now and then (seen with terraform under load).
  all="$("$1" version 2>/dev/null)" || true
  out="$(grep -m1 -E '^(OpenTofu|Terraform|OpenBao|Vault) v' <<<"$all")" || return 1
  name="${out%% *}"
  ver="$(extract_version <<<"$out")"
  [ -n "$ver" ] || return 1
  printf '%s %s\n' "$name" "$ver"
}

json_str() { # JSON string literal (or null for empty)
  if [ -z "$1" ]; then printf 'null'; return; fi
  local s=${1//\\/\\\\}; s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

find_go() {
  if [ -n "${GO:-}" ]; then command -v "$GO" >/dev/null 2>&1 && { GO="$(command -v "$GO")"; return 0; }; return 1; fi
  if command -v go >/dev/null 2>&1; then GO="$(command -v go)"; return 0; fi
  # conventional location of the official Go distribution
  if [ -x /usr/local/go/bin/go ]; then GO=/usr/local/go/bin/go; return 0; fi
  return 1
}

# go_mod_download MODULE@VERSION -> prints the module dir; on failure prints the
# proxy's answer to stderr and returns 1
go_mod_download() {
  local out dir err
  out="$("$GO" mod download -json "$1" 2>&1)" || true
  dir="$(printf '%s\n' "$out" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' | head -n1)"
  if [ -n "$dir" ] && [ -d "$dir" ]; then printf '%s\n' "$dir"; return 0; fi
  err="$(printf '%s\n' "$out" | sed -n 's/^[[:space:]]*"Error": "\(.*\)",\{0,1\}$/\1/p' | head -n1)"
  [ -n "$err" ] || err="$out"
  printf '%b\n' "$err" >&2
  return 1
}

# local_replaces GOMOD -> "path[@version]" of every replace whose target is a local dir
local_replaces() {
  awk '
    { line = $0; sub(/\/\/.*/, "", line) }
    line ~ /^replace[ \t]*\(/ { inblock = 1; next }
    inblock && line ~ /^[ \t]*\)/ { inblock = 0; next }
    inblock || line ~ /^replace[ \t]/ {
      l = line; sub(/^replace[ \t]+/, "", l)
      if (split(l, parts, "=>") != 2) next
      nl = split(parts[1], lhs, " "); split(parts[2], rhs, " ")
      if (rhs[1] ~ /^\.\.?\// || rhs[1] ~ /^\//) print lhs[1] (nl > 1 ? "@" lhs[2] : "")
    }' "$1"
}

# build_module_copy LABEL KEY MODULE@VERSION PKG OUT LDFLAGS DROP_LOCAL REQUIRES [PATCH_FN]
# Copies the module out of the (read-only) module cache into <cache>/src/KEY, optionally
# drops replaces that point at in-repo folders, pins REQUIRES and runs PATCH_FN in the
# copy, then builds PKG to OUT.
# Every command is checked explicitly: this runs under `if`, where errexit is ignored.
build_module_copy() {
  local label=$1 key=$2 modver=$3 pkg=$4 out=$5 ldflags=$6 drop_local=$7 requires=$8 patch_fn=${9:-}
  local dir src r replaces
  echo "== $label: go mod download $modver"
  dir="$(go_mod_download "$modver")" || { echo "== the Go module proxy did not serve $modver"; return 1; }
  echo "== $label: module dir $dir"
  src="$SRC_DIR/$key"
  rm -rf "$src" && mkdir -p "$SRC_DIR" || return 1
  cp -R "$dir" "$src" && chmod -R u+w "$src" || return 1
  cd "$src" || return 1
  if [ "$drop_local" = 1 ]; then
    replaces="$(local_replaces go.mod)" || return 1
    for r in $replaces; do
      echo "== $label: dropping local replace $r"
      "$GO" mod edit -dropreplace="$r" || return 1
    done
    for r in $requires; do
      echo "== $label: requiring $r"
      "$GO" mod edit -require="$r" || return 1
    done
  fi
  if [ -n "$patch_fn" ]; then
    echo "== $label: patching sources ($patch_fn)"
    "$patch_fn" || { echo "== $label: patch $patch_fn did not apply"; return 1; }
  fi
  echo "== $label: CGO_ENABLED=0 go build -mod=mod -trimpath -ldflags '$ldflags' $pkg"
  CGO_ENABLED=0 "$GO" build -mod=mod -trimpath -buildvcs=false -ldflags "$ldflags" -o "$out.tmp.$$" "$pkg" || return 1
  mv -f "$out.tmp.$$" "$out" || return 1
  cd "$CACHE_DIR" || return 1
  if [ "$KEEP_SRC" != 1 ]; then rm -rf "$src"; fi
  echo "== $label: done"
}

# go_install_provider LABEL MODULE@VERSION BINNAME OUT
go_install_provider() {
  local label=$1 modver=$2 binname=$3 out=$4 gobin
  echo "== $label: go mod download $modver"
  go_mod_download "$modver" >/dev/null || { echo "== the Go module proxy did not serve $modver"; return 1; }
  gobin="$SRC_DIR/gobin.$$"
  rm -rf "$gobin" && mkdir -p "$gobin" || return 1
  echo "== $label: CGO_ENABLED=0 go install -trimpath -ldflags '-s -w' $modver"
  CGO_ENABLED=0 GOBIN="$gobin" "$GO" install -trimpath -buildvcs=false -ldflags "-s -w" "$modver" || return 1
  mv -f "$gobin/$binname" "$out" || return 1
  rm -rf "$gobin"
  echo "== $label: done"
}

# Vault v1.21.4 requires github.com/hashicorp/vault/sdk v0.21.0 but builds against its
# in-repo sdk (a replace), which still has the 2-argument framework.Backend.ActivationFunc;
# the published v0.21.0 takes (ctx, req, string).  v0.20.0 is too old (lacks
# TryRecordObservationWithRequest).  Adapt the call sites to v0.21.0: ActivationFunc takes
# a third argument, and keysutil.LockManager.RestorePolicy returns only an error (the
# restored key name is used for an observation record only).
patch_vault_server() {
  sed -i.orig 's/^\([[:space:]]*ActivationFunc: \)iStore\.activateDeduplication,$/\1func(ctx context.Context, req *logical.Request, _ string) error { return iStore.activateDeduplication(ctx, req) },/' \
    vault/identity_store.go || return 1
  sed -i.orig 's/b\.idStoreBackend\.ActivationFunc(ctx, nil);/b.idStoreBackend.ActivationFunc(ctx, nil, "");/' \
    vault/logical_system_activation_flags.go || return 1
  sed -i.orig 's/restoredKeyName, err := b\.lm\.RestorePolicy(/restoredKeyName, err := keyName, b.lm.RestorePolicy(/' \
    builtin/logical/transit/path_restore.go || return 1
  rm -f vault/identity_store.go.orig vault/logical_system_activation_flags.go.orig \
    builtin/logical/transit/path_restore.go.orig
  grep -q 'ActivationFunc: func(ctx context.Context, req \*logical.Request, _ string) error' vault/identity_store.go &&
    grep -q 'ActivationFunc(ctx, nil, "")' vault/logical_system_activation_flags.go &&
    grep -q 'restoredKeyName, err := keyName, b.lm.RestorePolicy(' builtin/logical/transit/path_restore.go
}

FAILED=()
# run_step LABEL LOGNAME FUNCTION ARGS... : runs the step in a subshell,
# logs to <cache>/logs/LOGNAME.log, reports time; returns the step's status
run_step() {
  local label=$1 logname=$2; shift 2
  local log="$LOG_DIR/$logname.log" t0=$SECONDS rc
  mkdir -p "$LOG_DIR"
  say "building $label ... (log: $log)"
  rc=0
  ( "$@" ) >"$log" 2>&1 || rc=$?
  if [ $rc -eq 0 ]; then
    say "built $label in $((SECONDS - t0))s"
  else
    say "FAILED to build $label after $((SECONDS - t0))s; last lines of $log:"
    tail -n 15 "$log" | sed 's/^/[toolchain]   | /' >&2
  fi
  return $rc
}

need_go() {
  if [ -z "${GO_CHECKED:-}" ]; then
    find_go || die "no Go toolchain found (set GO or put go on PATH); it is needed to build $1"
    say "using $("$GO" version) ($GO)"
    GO_CHECKED=1
  fi
}

# ---------------------------------------------------------------- pieces
TOFU_BIN="" TOFU_KIND="" TOFU_VER="" TOFU_SOURCE=""
BAO_BIN="" BAO_KIND="" BAO_VER="" BAO_SOURCE=""

# engine_from BIN LABEL: sets TOFU_* from an explicitly chosen binary (its kind from its version line)
engine_from() {
  local bin=$1 label=$2 kind="" ver=""
  read -r kind ver < <(cli_version "$bin" || true) || true
  [ -n "${ver:-}" ] || die "PLATFORM_TRUST_ENGINE=$ENGINE_CHOICE: $label does not print an OpenTofu or Terraform version"
  case "$kind" in
    OpenTofu)
      version_ge "$ver" "$TOFU_MIN" || die "PLATFORM_TRUST_ENGINE=$ENGINE_CHOICE: OpenTofu $ver is older than $TOFU_MIN"
      TOFU_KIND=opentofu ;;
    Terraform)
      version_ge "$ver" "$TERRAFORM_MIN" || die "PLATFORM_TRUST_ENGINE=$ENGINE_CHOICE: Terraform $ver is older than $TERRAFORM_MIN"
      TOFU_KIND=terraform ;;
    *) die "PLATFORM_TRUST_ENGINE=$ENGINE_CHOICE: $label is $kind, not an OpenTofu or Terraform engine" ;;
  esac
  TOFU_BIN="$bin" TOFU_VER=$ver TOFU_SOURCE=explicit
}

# resolve_tofu BUILD(0|1): the engine PLATFORM_TRUST_ENGINE names; by default the pinned OpenTofu
# from the cache, else (if BUILD) built from its module. PATH is read only when the variable asks for it.
resolve_tofu() {
  local build=$1 v
  case "$ENGINE_CHOICE" in
    opentofu) ;;
    terraform|tofu)
      command -v "$ENGINE_CHOICE" >/dev/null 2>&1 ||
        die "PLATFORM_TRUST_ENGINE=$ENGINE_CHOICE, but no $ENGINE_CHOICE is on PATH"
      engine_from "$(command -v "$ENGINE_CHOICE")" "$ENGINE_CHOICE on PATH"
      return 0 ;;
    /*)
      [ -x "$ENGINE_CHOICE" ] || die "PLATFORM_TRUST_ENGINE=$ENGINE_CHOICE is not an executable file"
      engine_from "$ENGINE_CHOICE" "$ENGINE_CHOICE"
      return 0 ;;
    *) die "PLATFORM_TRUST_ENGINE=$ENGINE_CHOICE: use opentofu (default), terraform, tofu, or an absolute path" ;;
  esac
  for v in "$TOFU_VERSION" "$TOFU_FALLBACK_VERSION"; do
    if [ -x "$BIN_DIR/tofu-$v" ]; then
      TOFU_BIN="$BIN_DIR/tofu-$v" TOFU_KIND=opentofu TOFU_VER=$v TOFU_SOURCE=cache
      return 0
    fi
  done
  [ "$build" = 1 ] || return 1
  need_go "OpenTofu"
  mkdir -p "$BIN_DIR"
  for v in "$TOFU_VERSION" "$TOFU_FALLBACK_VERSION"; do
    if run_step "OpenTofu v$v" "tofu-$v" build_module_copy "OpenTofu v$v" "opentofu-$v" \
        "$TOFU_MODULE@v$v" ./cmd/tofu "$BIN_DIR/tofu-$v" \
        "-s -w -X github.com/opentofu/opentofu/version.dev=no" 0 ""; then
      TOFU_BIN="$BIN_DIR/tofu-$v" TOFU_KIND=opentofu TOFU_VER=$v TOFU_SOURCE=built
      return 0
    fi
    [ "$v" = "$TOFU_FALLBACK_VERSION" ] || say "trying OpenTofu fallback v$TOFU_FALLBACK_VERSION"
  done
  FAILED+=("OpenTofu v$TOFU_VERSION (and fallback v$TOFU_FALLBACK_VERSION): see $LOG_DIR/tofu-$TOFU_VERSION.log")
  return 1
}

# resolve_bao BUILD(0|1): the server PLATFORM_TRUST_VAULT_SERVER names; by default the pinned build from
# the cache, else (if BUILD) OpenBao built from its module, else HashiCorp Vault. PATH is never read.
resolve_bao() {
  local build=$1 kind ver
  if [ -n "$SERVER_CHOICE" ]; then
    [ -x "$SERVER_CHOICE" ] || die "PLATFORM_TRUST_VAULT_SERVER=$SERVER_CHOICE is not an executable file"
    kind="" ver=""
    read -r kind ver < <(cli_version "$SERVER_CHOICE" || true) || true
    case "$kind" in
      OpenBao) version_ge "${ver:-0}" "$BAO_MIN" && { BAO_KIND=openbao; } ;;
      Vault) version_ge "${ver:-0}" "$VAULT_MIN" && { BAO_KIND=vault; } ;;
    esac
    [ -n "$BAO_KIND" ] || die "PLATFORM_TRUST_VAULT_SERVER=$SERVER_CHOICE is not OpenBao >= $BAO_MIN or Vault >= $VAULT_MIN (it says: ${kind:-nothing} ${ver:-})"
    BAO_BIN="$SERVER_CHOICE" BAO_VER=$ver BAO_SOURCE=explicit
    return 0
  fi
  if [ -x "$BIN_DIR/bao-$OPENBAO_VERSION" ]; then
    BAO_BIN="$BIN_DIR/bao-$OPENBAO_VERSION" BAO_KIND=openbao BAO_VER=$OPENBAO_VERSION BAO_SOURCE=cache; return 0
  fi
  if [ -x "$BIN_DIR/vault-$VAULT_SERVER_VERSION" ]; then
    BAO_BIN="$BIN_DIR/vault-$VAULT_SERVER_VERSION" BAO_KIND=vault BAO_VER=$VAULT_SERVER_VERSION BAO_SOURCE=cache; return 0
  fi
  [ "$build" = 1 ] || return 1
  need_go "OpenBao"
  mkdir -p "$BIN_DIR"
  if run_step "OpenBao v$OPENBAO_VERSION" "bao-$OPENBAO_VERSION" build_module_copy \
      "OpenBao v$OPENBAO_VERSION" "openbao-$OPENBAO_VERSION" "$OPENBAO_MODULE@$OPENBAO_MODULE_VERSION" \
      . "$BIN_DIR/bao-$OPENBAO_VERSION" \
      "-s -w -X github.com/openbao/openbao/version.fullVersion=$OPENBAO_VERSION" 1 "$OPENBAO_REQUIRES"; then
    BAO_BIN="$BIN_DIR/bao-$OPENBAO_VERSION" BAO_KIND=openbao BAO_VER=$OPENBAO_VERSION BAO_SOURCE=built
    return 0
  fi
  say "OpenBao v$OPENBAO_VERSION could not be built; falling back to HashiCorp Vault v$VAULT_SERVER_VERSION (dev server for tests)"
  if run_step "Vault v$VAULT_SERVER_VERSION" "vault-$VAULT_SERVER_VERSION" build_module_copy \
      "Vault v$VAULT_SERVER_VERSION" "vault-$VAULT_SERVER_VERSION" "$VAULT_SERVER_MODULE@v$VAULT_SERVER_VERSION" \
      . "$BIN_DIR/vault-$VAULT_SERVER_VERSION" "-s -w" 1 "" patch_vault_server; then
    BAO_BIN="$BIN_DIR/vault-$VAULT_SERVER_VERSION" BAO_KIND=vault BAO_VER=$VAULT_SERVER_VERSION BAO_SOURCE=built
    return 0
  fi
  FAILED+=("OpenBao v$OPENBAO_VERSION (see $LOG_DIR/bao-$OPENBAO_VERSION.log) and fallback Vault v$VAULT_SERVER_VERSION (see $LOG_DIR/vault-$VAULT_SERVER_VERSION.log)")
  return 1
}

# provider_ok TYPE VERSION: built binary and all mirror copies present (repairs the mirror
# from providers/ when only copies are missing)
provider_file() { printf '%s/terraform-provider-%s_v%s' "$PROVIDERS_DIR" "$1" "$2"; }
mirror_files() {
  local host
  for host in registry.opentofu.org registry.terraform.io; do
    printf '%s/%s/hashicorp/%s/%s/%s/terraform-provider-%s_v%s\n' \
      "$MIRROR_DIR" "$host" "$1" "$2" "$PLATFORM" "$1" "$2"
  done
}
provider_ok() {
  local type=$1 ver=$2 f
  [ -x "$(provider_file "$type" "$ver")" ] || return 1
  while read -r f; do [ -x "$f" ] || return 1; done < <(mirror_files "$type" "$ver")
}
install_into_mirror() {
  local type=$1 ver=$2 f
  while read -r f; do
    mkdir -p "$(dirname "$f")"
    cp -f "$(provider_file "$type" "$ver")" "$f.tmp.$$"
    chmod 0755 "$f.tmp.$$"
    mv -f "$f.tmp.$$" "$f"
  done < <(mirror_files "$type" "$ver")
}

resolve_provider() { # LABEL TYPE VERSION MODULE@VERSION BUILD(0|1)
  local label=$1 type=$2 ver=$3 modver=$4 build=$5
  if [ -x "$(provider_file "$type" "$ver")" ]; then
    provider_ok "$type" "$ver" || install_into_mirror "$type" "$ver"
    return 0
  fi
  [ "$build" = 1 ] || return 1
  need_go "$label"
  mkdir -p "$PROVIDERS_DIR"
  if run_step "$label" "provider-$type-$ver" go_install_provider "$label" "$modver" \
      "terraform-provider-$type" "$(provider_file "$type" "$ver")"; then
    install_into_mirror "$type" "$ver"
    return 0
  fi
  FAILED+=("$label: see $LOG_DIR/provider-$type-$ver.log")
  return 1
}

write_cli_config() {
  local m=${MIRROR_DIR//\\/\\\\}; m=${m//\"/\\\"}
  local tmp="$CLI_CONFIG.tmp.$$"
  cat >"$tmp" <<EOF
# Generated by scripts/toolchain.sh - use with TF_CLI_CONFIG_FILE=$CLI_CONFIG
provider_installation {
  filesystem_mirror {
    path    = "$m"
    include = ["registry.opentofu.org/hashicorp/*", "registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.opentofu.org/hashicorp/*", "registry.terraform.io/hashicorp/*"]
  }
}
EOF
  if ! cmp -s "$tmp" "$CLI_CONFIG" 2>/dev/null; then mv -f "$tmp" "$CLI_CONFIG"; else rm -f "$tmp"; fi
}

write_env_json() { # COMPLETE(true|false) MISSING...
  local complete=$1; shift
  local missing="" m vp="" tp=""
  for m in "$@"; do missing="$missing${missing:+, }$(json_str "$m")"; done
  [ -x "$(provider_file vault "$VAULT_PROVIDER_VERSION")" ] && vp="$(provider_file vault "$VAULT_PROVIDER_VERSION")"
  [ -x "$(provider_file tls "$TLS_PROVIDER_VERSION")" ] && tp="$(provider_file tls "$TLS_PROVIDER_VERSION")"
  local tmp="$ENV_JSON.tmp.$$"
  cat >"$tmp" <<EOF
{
  "tofu": $(json_str "$TOFU_BIN"),
  "bao": $(json_str "$BAO_BIN"),
  "cliConfig": $(json_str "$CLI_CONFIG"),
  "mirror": $(json_str "$MIRROR_DIR"),
  "versions": {
    "tofu": $(json_str "$TOFU_VER"),
    "bao": $(json_str "$BAO_VER"),
    "vaultProvider": $(json_str "$VAULT_PROVIDER_VERSION"),
    "tlsProvider": $(json_str "$TLS_PROVIDER_VERSION")
  },
  "kinds": {
    "tofu": $(json_str "$TOFU_KIND"),
    "bao": $(json_str "$BAO_KIND")
  },
  "sources": {
    "tofu": $(json_str "$TOFU_SOURCE"),
    "bao": $(json_str "$BAO_SOURCE")
  },
  "providers": {
    "vault": $(json_str "$vp"),
    "tls": $(json_str "$tp")
  },
  "platform": $(json_str "$PLATFORM"),
  "complete": $complete,
  "missing": [$missing]
}
EOF
  mv -f "$tmp" "$ENV_JSON"
}

# ---------------------------------------------------------------- --print-env
if [ "$MODE" = print ]; then
  missing=()
  resolve_tofu 0 || missing+=("tofu")
  resolve_bao 0 || missing+=("bao")
  provider_ok vault "$VAULT_PROVIDER_VERSION" || missing+=("provider hashicorp/vault $VAULT_PROVIDER_VERSION")
  provider_ok tls "$TLS_PROVIDER_VERSION" || missing+=("provider hashicorp/tls $TLS_PROVIDER_VERSION")
  [ -f "$CLI_CONFIG" ] || missing+=("cli config")
  if [ ${#missing[@]} -eq 0 ]; then
    # re-derive rather than trust a stale env.json (PATH may have changed)
    write_env_json true 2>/dev/null || true
    if [ -f "$ENV_JSON" ]; then cat "$ENV_JSON"; exit 0; fi
  fi
  if [ "$ALLOW_PARTIAL" = 1 ] && [ -f "$ENV_JSON" ]; then cat "$ENV_JSON"; exit 0; fi
  say "toolchain incomplete in $CACHE_DIR; missing: ${missing[*]}; run scripts/toolchain.sh" 
  exit 1
fi

# ---------------------------------------------------------------- main
mkdir -p "$CACHE_DIR"
T_START=$SECONDS
say "cache: $CACHE_DIR (platform $PLATFORM)"

# serialize concurrent runs (e.g. parallel test workers)
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE_DIR/.lock"
  flock -n 9 || { say "another toolchain.sh holds $CACHE_DIR/.lock; waiting ..."; flock 9; }
fi

MISSING=()
if resolve_tofu 1; then
  say "engine: $TOFU_KIND $TOFU_VER ($TOFU_SOURCE) $TOFU_BIN"
else
  MISSING+=("tofu")
fi
if resolve_bao 1; then
  say "server: $BAO_KIND $BAO_VER ($BAO_SOURCE) $BAO_BIN"
else
  MISSING+=("bao")
fi
if resolve_provider "hashicorp/vault provider v$VAULT_PROVIDER_VERSION" vault "$VAULT_PROVIDER_VERSION" \
    "$VAULT_PROVIDER_MODULE@$VAULT_PROVIDER_MODULE_VERSION" 1; then
  say "provider hashicorp/vault $VAULT_PROVIDER_VERSION: $(provider_file vault "$VAULT_PROVIDER_VERSION")"
else
  MISSING+=("provider hashicorp/vault $VAULT_PROVIDER_VERSION")
fi
if resolve_provider "hashicorp/tls provider v$TLS_PROVIDER_VERSION" tls "$TLS_PROVIDER_VERSION" \
    "$TLS_PROVIDER_MODULE@$TLS_PROVIDER_MODULE_VERSION" 1; then
  say "provider hashicorp/tls $TLS_PROVIDER_VERSION: $(provider_file tls "$TLS_PROVIDER_VERSION")"
else
  MISSING+=("provider hashicorp/tls $TLS_PROVIDER_VERSION")
fi
# The Go conformance check (conformance/go) runs offline: its modules go into the Go module cache now. Already
# cached: the offline download succeeds and nothing is fetched.
CONFORMANCE_GO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/conformance/go"
if [ -f "$CONFORMANCE_GO_DIR/go.mod" ]; then
  if find_go && (cd "$CONFORMANCE_GO_DIR" && GOFLAGS=-mod=mod GOPROXY=off "$GO" mod download >/dev/null 2>&1); then
    say "go modules of conformance/go: cached"
  elif [ -n "${GO:-}" ] && (cd "$CONFORMANCE_GO_DIR" && GOFLAGS=-mod=mod "$GO" mod download); then
    say "go modules of conformance/go: downloaded into $("$GO" env GOMODCACHE)"
  else
    MISSING+=("go modules of conformance/go")
    FAILED+=("go modules of conformance/go: \`go mod download\` in conformance/go failed (see above)")
  fi
fi
rmdir "$SRC_DIR" 2>/dev/null || true

write_cli_config
if [ ${#MISSING[@]} -eq 0 ]; then
  write_env_json true
else
  write_env_json false "${MISSING[@]}"
fi
say "wrote $CLI_CONFIG and $ENV_JSON ($((SECONDS - T_START))s)"
cat "$ENV_JSON"

if [ ${#MISSING[@]} -gt 0 ]; then
  for f in "${FAILED[@]}"; do say "ERROR: could not build $f"; done
  die "toolchain incomplete; missing: $(IFS=,; printf '%s' "${MISSING[*]}")"
fi
