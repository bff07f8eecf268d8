/**
 * `npm run bench`: the performance picture of the project in one run, printed as Markdown and written
 * to BENCHMARKS.md (with the date, the machine's cores and the node version):
 *
 *   1. synth of the dev stack as a whole process: node alone, the compiled app unbundled
 *      (dist/stacks/main.js) and bundled (dist/app.bundle.js, from scripts/bundle-app.js), and `cdktf synth`;
 *      plus a check that the bundled app's output is the unbundled app's, byte for byte;
 *   2. construction and synth in process (median of N);
 *   3. growth: synth time and cdk.tf.json size at 1/10/100 environments, and at 1/50/500 AppRole consumers
 *      and PKI roles added to the dev stack, with the time per added unit at the largest size against the
 *      middle size (ratio ~1 = linear);
 *   4. peak memory (maxRSS) of a synth at the largest sizes, each in a child process;
 *   5. init, plan, apply and second plan of the dev stack against a local Vault-API server, and the plan of
 *      a task-signing rotation with the resources it touches (skipped, with a note, without the toolchain);
 *   6. verifyTask / verifyBundle throughput against raw node:crypto (bench-verify.ts);
 *   7. the bundle handler and the task signer against bare HTTP, and a fleet's convergence (bench-control-plane.ts).
 *
 *   node dist/scripts/bench.js            full run; writes BENCHMARKS.md
 *   node dist/scripts/bench.js --quick    a fast subset (smaller sizes, fewer runs, no CLI and no engine);
 *                                         prints only, unless --write is given
 *
 * It measures; it is not a test. It exits non-zero only when it cannot run or the bundled app's output
 * differs from the unbundled app's.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import { AppRoleConsumer } from '../lib/secrets/approle-consumer';
import { SecretPath } from '../lib/secrets/kv-layout';
import { buildApp } from '../stacks/app';
import { EnvironmentConfig } from '../stacks/environment';
import { dev } from '../stacks/environments';
import { PlatformTrustStack } from '../stacks/platform-trust-stack';
import { Timing, timeCommand } from './bench-synth';
import { Row, benchVerify } from './bench-verify';
import { benchControlPlane } from './bench-control-plane';

const repoRoot = path.resolve(__dirname, '..', '..');
const rel = (p: string) => path.relative(repoRoot, p);

// ------------------------------------------------------------------ scenarios

/** What a scaling scenario grows. */
type Kind = 'environments' | 'consumers' | 'pkiRoles';

const KIND_LABEL: Record<Kind, string> = {
  environments: 'environments (one stack each)',
  consumers: 'AppRole consumers in the dev stack',
  pkiRoles: 'PKI roles in the dev stack',
};

/** `count` generated environments, env-001, env-002, ... with the defaults of the dev environment. */
export function generatedEnvironments(count: number): EnvironmentConfig[] {
  return Array.from({ length: count }, (_, i) => {
    const name = `env-${String(i + 1).padStart(3, '0')}`;
    return {
      name,
      controlPlaneUrl: `https://control.${name}.platform.internal`,
      taskSigning: { version: 1 },
      bundle: { sequence: 1, freshness: { expires: '2027-02-01T00:00:00Z' } },
    };
  });
}

/**
 * Builds the app of a scenario:
 * - environments: `n` generated environments (one PlatformTrustStack each);
 * - consumers: the dev stack plus `n` AppRoleConsumers `app-NNN`, each granted read on its own secret
 *   `apps/app-NNN/config` (one role, one policy each);
 * - pkiRoles: the dev stack plus `n` node-pool roles (`NodeCertAuthority.addNodePoolRole('pool-NNN')`, names
 *   under `pool-NNN.<nodeDomain>`), all granted (issue and sign) to the control plane.
 */
export function buildScenario(kind: Kind, n: number, outdir: string, checks = true): App {
  const options = { outdir, stackProps: { checks } };
  if (kind === 'environments') return buildApp(generatedEnvironments(n), options);
  const app = buildApp([dev], options);
  const stack = app.node.findChild(dev.name) as PlatformTrustStack;
  const id = (i: number) => String(i + 1).padStart(3, '0');
  for (let i = 0; i < n; i++) {
    if (kind === 'consumers') {
      const name = `app-${id(i)}`;
      const consumer = new AppRoleConsumer(stack, `App${id(i)}`, {
        roleName: name,
        backend: stack.secrets.appRoleBackend,
      });
      stack.secrets.grantRead(consumer, SecretPath.app(name, 'config'));
    } else {
      stack.nodeCertAuthority.addNodePoolRole(`pool-${id(i)}`);
    }
  }
  if (kind === 'pkiRoles' && n > 0) stack.nodeCertAuthority.grantIssueForPools(stack.controlPlane);
  return app;
}

/** Total bytes of every stacks/<name>/cdk.tf.json under `outdir`, and the number of resources in them. */
function measureOutput(outdir: string): { bytes: number; resources: number; stacks: number } {
  const stacksDir = path.join(outdir, 'stacks');
  let bytes = 0;
  let resources = 0;
  const names = fs.readdirSync(stacksDir);
  for (const name of names) {
    const file = path.join(stacksDir, name, 'cdk.tf.json');
    const text = fs.readFileSync(file, 'utf8');
    bytes += Buffer.byteLength(text);
    const json = JSON.parse(text) as { resource?: Record<string, Record<string, unknown>> };
    for (const byType of Object.values(json.resource ?? {})) resources += Object.keys(byType).length;
  }
  return { bytes, resources, stacks: names.length };
}

// ------------------------------------------------------------------ child processes

interface ChildSpec {
  readonly kind: Kind;
  readonly n: number;
  readonly runs: number;
  /** Synthesize the dev stack once first, so that module loading and the JIT's warm-up are not measured. */
  readonly warmup: boolean;
  /** Run the PlatformTrustChecks aspect (the default, as the app does). */
  readonly checks?: boolean;
}

interface ChildResult {
  readonly constructMs: number[];
  readonly synthMs: number[];
  readonly bytes: number;
  readonly resources: number;
  readonly stacks: number;
  /** process.resourceUsage().maxRSS at the end, in bytes. */
  readonly maxRssBytes: number;
}

const CHILD_MARK = 'BENCH-CHILD-RESULT ';

function runChildSpec(spec: ChildSpec): ChildResult {
  const once = (kind: Kind, n: number) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-bench-scale-'));
    try {
      const t0 = process.hrtime.bigint();
      const app = buildScenario(kind, n, outdir, spec.checks ?? true);
      const t1 = process.hrtime.bigint();
      app.synth();
      const t2 = process.hrtime.bigint();
      return { constructMs: Number(t1 - t0) / 1e6, synthMs: Number(t2 - t1) / 1e6, ...measureOutput(outdir) };
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  };
  if (spec.warmup) once('environments', 1);
  const runs = Array.from({ length: spec.runs }, () => once(spec.kind, spec.n));
  const last = runs[runs.length - 1];
  return {
    constructMs: runs.map((r) => r.constructMs),
    synthMs: runs.map((r) => r.synthMs),
    bytes: last.bytes,
    resources: last.resources,
    stacks: last.stacks,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

/** Runs one scenario in a fresh node process (this file with --child) and returns what it measured. */
function inChild(spec: ChildSpec): ChildResult {
  const r = spawnSync(process.execPath, [__filename, '--child', JSON.stringify(spec)], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith(CHILD_MARK));
  if (r.status !== 0 || !line) {
    throw new Error(`bench child ${JSON.stringify(spec)} failed (exit ${r.status}):\n${r.stderr}`);
  }
  return JSON.parse(line.slice(CHILD_MARK.length)) as ChildResult;
}

// ------------------------------------------------------------------ helpers

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const sec = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
const msText = (ms: number) => (ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`);
const kib = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

function table(header: string[], rows: string[][], align?: ('l' | 'r')[]): string {
  const sep = header.map((_, i) => ((align?.[i] ?? 'l') === 'r' ? '---:' : '---'));
  return [header, sep, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** Wall-clock time of whole processes, interleaved round by round so machine noise hits every command alike. */
function timeInterleaved(commands: { what: string; args: string[]; needsOutput: boolean }[], rounds: number): Timing[] {
  const samples = commands.map(() => [] as number[]);
  for (let round = 0; round <= rounds; round++) {
    commands.forEach((c, i) => {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-bench-'));
      const start = process.hrtime.bigint();
      const r = spawnSync(process.execPath, c.args, {
        cwd: repoRoot,
        env: { ...process.env, CDKTF_OUTDIR: outdir },
        stdio: ['ignore', 'pipe', 'pipe'],
        encoding: 'utf8',
      });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const ok = r.status === 0 && (!c.needsOutput || fs.existsSync(path.join(outdir, 'stacks', 'dev', 'cdk.tf.json')));
      fs.rmSync(outdir, { recursive: true, force: true });
      if (!ok) throw new Error(`${c.what} failed (exit ${r.status}):\n${r.stderr}`);
      if (round > 0) samples[i].push(ms); // round 0 warms the file cache
    });
  }
  return commands.map((c, i) => {
    const s = [...samples[i]].sort((a, b) => a - b);
    return { what: c.what, runs: s.length, medianMs: median(s), minMs: s[0], maxMs: s[s.length - 1] };
  });
}

/** True when a compiled file under dist/lib or dist/stacks is newer than the bundle (tsc ran, the bundle step did not). */
function staleBundle(bundle: string): boolean {
  const built = fs.statSync(bundle).mtimeMs;
  const newer = (dir: string): boolean =>
    fs.existsSync(dir) &&
    fs.readdirSync(dir, { withFileTypes: true }).some((d) => {
      const p = path.join(dir, d.name);
      return d.isDirectory() ? newer(p) : d.name.endsWith('.js') && fs.statSync(p).mtimeMs > built;
    });
  return newer(path.join(repoRoot, 'dist', 'lib')) || newer(path.join(repoRoot, 'dist', 'stacks'));
}

/** How many JavaScript files node loads (require.cache at exit) when `script` synthesizes the dev stack. */
function loadedFiles(script: string): number {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-bench-files-'));
  try {
    const r = spawnSync(
      process.execPath,
      [
        '-e',
        "process.on('exit', () => console.log('FILES ' + Object.keys(require.cache).length)); require(process.argv[1]);",
        script,
      ],
      { cwd: repoRoot, env: { ...process.env, CDKTF_OUTDIR: outdir }, encoding: 'utf8' },
    );
    const m = /FILES (\d+)/.exec(r.stdout ?? '');
    if (r.status !== 0 || !m) throw new Error(`${rel(script)} failed (exit ${r.status}):\n${r.stderr}`);
    return Number(m[1]);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Relative paths of every file under `dir`, sorted. */
function listFiles(dir: string, base = dir): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) =>
      d.isDirectory() ? listFiles(path.join(dir, d.name), base) : [path.relative(base, path.join(dir, d.name))],
    )
    .sort();
}

/**
 * Synthesizes every environment with the unbundled and the bundled app and compares the outputs: every
 * cdk.tf.json byte for byte; manifest.json without the annotations' stack traces (they name source files).
 */
function compareBundle(bundle: string): { files: number; diffs: string[] } {
  const synthWith = (script: string) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-bench-cmp-'));
    const r = spawnSync(process.execPath, [script], {
      cwd: repoRoot,
      env: { ...process.env, CDKTF_OUTDIR: outdir, PLATFORM_TRUST_ENVS: 'all' },
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`${rel(script)} failed (exit ${r.status}):\n${r.stderr}`);
    return outdir;
  };
  const a = synthWith(path.join(repoRoot, 'dist', 'stacks', 'main.js'));
  const b = synthWith(bundle);
  try {
    const fa = listFiles(a);
    const fb = listFiles(b);
    const diffs: string[] = [];
    if (fa.join('\n') !== fb.join('\n')) diffs.push(`file lists differ: ${fa.join(', ')} vs ${fb.join(', ')}`);
    const noTraces = (buf: Buffer) =>
      JSON.stringify(JSON.parse(buf.toString('utf8')), (k, v) => (k === 'stacktrace' ? undefined : v));
    for (const f of fa.filter((x) => fb.includes(x))) {
      const [x, y] = [fs.readFileSync(path.join(a, f)), fs.readFileSync(path.join(b, f))];
      if (x.equals(y)) continue;
      if (path.basename(f) === 'manifest.json' && noTraces(x) === noTraces(y)) continue;
      diffs.push(`${f} differs`);
    }
    return { files: fa.length, diffs };
  } finally {
    fs.rmSync(a, { recursive: true, force: true });
    fs.rmSync(b, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ sections

export interface Options {
  readonly quick: boolean;
}

export interface Target {
  readonly target: string;
  measured: string;
  readonly met: boolean | undefined;
}

export interface Report {
  readonly sections: string[];
  readonly targets: Target[];
  failed: boolean;
}

function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

function wholeProcessSection(opts: Options, report: Report): void {
  log('whole-process synth of the dev stack');
  const main = path.join(repoRoot, 'dist', 'stacks', 'main.js');
  const bundle = path.join(repoRoot, 'dist', 'app.bundle.js');
  const haveBundle = fs.existsSync(bundle);
  const bundled = haveBundle && fs.statSync(bundle).size > 4096; // the fallback is a one-line forwarder
  const commands = [
    { what: 'node alone (`node -e 0`), for reference', args: ['-e', '0'], needsOutput: false },
    { what: 'compiled app, unbundled (`node dist/stacks/main.js`)', args: [main], needsOutput: true },
    ...(haveBundle
      ? [
          {
            what: `compiled app, ${bundled ? 'bundled' : 'NOT bundled (fallback forwarder)'} (\`node dist/app.bundle.js\`)`,
            args: [bundle],
            needsOutput: true,
          },
        ]
      : []),
  ];
  const rows = timeInterleaved(commands, opts.quick ? 5 : 15);
  if (!opts.quick) {
    log('`cdktf synth` (a few seconds per run)');
    const cli = path.join(repoRoot, 'node_modules', '.bin', 'cdktf');
    const appCmd = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'cdktf.json'), 'utf8')) as { app: string }).app;
    rows.push(
      timeCommand(`\`cdktf synth\` (CLI; cdktf.json app: \`${appCmd}\`)`, cli, (o) => ['synth', '--output', o], 3),
    );
    const bundleCmd = 'node dist/app.bundle.js';
    if (bundled && appCmd !== bundleCmd) {
      rows.push(
        timeCommand(
          `\`cdktf synth --app '${bundleCmd}'\` (CLI with the bundled app)`,
          cli,
          (o) => ['synth', '--app', bundleCmd, '--output', o],
          3,
        ),
      );
    }
  }
  const lines = [
    '## Synth of the dev stack, whole process',
    '',
    `Wall-clock time of a fresh \`node\` process that synthesizes the dev stack into a new directory; median of ${rows[0].runs} runs after a warm-up, the node rows interleaved round by round.`,
    '',
    table(
      ['what', 'runs', 'median', 'min', 'max'],
      rows.map((r) => [r.what, String(r.runs), sec(r.medianMs), sec(r.minMs), sec(r.maxMs)]),
      ['l', 'r', 'r', 'r', 'r'],
    ),
  ];
  const unbundled = rows[1];
  const after = haveBundle ? rows[2] : undefined;
  if (after) {
    lines.push(
      '',
      `Bundling: ${sec(unbundled.medianMs)} -> ${sec(after.medianMs)} (${((1 - after.medianMs / unbundled.medianMs) * 100).toFixed(0)}% less; ${sec(after.medianMs - rows[0].medianMs)} above node's own start-up). dist/app.bundle.js: ${kib(fs.statSync(bundle).size)}. JavaScript files node loads for one synth: ${loadedFiles(main)} unbundled, ${loadedFiles(bundle)} bundled.`,
    );
    log('bundled vs unbundled output (all environments)');
    const cmp = compareBundle(bundle);
    if (cmp.diffs.length > 0) report.failed = true;
    lines.push(
      '',
      cmp.diffs.length === 0
        ? `Output check: with \`PLATFORM_TRUST_ENVS=all\` the bundled app writes the same ${cmp.files} files as the unbundled one; every cdk.tf.json byte-identical (manifest.json compared without the annotations' stack traces, which name source files and lines).`
        : `Output check FAILED: ${cmp.diffs.join('; ')}.${staleBundle(bundle) ? ' dist/app.bundle.js is older than the compiled files it bundles: run `npm run build` (tsc, then scripts/bundle-app.js) and the bench again.' : ''}`,
    );
  } else {
    lines.push(
      '',
      'dist/app.bundle.js is missing: run `node scripts/bundle-app.js` after `tsc` to measure the bundled app.',
    );
  }
  const best = after && bundled ? after : unbundled;
  report.targets.push({
    target: 'dev stack synthesized from the compiled app, whole process: < 0.5 s',
    measured: `${sec(best.medianMs)} (${after && bundled ? 'bundled' : 'unbundled'}; unbundled ${sec(unbundled.medianMs)})`,
    met: best.medianMs < 500,
  });
  report.sections.push(lines.join('\n'));
}

function inProcessSection(opts: Options, report: Report): void {
  log('in-process construction and synth of the dev stack');
  const runs = opts.quick ? 5 : 15;
  const r = inChild({ kind: 'environments', n: 1, runs, warmup: true });
  const total = r.constructMs.map((c, i) => c + r.synthMs[i]);
  const bare = inChild({ kind: 'environments', n: 1, runs, warmup: true, checks: false });
  const bareSynth = median(bare.synthMs);
  report.sections.push(
    [
      '## Synth of the dev stack, in process',
      '',
      `\`buildApp([dev]).synth()\` in one process after a warm-up synth (modules loaded, JIT warm); median of ${runs}.`,
      '',
      table(
        ['phase', 'median', 'min', 'max'],
        [
          ['construction (`buildApp`)', r.constructMs],
          ['synth (`app.synth()`: aspects, resolve, write)', r.synthMs],
          ['total', total],
        ].map(([what, xs]) => [
          what as string,
          msText(median(xs as number[])),
          msText(Math.min(...(xs as number[]))),
          msText(Math.max(...(xs as number[]))),
        ]),
        ['l', 'r', 'r', 'r'],
      ),
      '',
      `cdk.tf.json: ${kib(r.bytes)}, ${r.resources} resources. For reference, the same synth without the PlatformTrustChecks aspect (\`checks: false\`; same cdk.tf.json): ${msText(bareSynth)}, so the checks take ${((1 - bareSynth / median(r.synthMs)) * 100).toFixed(0)}% of synth.`,
    ].join('\n'),
  );
}

interface ScaleRow {
  readonly kind: Kind;
  readonly n: number;
  readonly runs: number;
  readonly ms: number;
  readonly constructMs: number;
  readonly synthMs: number;
  readonly bytes: number;
  readonly resources: number;
}

function scalingSection(opts: Options, report: Report): ScaleRow[] {
  const sizes: Record<Kind, number[]> = opts.quick
    ? { environments: [1, 5, 10], consumers: [1, 25, 50], pkiRoles: [1, 25, 50] }
    : { environments: [1, 10, 100], consumers: [1, 50, 500], pkiRoles: [1, 50, 500] };
  const rows: ScaleRow[] = [];
  for (const kind of Object.keys(sizes) as Kind[]) {
    for (const n of sizes[kind]) {
      const runs = opts.quick || n >= 100 ? 3 : 5;
      log(`scaling: ${n} ${kind} (${runs} runs in a child process)`);
      const r = inChild({ kind, n, runs, warmup: true });
      const totals = r.constructMs.map((c, i) => c + r.synthMs[i]);
      rows.push({
        kind,
        n,
        runs,
        ms: median(totals),
        constructMs: median(r.constructMs),
        synthMs: median(r.synthMs),
        bytes: r.bytes,
        resources: r.resources,
      });
    }
  }
  let bareLargest: { n: number; ms: number } | undefined;
  if (!opts.quick) {
    const n = Math.max(...sizes.environments);
    log(`scaling: ${n} environments without the checks aspect, for reference`);
    const r = inChild({ kind: 'environments', n, runs: 3, warmup: true, checks: false });
    bareLargest = { n, ms: median(r.constructMs.map((c, i) => c + r.synthMs[i])) };
  }
  const lines = [
    '## Growth',
    '',
    'Construction + synth in process (a child process per size, after a warm-up synth), median of the runs. Environments: generated configs env-001... with the dev defaults, one stack each. AppRole consumers: the dev stack plus N `AppRoleConsumer`s, each with its own role and policy and a read grant on its own `apps/app-NNN/config`. PKI roles: the dev stack plus N client-auth roles on the node-cert issuing mount (NodeCertAuthority\'s role settings, one domain each; NodeCertAuthority itself has two fixed roles), each granted issue + sign to the control plane, whose one policy grows by 2 rules per role. "per added unit" = (time(N) - time(1)) / (N - 1).',
    '',
    table(
      ['scaled', 'N', 'runs', 'resources', 'cdk.tf.json', 'construct', 'synth', 'total', 'per added unit'],
      rows.map((r) => {
        const base = rows.find((b) => b.kind === r.kind && b.n === 1);
        const per = base && r.n > 1 ? msText((r.ms - base.ms) / (r.n - 1)) : '';
        return [
          KIND_LABEL[r.kind],
          String(r.n),
          String(r.runs),
          String(r.resources),
          kib(r.bytes),
          msText(r.constructMs),
          msText(r.synthMs),
          msText(r.ms),
          per,
        ];
      }),
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    'Growth check: time per added unit at the largest size / at the middle size (1.0 = linear; above ~1.5 something grows faster than linearly).',
    '',
  ];
  const growthRows: string[][] = [];
  for (const kind of Object.keys(sizes) as Kind[]) {
    const [small, mid, large] = sizes[kind].map((n) => rows.find((r) => r.kind === kind && r.n === n)!);
    const perMid = (mid.ms - small.ms) / (mid.n - 1);
    const perLarge = (large.ms - small.ms) / (large.n - 1);
    const bytesMid = (mid.bytes - small.bytes) / (mid.n - 1);
    const bytesLarge = (large.bytes - small.bytes) / (large.n - 1);
    const ratio = perLarge / perMid;
    growthRows.push([
      KIND_LABEL[kind],
      `${mid.n} -> ${large.n}`,
      `${msText(perMid)} -> ${msText(perLarge)}`,
      ratio.toFixed(2),
      `${(bytesMid / 1024).toFixed(1)} -> ${(bytesLarge / 1024).toFixed(1)} KiB`,
      perMid <= 0 || perLarge <= 0 ? 'too noisy to tell' : ratio <= 1.5 ? 'linear' : 'FASTER THAN LINEAR',
    ]);
    if (kind === 'environments') {
      report.targets.push({
        target: `in-process synth at ${large.n} environments < 5 s, growth linear`,
        measured: `${sec(large.ms)}; per-unit ratio ${ratio.toFixed(2)}`,
        met: opts.quick ? undefined : large.ms < 5000 && ratio <= 1.5,
      });
    } else {
      report.targets.push({
        target: `growth with ${KIND_LABEL[kind]} linear`,
        measured: `per-unit ratio ${ratio.toFixed(2)} (${mid.n} -> ${large.n})`,
        met: opts.quick ? undefined : ratio <= 1.5,
      });
    }
  }
  lines.push(
    table(['scaled', 'sizes', 'time per added unit', 'ratio', 'cdk.tf.json per added unit', 'verdict'], growthRows, [
      'l',
      'l',
      'r',
      'r',
      'r',
      'l',
    ]),
  );
  if (bareLargest) {
    lines.push(
      '',
      `For reference: ${bareLargest.n} environments without the PlatformTrustChecks aspect (\`checks: false\`) take ${sec(bareLargest.ms)}.`,
    );
  }
  report.sections.push(lines.join('\n'));
  return rows;
}

function memorySection(opts: Options, report: Report, scale: ScaleRow[]): void {
  const largest = (kind: Kind) => Math.max(...scale.filter((r) => r.kind === kind).map((r) => r.n));
  const cases: { kind: Kind; n: number }[] = [
    { kind: 'environments', n: 1 },
    { kind: 'environments', n: largest('environments') },
    { kind: 'consumers', n: largest('consumers') },
    { kind: 'pkiRoles', n: largest('pkiRoles') },
  ];
  const rows = cases.map((c) => {
    log(`peak memory: ${c.n} ${c.kind}`);
    const r = inChild({ ...c, runs: 1, warmup: false });
    const coldMs = r.constructMs[0] + r.synthMs[0];
    const target = report.targets.find((t) => t.target.startsWith(`in-process synth at ${c.n} environments`));
    if (target && c.kind === 'environments') {
      target.measured += `; one cold run in a fresh process (JIT not warm): ${sec(coldMs)}`;
    }
    return [KIND_LABEL[c.kind], String(c.n), String(r.resources), mib(r.maxRssBytes), msText(coldMs)];
  });
  report.sections.push(
    [
      '## Peak memory',
      '',
      'One construction + synth in a fresh child process (no warm-up); peak resident set size from `process.resourceUsage().maxRSS` at its end (includes node and the loaded modules). The time column is that single cold run (construction + synth, module loading not included).',
      '',
      table(['scaled', 'N', 'resources', 'peak RSS', 'cold construct + synth'], rows, ['l', 'r', 'r', 'r', 'r']),
    ].join('\n'),
  );
  void opts;
}

/** The changed top-level attributes of one planned update: names whose value differs, or becomes unknown. */
function changedAttributes(change: {
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  after_unknown?: Record<string, unknown>;
}): string[] {
  const before = change.before ?? {};
  const after = change.after ?? {};
  const unknown = change.after_unknown ?? {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)]);
  return [...keys]
    .filter((k) => {
      const u = unknown[k];
      const becomesUnknown = u === true || (typeof u === 'object' && u !== null && JSON.stringify(u).includes('true'));
      return becomesUnknown || JSON.stringify(before[k]) !== JSON.stringify(after[k]);
    })
    .sort();
}

/** Why a rotation touches a resource, from what it is (undefined: a resource it should not touch); the plan's changed attributes back each line. */
function rotationReason(address: string, type: string): string | undefined {
  if (/RotateToV\d/.test(address)) {
    return 'the rotation itself: the transit `rotate` call that creates key version 2 in Vault (a new resource per version, so re-applies rotate nothing)';
  }
  if (type === 'terraform_data' && /BootstrapBundle_SignedInput/.test(address)) {
    return 'the digest of what the bundle key signs: the bundle changed, so the digest does, and it replaces the signature';
  }
  if (type === 'vault_generic_endpoint' && /BootstrapBundle_BundleSignature/.test(address)) {
    return "the apply-time signature of the new bundle by the bundle key (Vault's transit `sign`, replaced when what it signs changes; its delete does nothing in Vault)";
  }
  if (type === 'vault_kv_secret_v2' && /BootstrapBundle_Published/.test(address)) {
    return "the publication record of the new version: written once after the bundle that first lists it (Vault's `created_time` starts the rollout window)";
  }
  if (type === 'vault_kv_secret_v2' && /BootstrapBundle/.test(address)) {
    return 'the published bootstrap bundle: its verifier set gains v2 as `next`, so the payload, its signature and the sequence change (`data_json`), and so do the sequence and digests the sequence guard reads (`custom_metadata`)';
  }
  return undefined;
}

export async function engineSection(opts: Options, report: Report): Promise<void> {
  const heading = '## Plan and apply of the dev stack (OpenTofu against a local Vault-API server)';
  if (opts.quick) {
    report.sections.push(`${heading}\n\nSkipped in --quick.`);
    return;
  }
  // The harness is compiled with the tests (dist/test/integration); it finds scripts/toolchain.sh by walking up.
  const { toolchain } = await import('../test/integration/toolchain');
  let tc: ReturnType<typeof toolchain>;
  try {
    tc = toolchain();
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    report.sections.push(
      `${heading}\n\nSkipped: the toolchain (OpenTofu, providers, a Vault-API server) is not built here (${why}). Run \`npm run toolchain\`, then the bench again.`,
    );
    report.targets.push({
      target: 'a rotation plan touches only what it must',
      measured: 'skipped (no toolchain)',
      met: undefined,
    });
    return;
  }
  const { VaultServer } = await import('../test/integration/vault-server');
  const { Workspace } = await import('../test/integration/workspace');
  log('engine: starting a local Vault-API server');
  const bao = await VaultServer.start();
  const ws = Workspace.create('pt-bench-ws-');
  ws.env = bao.env;
  const timed = async (args: string[], okCodes = [0]) => {
    const t0 = process.hrtime.bigint();
    const r = await ws.run(args, { timeoutMs: 600000 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (!okCodes.includes(r.code))
      throw new Error(`tofu ${args[0]} failed (exit ${r.code}):\n${r.stderr}\n${r.stdout}`);
    return { ms, code: r.code, stdout: r.stdout };
  };
  const planned = async () => {
    const show = await ws.run(['show', '-json', 'plan.out']);
    if (show.code !== 0) throw new Error(`tofu show failed:\n${show.stderr}`);
    const json = JSON.parse(show.stdout) as {
      resource_changes?: {
        address: string;
        type: string;
        mode: string;
        change: {
          actions: string[];
          before?: Record<string, unknown>;
          after?: Record<string, unknown>;
          after_unknown?: Record<string, unknown>;
        };
      }[];
      output_changes?: Record<string, { actions: string[] }>;
    };
    const all = (json.resource_changes ?? []).filter((c) => c.mode === 'managed');
    const changed = all.filter(
      (c) => !(c.change.actions.length === 1 && ['no-op', 'read'].includes(c.change.actions[0])),
    );
    const reads = (json.resource_changes ?? [])
      .filter((c) => c.mode === 'data' && c.change.actions.includes('read'))
      .map((c) => c.address);
    const outputs = Object.entries(json.output_changes ?? {})
      .filter(([, c]) => !(c.actions.length === 1 && c.actions[0] === 'no-op'))
      .map(([name]) => name);
    return { total: all.length, changed, reads, outputs };
  };
  const planArgs = ['plan', '-input=false', '-no-color', '-out=plan.out', '-detailed-exitcode'];
  try {
    const env = { ...dev };
    log('engine: synth, init, plan, apply, second plan');
    ws.synth((app) => new PlatformTrustStack(app, { environment: env }));
    const init = await timed(['init', '-input=false', '-no-color']);
    const plan1 = await timed(planArgs, [0, 2]);
    const first = await planned();
    const apply = await timed(['apply', '-input=false', '-no-color', '-auto-approve', 'plan.out']);
    const plan2 = await timed(['plan', '-input=false', '-no-color', '-detailed-exitcode'], [0, 2]);

    // Pre-publish task signing key version 2: `taskSigning: { version: 2, activeVersion: 1 }`. The bundle
    // carries the verifier set, so its sequence goes up with it (the sequence guard refuses the plan otherwise).
    log('engine: rotation plan (taskSigning version 1 -> 2)');
    const rotated: EnvironmentConfig = {
      ...env,
      taskSigning: { version: 2, activeVersion: 1 },
      bundle: { ...env.bundle, sequence: env.bundle.sequence + 1 },
    };
    ws.synth((app) => new PlatformTrustStack(app, { environment: rotated }));
    const plan3 = await timed(planArgs, [0, 2]);
    const rotation = await planned();

    const rows = [
      ['`tofu init` (providers from the local mirror)', sec(init.ms), ''],
      ['first plan', sec(plan1.ms), `${first.changed.length} to create`],
      ['apply of that plan', sec(apply.ms), `${first.changed.length} created`],
      ['second plan', sec(plan2.ms), plan2.code === 0 ? 'no changes' : 'CHANGES (expected none)'],
      [
        'rotation plan (task signing key version 1 -> 2)',
        sec(plan3.ms),
        `${rotation.changed.length} of ${rotation.total} resources change`,
      ],
    ];
    const changes = rotation.changed.map((c) => [
      `\`${c.address}\``,
      c.change.actions.join('+'),
      c.change.actions.includes('update')
        ? changedAttributes(c.change)
            .map((a) => `\`${a}\``)
            .join(', ')
        : '(new)',
      rotationReason(c.address, c.type) ?? 'UNEXPECTED: not a resource the rotation should touch',
    ]);
    report.sections.push(
      [
        heading,
        '',
        `${tc.versions.tofu ? `OpenTofu ${tc.versions.tofu}` : 'tofu'}, vault provider ${tc.versions.vaultProvider ?? '?'}, server ${tc.versions.bao ?? '?'} in dev mode on 127.0.0.1; the dev stack synthesized into a working directory with its state file; one run of each step.`,
        '',
        table(['step', 'time', 'resources'], rows, ['l', 'r', 'l']),
        '',
        'The rotation is the pre-publish step of the key lifecycle, `taskSigning: { version: 2, activeVersion: 1 }` (the bundle sequence goes up with it: the bundle carries the verifier set, and the sequence guard refuses a changed bundle under the same sequence). What it touches:',
        '',
        table(['resource', 'action', 'changed attributes', 'why'], changes),
        '',
        `The other ${rotation.total - rotation.changed.length} managed resources show no change. Data sources read again at apply: ${rotation.reads.length ? rotation.reads.map((a) => `\`${a}\``).join(', ') : 'none'}. Outputs that change: ${rotation.outputs.length ? rotation.outputs.map((a) => `\`${a}\``).join(', ') : 'none'}.`,
      ].join('\n'),
    );
    report.targets.push({
      target: 'second plan after apply is empty',
      measured: plan2.code === 0 ? 'no changes' : 'changes',
      met: plan2.code === 0,
    });
    report.targets.push({
      target: 'a rotation plan touches only what it must',
      measured: `${rotation.changed.length} of ${rotation.total} resources (listed in the plan section)`,
      // Nothing is deleted, but the apply-time signature, which is replaced when what it signs changes (its
      // resource sets disable_delete: the replacement deletes nothing in Vault).
      met: rotation.changed.every(
        (c) =>
          (!c.change.actions.includes('delete') || /BootstrapBundle_BundleSignature/.test(c.address)) &&
          rotationReason(c.address, c.type) !== undefined,
      ),
    });
  } finally {
    ws.dispose();
    await bao.stop();
  }
}

async function verifySection(opts: Options, report: Report): Promise<void> {
  log('verification throughput (bench-verify)');
  const rows: Row[] = await benchVerify(opts.quick ? { sampleMs: 100, samples: 3 } : { sampleMs: 300, samples: 7 });
  report.sections.push(
    [
      '## Node-side verification throughput',
      '',
      `Operations per second of process CPU time, median of ${opts.quick ? 3 : 7} interleaved samples; "x raw" is against raw node:crypto \`crypto.verify\` on the same key, bytes and signature, measured in the same run.`,
      '',
      table(
        ['operation', 'path', 'ops/s', 'x raw', 'target', 'met'],
        rows.map((r) => [
          r.operation,
          r.path,
          r.opsPerSec.toLocaleString('en-US'),
          r.ratioToRaw.toFixed(3),
          r.target === undefined ? '' : `>= ${r.target}`,
          r.meetsTarget === undefined ? '' : r.meetsTarget ? 'yes' : 'NO',
        ]),
        ['l', 'l', 'r', 'r', 'r', 'l'],
      ),
    ].join('\n'),
  );
  for (const r of rows.filter((x) => x.target !== undefined)) {
    report.targets.push({
      target: `${r.operation}, ${r.path} engine >= ${r.target}x raw node:crypto`,
      measured: `${r.ratioToRaw.toFixed(3)}x`,
      met: r.meetsTarget,
    });
  }
}

function header(opts: Options): string {
  const cpus = os.cpus();
  return [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\`${opts.quick ? ' --quick' : ''} on ${new Date().toISOString().slice(0, 10)}: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, node ${process.version}, ${os.platform()} ${os.arch()}. One run on a machine shared with other work, so single figures move by 10-30% between runs; ratios measured in the same run are steadier.`,
  ].join('\n');
}

function targetsSection(report: Report): string {
  return [
    '## Targets',
    '',
    table(
      ['target', 'measured', 'met'],
      report.targets.map((t) => [t.target, t.measured, t.met === undefined ? 'n/a' : t.met ? 'yes' : 'NO']),
    ),
  ].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const childAt = args.indexOf('--child');
  if (childAt >= 0) {
    const result = runChildSpec(JSON.parse(args[childAt + 1]) as ChildSpec);
    process.stdout.write(`${CHILD_MARK}${JSON.stringify(result)}\n`);
    return;
  }
  const opts: Options = { quick: args.includes('--quick') };
  const write = !opts.quick || args.includes('--write');
  const report: Report = { sections: [], targets: [], failed: false };
  const started = Date.now();
  wholeProcessSection(opts, report);
  inProcessSection(opts, report);
  const scale = scalingSection(opts, report);
  memorySection(opts, report, scale);
  try {
    await engineSection(opts, report);
  } catch (e) {
    // Not a test: note the failure and go on with the other sections.
    const msg = (e instanceof Error ? e.message : String(e)).split('\n').slice(0, 8).join('\n    ');
    report.sections.push(`## Plan and apply of the dev stack\n\nFAILED, so no figures:\n\n    ${msg}`);
    report.targets.push({
      target: 'a rotation plan touches only what it must',
      measured: 'engine run failed',
      met: undefined,
    });
  }
  await verifySection(opts, report);
  try {
    const cp = await benchControlPlane(opts.quick, log);
    report.sections.push(cp.section);
    report.targets.push(...cp.targets);
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split('\n').slice(0, 8).join('\n    ');
    report.sections.push(`## Control plane and fleet\n\nFAILED, so no figures:\n\n    ${msg}`);
  }
  const text = [header(opts), targetsSection(report), ...report.sections].join('\n\n') + '\n';
  console.log(text);
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (write) {
    fs.writeFileSync(path.join(repoRoot, 'BENCHMARKS.md'), text);
    log('wrote BENCHMARKS.md');
  }
  if (report.failed) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
