#!/usr/bin/env bash
# The package proved from the outside: packs it, installs the tarball in a new project in a temporary folder (outside
# the repository) with its peer dependencies at the lockfile's versions, offline (from the npm cache that `npm ci`
# filled: nothing is downloaded), then there:
#   1. compiles the README's composition snippet with tsc against the installed package and synthesizes it;
#   2. runs the installed `platform-trust check` on the synthesized stack (text and SARIF; the command reads
#      Terraform configuration JSON, not plan JSON);
#   3. plans the synthesized stack for real: starts a Vault dev server of the pinned toolchain on a free 127.0.0.1
#      port (stopped on exit, failure included), runs the pinned engine's `init` (offline, from the toolchain's
#      provider mirror), `plan -out` (with TF_VAR_plan_time 30 days before the snippet's bundle expiry, so the check
#      does not age) and `show -json`, then runs the installed `platform-trust explain` on that plan JSON and requires a plan review whose count of resources
#      to add is the plan's count of creates (more than none);
#   4. requires the node entry point from plain JavaScript.
# Needs the pinned toolchain that `bash scripts/toolchain.sh` builds (read with --print-env; never built here) and
# fails at once, saying so, when it is missing. Prints each step; any failure stops it with a message. Run by
# .ci/run after the tests (which build dist/ and the toolchain).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
start=$(date +%s)
step() { printf 'pack-check: %s\n' "$*"; }
fail() {
  printf 'pack-check: FAILED: %s\n' "$*" >&2
  exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/platform-trust-pack-check.XXXXXX")
vault_pid=""
# Stops the Vault dev server (if started: SIGTERM, then SIGKILL after 5 s) and removes the temporary folder.
cleanup() {
  if [ -n "$vault_pid" ]; then
    kill -TERM "$vault_pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      kill -0 "$vault_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$vault_pid" 2>/dev/null || true
    wait "$vault_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The pinned toolchain: engine, provider mirror with its CLI config, Vault-API server. Read, never built here.
step "toolchain (scripts/toolchain.sh --print-env)"
toolchain_json=$(bash scripts/toolchain.sh --print-env 2>"$work/toolchain.log") || {
  cat "$work/toolchain.log" >&2
  fail "the pinned toolchain (engine, provider mirror, Vault-API server) is not built: run \`bash scripts/toolchain.sh\` first"
}
toolchain_fields=$(node -e '
const text = require("fs").readFileSync(0, "utf8");
const t = JSON.parse(text.slice(text.indexOf("{")));
for (const v of [t.tofu, t.bao, t.cliConfig, `${t.kinds.tofu} ${t.versions.tofu}, server ${t.kinds.bao} ${t.versions.bao}`]) {
  if (typeof v !== "string" || !v) process.exit(1);
  console.log(v);
}' <<<"$toolchain_json") || fail "cannot read the toolchain's env.json (scripts/toolchain.sh --print-env)"
{
  read -r tofu
  read -r bao
  read -r cli_config
  read -r toolchain_versions
} <<<"$toolchain_fields"
[ -x "$tofu" ] && [ -x "$bao" ] && [ -f "$cli_config" ] ||
  fail "the toolchain's engine, server or CLI config is missing: run \`bash scripts/toolchain.sh\`"
step "  $toolchain_versions"

step "build"
npm run --silent build >/dev/null || fail "npm run build"

step "npm pack"
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
[ -f "$work/$tarball" ] || fail "npm pack wrote no tarball"
files=$(tar -tzf "$work/$tarball")
for f in package/dist/lib/index.js package/dist/lib/node/index.js package/dist/lib/cli/bin.js package/README.md; do
  grep -qx "$f" <<<"$files" || fail "the tarball lacks ${f#package/}"
done
if grep -q '^package/\(test\|scripts\|lib\)/' <<<"$files"; then fail "the tarball holds sources or tests"; fi
step "  $tarball: $(wc -l <<<"$files") files, $(du -k "$work/$tarball" | cut -f1) KiB"

# Versions of the peer dependencies and the compiler, as the lockfile pins them.
locked() { node -e 'const p=require(process.argv[1]).packages["node_modules/"+process.argv[2]]; if(!p) process.exit(1); console.log(p.version)' "$repo/package-lock.json" "$1"; }
cdktf_v=$(locked cdktf) || fail "no cdktf in package-lock.json"
constructs_v=$(locked constructs) || fail "no constructs in package-lock.json"
ts_v=$(locked typescript) || fail "no typescript in package-lock.json"
types_node_v=$(locked @types/node) || fail "no @types/node in package-lock.json"

project="$work/project"
mkdir -p "$project/src"
cat >"$project/package.json" <<EOF
{
  "name": "platform-trust-pack-check",
  "private": true,
  "version": "0.0.0",
  "dependencies": {
    "cdktf-platform-trust": "file:../$tarball",
    "cdktf": "$cdktf_v",
    "constructs": "$constructs_v"
  },
  "devDependencies": {
    "typescript": "$ts_v",
    "@types/node": "$types_node_v"
  }
}
EOF
# Its lockfile: the tarball and the repository lockfile's entries that these dependencies reach, so that npm resolves
# nothing and takes every tarball from the cache.
node scripts/pack-check-lock.js package-lock.json "$project/package.json" "file:../$tarball" >"$project/package-lock.json" ||
  fail "cannot derive the project's lockfile from package-lock.json"
step "install offline in a new project (cdktf $cdktf_v, constructs $constructs_v, typescript $ts_v)"
(cd "$project" && npm ci --offline --no-audit --no-fund --ignore-scripts --loglevel=error >"$work/install.log" 2>&1) ||
  {
    cat "$work/install.log" >&2
    fail "npm install --offline (is the npm cache filled by npm ci?)"
  }

# The README's composition snippet (the block after "<!-- snippet: examples/minimal/main.ts -->"), with the imports
# a platform repository writes and a call that synthesizes it.
snippet=$(awk '/<!-- snippet: examples\/minimal\/main.ts -->/{found=1; next} found && /^```ts/{inside=1; next} inside && /^```/{exit} inside{print}' README.md)
[ -n "$snippet" ] || fail "no composition snippet after <!-- snippet: examples/minimal/main.ts --> in README.md"
{
  echo "import { App } from 'cdktf';"
  echo "import { EnvironmentConfig, PlatformTrustStack } from 'cdktf-platform-trust';"
  echo
  printf '%s\n' "$snippet"
  echo
  echo "build('cdktf.out').synth();"
} >"$project/src/main.ts"
cat >"$project/tsconfig.json" <<'EOF'
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "node16",
    "moduleResolution": "node16",
    "strict": true,
    "outDir": "dist",
    "types": ["node"],
    "skipLibCheck": false
  },
  "include": ["src"]
}
EOF
step "compile the README's composition snippet (tsc)"
(cd "$project" && npx --no-install tsc -p tsconfig.json) || fail "the README snippet does not compile against the installed package"

step "synthesize"
(cd "$project" && node dist/main.js) || fail "synthesis"
stack_json="$project/cdktf.out/stacks/dev/cdk.tf.json"
[ -s "$stack_json" ] || fail "no cdktf.out/stacks/dev/cdk.tf.json"

step "npx platform-trust check cdktf.out"
(cd "$project" && npx --no-install platform-trust check cdktf.out) || fail "platform-trust check on the synthesized stack"
(cd "$project" && npx --no-install platform-trust check --format sarif cdktf.out 2>/dev/null) >"$work/check.sarif" ||
  fail "platform-trust check --format sarif"
node -e 'const l=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); if(l.version!=="2.1.0"||!l.runs[0].tool.driver.rules.length) process.exit(1)' "$work/check.sarif" ||
  fail "the SARIF log is not SARIF 2.1.0 with the pack's rules"

# A real plan of the synthesized stack: a Vault dev server of the pinned toolchain on a free loopback port (its root
# token is ours; address and token reach the engine only through its environment), and the pinned engine with the
# toolchain's CLI config (providers from the filesystem mirror: nothing is downloaded) in a clean environment.
stack_dir="$project/cdktf.out/stacks/dev"
vault_dir="$work/vault"
mkdir -p "$vault_dir"
port=$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => console.log(p)); })') ||
  fail "no free port on 127.0.0.1"
vault_addr="http://127.0.0.1:$port"
vault_token="pack-check-$(node -e 'console.log(require("crypto").randomBytes(16).toString("hex"))')"
step "start a Vault dev server ($(basename "$bao")) on $vault_addr"
(cd "$vault_dir" && exec env -i PATH="$PATH" HOME="$vault_dir" "$bao" server -dev -dev-root-token-id="$vault_token" \
  -dev-listen-address="127.0.0.1:$port") >"$vault_dir/server.log" 2>&1 &
vault_pid=$!

# The plan's clock: 30 days before the snippet's literal bundle expiry, so the expiry preconditions hold whatever the
# date of this run (the snippet writes a date, as a platform team does, and this check must not age with it).
expires=$(grep -o "expires: '[0-9TZ:-]*'" <<<"$snippet" | head -n1 | cut -d"'" -f2)
[ -n "$expires" ] || fail "no bundle freshness expires: '...' in the README snippet"
plan_time=$(node -e 'const t = Date.parse(process.argv[1]) - 30 * 86400e3; if (!Number.isFinite(t)) process.exit(1); console.log(new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z"))' "$expires") ||
  fail "the README snippet's expires ($expires) is not an ISO 8601 UTC date"
engine() {
  (cd "$stack_dir" && env -i PATH="$PATH" HOME="${HOME:-$work}" TF_CLI_CONFIG_FILE="$cli_config" TF_IN_AUTOMATION=1 \
    TF_INPUT=0 CHECKPOINT_DISABLE=1 NO_COLOR=1 VAULT_ADDR="$vault_addr" VAULT_TOKEN="$vault_token" \
    TF_VAR_plan_time="$plan_time" "$tofu" "$@")
}
step "$(basename "$tofu") init (offline, from the toolchain's provider mirror)"
engine init -input=false -no-color >"$work/init.log" 2>&1 || {
  cat "$work/init.log" >&2
  fail "engine init in cdktf.out/stacks/dev"
}

node -e '
const [addr, pid] = process.argv.slice(1);
const deadline = Date.now() + 60000;
(async () => {
  for (;;) {
    try { process.kill(Number(pid), 0); } catch { console.error("the server exited"); process.exit(1); }
    try { if ((await fetch(`${addr}/v1/sys/health`)).status === 200) return; } catch { /* not listening yet */ }
    if (Date.now() > deadline) { console.error("the server is not healthy after 60 s"); process.exit(1); }
    await new Promise((r) => setTimeout(r, 100));
  }
})();' "$vault_addr" "$vault_pid" || {
  tail -n 30 "$vault_dir/server.log" >&2
  fail "the Vault dev server did not start"
}

step "$(basename "$tofu") plan -out, show -json (plan_time $plan_time)"
engine plan -input=false -no-color -out=plan.out >"$work/plan.log" 2>&1 || {
  cat "$work/plan.log" >&2
  fail "engine plan of the synthesized stack"
}
engine show -json plan.out >"$work/plan.json" 2>"$work/show.log" || {
  cat "$work/show.log" >&2
  fail "engine show -json"
}
# What the plan creates, from its JSON: managed resources whose actions include create (a replacement counts too, as
# in the engine's "to add").
creates=$(node -e '
const plan = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const rc = (plan.resource_changes || []).filter((c) => c.mode === "managed" && c.change.actions.includes("create"));
console.log(rc.length);' "$work/plan.json") || fail "the engine's plan JSON cannot be read"
[ "$creates" -gt 0 ] || fail "the plan of the synthesized stack creates nothing"

step "npx platform-trust explain plan.json (the real plan)"
(cd "$project" && npx --no-install platform-trust explain --title pack-check "$work/plan.json") >"$work/explain.md" ||
  fail "platform-trust explain on the real plan"
grep -qx '## Plan review: pack-check' "$work/explain.md" || fail "platform-trust explain printed no plan review"
summary=$(grep -m1 '^\*\*Plan:' "$work/explain.md") || fail "the plan review has no Plan: summary"
case "$summary" in
  "**Plan: $creates to add, "*) ;;
  *) fail "the plan review says \"$summary\", the plan JSON has $creates creates" ;;
esac
engine_summary=$(grep -m1 '^Plan: ' "$work/plan.log") || fail "the engine's plan output has no Plan: line"
[ "$summary" = "**$engine_summary**" ] || fail "the plan review says \"$summary\", the engine \"$engine_summary\""
step "  $summary (the engine's count; the plan JSON: $creates creates)"

step "require('cdktf-platform-trust/node') from plain JavaScript"
(cd "$project" && node -e "
const node = require('cdktf-platform-trust/node');
for (const f of ['verifyTask', 'verifyBundle', 'acceptBundleUpdate']) {
  if (typeof node[f] !== 'function') { console.error('missing export ' + f); process.exit(1); }
}
if (Object.keys(require.cache).some((f) => /[\\\\/]node_modules[\\\\/]cdktf[\\\\/]/.test(f))) {
  console.error('the node entry loaded cdktf'); process.exit(1);
}
console.log('pack-check:   ' + Object.keys(node).length + ' exports, no cdktf loaded');
") || fail "the node entry cannot be required from plain JavaScript"

step "passed in $(($(date +%s) - start)) s"
