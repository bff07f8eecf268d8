#!/usr/bin/env node
/**
 * Build step after `tsc`: bundles the compiled cdktf app (dist/stacks/main.js) into one file,
 * dist/app.bundle.js, which `npm run synth` and cdktf.json's `app` run.
 *
 * Why: `require('cdktf')` alone resolves, reads and compiles ~380 modules (most of them archiver's
 * tree: lodash, readable-stream, glob, ...; and semver), which was over half of a synth's wall time.
 * One file removes the per-module resolution and file reads. Two parts of cdktf are not needed to
 * synthesize a stack without assets and stay out of the bundle, replaced by a stand-in that loads the
 * real file from node_modules on first use (behaviour is unchanged when a stack does use them):
 *   - cdktf/lib/private/fs.js, TerraformAsset's file helpers, with `archiver` and its tree. It must
 *     stay a file of its own anyway: `archiveSync` zips by running `node <its own __filename>`, which
 *     inside a bundle would be the whole app, starting itself again and again.
 *   - `semver`, used only by cdktf's binary version validations.
 *
 *   node scripts/bundle-app.js            bundle (after `tsc -p tsconfig.json`)
 *   node scripts/bundle-app.js --check    bundle, then synthesize every environment with the bundled
 *                                         and the unbundled app and fail unless every cdk.tf.json is
 *                                         byte-identical (manifest.json: identical but for annotation
 *                                         stack traces, which name source files and lines)
 *
 * esbuild is a devDependency. Its platform binary comes in an optional dependency package
 * (@esbuild/<os>-<arch>) and no install script is needed. Without esbuild the step writes a
 * dist/app.bundle.js that just loads dist/stacks/main.js (correct, only slower) and warns.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const repoRoot = path.resolve(__dirname, '..');
const entry = path.join(repoRoot, 'dist', 'stacks', 'main.js');
const outfile = path.join(repoRoot, 'dist', 'app.bundle.js');

/**
 * Modules imported by cdktf's files that are loaded from node_modules on first use instead of being
 * bundled: `specifier` as cdktf's code writes it.
 */
const LAZY = [
  {
    specifier: './private/fs',
    why: "TerraformAsset's file helpers: archiver's tree, and archiveSync runs its own file",
  },
  { specifier: 'semver', why: "cdktf's binary version validations only" },
];

function fallback(reason) {
  fs.writeFileSync(
    outfile,
    `'use strict';\n// Not bundled (${reason}): loads the compiled app as is.\nrequire('./stacks/main.js');\n`,
  );
  console.warn(`bundle-app: ${reason}; dist/app.bundle.js loads dist/stacks/main.js unbundled (slower synth).`);
}

/**
 * An esbuild plugin: each of `lazy`'s specifiers, imported from cdktf's own files, resolves to a stand-in
 * module that requires the real file (by its path relative to the bundle) the first time it is called or read.
 */
function lazyModules(lazy, matched = new Set()) {
  const escape = (t) => t.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const filter = new RegExp(`^(${lazy.map((l) => escape(l.specifier)).join('|')})$`);
  return {
    name: 'lazy-modules',
    setup(build) {
      build.onResolve({ filter }, async (args) => {
        if (args.pluginData === 'lazy-real') return undefined;
        if (!/[\\/]node_modules[\\/]cdktf[\\/]/.test(args.importer)) return undefined;
        const real = await build.resolve(args.path, {
          resolveDir: args.resolveDir,
          kind: args.kind,
          pluginData: 'lazy-real',
        });
        if (real.errors.length > 0) return { errors: real.errors };
        matched.add(args.path);
        const rel = path.relative(path.dirname(outfile), real.path).split(path.sep).join('/');
        return { path: rel, namespace: 'lazy-module', pluginData: { rel } };
      });
      build.onLoad({ filter: /.*/, namespace: 'lazy-module' }, (args) => ({
        loader: 'js',
        contents: [
          `// ${args.pluginData.rel}: loaded on first use (not needed to synthesize a stack without assets).`,
          `let real;`,
          `const load = () => (real ??= require(require('node:path').join(__dirname, ${JSON.stringify(args.pluginData.rel)})));`,
          `module.exports = new Proxy(function () {}, {`,
          `  apply: (_t, self, argv) => Reflect.apply(load(), self, argv),`,
          `  construct: (_t, argv) => Reflect.construct(load(), argv),`,
          `  get: (_t, key) => load()[key],`,
          `  has: (_t, key) => key in load(),`,
          `});`,
        ].join('\n'),
      }));
    },
  };
}

async function bundle() {
  if (!fs.existsSync(entry))
    throw new Error(`${path.relative(repoRoot, entry)} is missing: run tsc -p tsconfig.json first`);
  let esbuild;
  try {
    esbuild = require('esbuild');
  } catch (e) {
    fallback(`esbuild is not installed (${e.code ?? e.message})`);
    return false;
  }
  const matched = new Set();
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    format: 'cjs',
    // Whitespace and syntax only: identifiers and function names stay as they are.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [lazyModules(LAZY, matched)],
  });
  if (result.errors.length > 0) throw new Error('esbuild failed');
  // A cdktf upgrade that moves these would silently bundle them, and TerraformAsset archiving would then run
  // the whole app in a loop: refuse instead.
  const missing = LAZY.filter((l) => !matched.has(l.specifier)).map((l) => l.specifier);
  if (missing.length > 0) {
    fs.rmSync(outfile, { force: true });
    throw new Error(
      `cdktf no longer imports ${missing.join(', ')} as expected; review LAZY in scripts/bundle-app.js before bundling`,
    );
  }
  return true;
}

/** Relative paths of every file under `dir`, sorted. */
function files(dir, base = dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) =>
      d.isDirectory() ? files(path.join(dir, d.name), base) : [path.relative(base, path.join(dir, d.name))],
    )
    .sort();
}

/** JSON text with every annotation's `stacktrace` removed. */
function withoutStackTraces(buf) {
  return JSON.stringify(JSON.parse(buf.toString('utf8')), (key, value) => (key === 'stacktrace' ? undefined : value));
}

/** Synthesizes every environment with both apps; returns the differences (empty when byte-identical). */
function check() {
  const run = (script) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-bundle-check-'));
    const r = spawnSync(process.execPath, [script], {
      cwd: repoRoot,
      env: { ...process.env, CDKTF_OUTDIR: outdir, PLATFORM_TRUST_ENVS: 'all' },
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`${path.relative(repoRoot, script)} failed (exit ${r.status}):\n${r.stderr}`);
    return outdir;
  };
  const a = run(entry);
  const b = run(outfile);
  try {
    const fa = files(a);
    const fb = files(b);
    const diffs = [];
    if (fa.join('\n') !== fb.join('\n')) diffs.push(`file lists differ: [${fa.join(', ')}] vs [${fb.join(', ')}]`);
    for (const f of fa.filter((x) => fb.includes(x))) {
      const [ba, bb] = [fs.readFileSync(path.join(a, f)), fs.readFileSync(path.join(b, f))];
      if (ba.equals(bb)) continue;
      // manifest.json lists annotations with the stack trace of the code that raised them: file paths and
      // line numbers, which name the bundle instead of the modules. Everything else must match.
      if (path.basename(f) === 'manifest.json' && withoutStackTraces(ba) === withoutStackTraces(bb)) continue;
      diffs.push(`${f} differs`);
    }
    return { files: fa, diffs };
  } finally {
    fs.rmSync(a, { recursive: true, force: true });
    fs.rmSync(b, { recursive: true, force: true });
  }
}

async function main() {
  const bundled = await bundle();
  if (process.argv.includes('--check')) {
    const { files: compared, diffs } = check();
    if (diffs.length > 0) {
      console.error(`bundle-app: the bundled app's output differs from the unbundled app's:\n  ${diffs.join('\n  ')}`);
      process.exit(1);
    }
    console.log(
      `bundle-app: ${bundled ? 'bundled' : 'fallback'} app synthesizes the same as dist/stacks/main.js: ${compared.length} files compared, cdk.tf.json byte-identical.`,
    );
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`bundle-app: ${e.message}`);
    process.exit(1);
  });
}

module.exports = { bundle, check, lazyModules, LAZY };
