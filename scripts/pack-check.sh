#!/usr/bin/env bash
# The package proved from the outside: packs it, installs the tarball in a new project in a temporary folder (outside
# the repository) with its peer dependencies at the lockfile's versions, offline (from the npm cache that `npm ci`
# filled: nothing is downloaded), then there:
#   1. compiles the README's composition snippet with tsc against the installed package and synthesizes it;
#   2. runs the installed command: `platform-trust check` on the synthesized stack, `platform-trust explain` on a
#      committed plan fixture;
#   3. requires the node entry point from plain JavaScript.
# Prints each step; any failure stops it with a message. Run by .ci/run after the tests (which build dist/).
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
trap 'rm -rf "$work"' EXIT

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

fixture=test/fixtures/plans/hand-rotation-prepublish.json
step "npx platform-trust explain $fixture"
cp "$fixture" "$work/plan.json"
(cd "$project" && npx --no-install platform-trust explain --title pack-check "$work/plan.json") >"$work/explain.md" ||
  fail "platform-trust explain"
grep -q '^## Plan review: pack-check' "$work/explain.md" || fail "platform-trust explain printed no plan review"
step "  $(grep -m1 '^\*\*Plan:' "$work/explain.md")"

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
