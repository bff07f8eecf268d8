/**
 * Synth timing of the dev stack, measured as whole processes after `npm run build`:
 *   - the compiled app (`node dist/stacks/main.js`, what `npm run synth` runs), and
 *   - optionally `cdktf synth` (the CLI), with --cli.
 * Prints median / min / max over N runs. Usage: node dist/scripts/bench-synth.js [--runs N] [--cli]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Timing {
  readonly what: string;
  readonly runs: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

const repoRoot = path.resolve(__dirname, '..', '..');

/** Runs a command `runs` times (after one warm-up) in a fresh output dir; returns wall-clock statistics. */
export function timeCommand(what: string, cmd: string, args: (outdir: string) => string[], runs: number): Timing {
  const samples: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-bench-'));
    const start = process.hrtime.bigint();
    const r = spawnSync(cmd, args(outdir), {
      cwd: repoRoot,
      env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1', CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const ok = r.status === 0 && fs.existsSync(path.join(outdir, 'stacks', 'dev', 'cdk.tf.json'));
    fs.rmSync(outdir, { recursive: true, force: true });
    if (!ok) throw new Error(`${what} failed (exit ${r.status}):\n${r.stderr}\n${r.stdout}`);
    if (i > 0) samples.push(ms); // the first run warms the file cache
  }
  samples.sort((a, b) => a - b);
  return {
    what,
    runs,
    medianMs: samples[Math.floor(samples.length / 2)],
    minMs: samples[0],
    maxMs: samples[samples.length - 1],
  };
}

export function formatTimings(rows: readonly Timing[]): string {
  const lines = ['| what | runs | median | min | max |', '| --- | ---: | ---: | ---: | ---: |'];
  for (const r of rows) {
    lines.push(
      `| ${r.what} | ${r.runs} | ${(r.medianMs / 1000).toFixed(3)} s | ${(r.minMs / 1000).toFixed(3)} s | ${(r.maxMs / 1000).toFixed(3)} s |`,
    );
  }
  return lines.join('\n');
}

export function benchSynth(runs: number, withCli: boolean): Timing[] {
  const rows = [
    timeCommand('dev stack, compiled app (`npm run synth`)', process.execPath, () => ['dist/stacks/main.js'], runs),
  ];
  if (withCli) {
    const cli = path.join(repoRoot, 'node_modules', '.bin', 'cdktf');
    rows.push(
      timeCommand('dev stack, `cdktf synth` (CLI)', cli, (outdir) => ['synth', '--output', outdir], Math.min(runs, 3)),
    );
  }
  return rows;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const runsArg = args.indexOf('--runs');
  const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : 10;
  console.log(formatTimings(benchSynth(runs, args.includes('--cli'))));
}
