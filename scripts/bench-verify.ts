/**
 * Throughput of node-side verification: verifyTask and verifyBundle on the node:crypto and noble
 * engines, against raw node:crypto `crypto.verify` on the same key, bytes and signature, in the same
 * run, in operations per second of process CPU time. Targets: node engine >= 0.9x raw; noble engine (the portable
 * fallback: noble's own verify plus a check of R's order, no tables of ours) >= 0.025x raw. The bundle
 * figures come twice: re-verifying the same envelope (what a node does on each poll; the payload's
 * parse and validation are memoized) and a new payload on every call (full JSON, schema, X.509 and
 * secret checks each time; informational, no target).
 *
 *   npx tsc -p . && node dist/scripts/bench-verify.js     (env: BENCH_MS per sample, default 300; BENCH_SAMPLES, default 7)
 */
import { KeyObject, createHash, verify as cryptoVerify } from 'node:crypto';
import * as noble from '@noble/ed25519';
import {
  SignedEnvelope,
  VerifierSetV1,
  pae,
  parseVaultSignature,
  parseVerifierSet,
  renderBundlePayload,
  renderVerifierSet,
  verifyBundle,
  verifyTask,
} from '../lib/node';
import { envelopeFor, makeBundle, makeTrustMaterial } from '../test/unit/node/helpers/bundles';
import { TestSigner, rawPublicKey } from '../test/unit/node/helpers/signer';

/** One measured row. */
export interface Row {
  /** `verifyTask` or `verifyBundle`. */
  readonly operation: string;
  /** `raw node:crypto`, `node`, `noble`, or a reference implementation. */
  readonly path: string;
  readonly opsPerSec: number;
  /** opsPerSec / raw node:crypto opsPerSec for the same operation. */
  readonly ratioToRaw: number;
  /** Minimum ratio required, when the row has a target. */
  readonly target?: number;
  readonly meetsTarget?: boolean;
}

export interface BenchOptions {
  /** Milliseconds per sample. @default 300 */
  readonly sampleMs?: number;
  /** Samples per path (interleaved round-robin with the other paths; the median is kept). @default 7 */
  readonly samples?: number;
}

const NOW = new Date('2026-02-01T00:00:00Z');

/**
 * Operations per second of this process's CPU time (user + system, from process.cpuUsage), so that
 * other processes competing for the machine skew the ratios less than wall-clock time would.
 */
function opsPerSecond(fn: () => unknown, ms: number): number {
  let n = 0;
  const start = process.cpuUsage();
  const limitMicros = ms * 1000;
  let used = 0;
  do {
    for (let i = 0; i < 25; i++) fn();
    n += 25;
    const d = process.cpuUsage(start);
    used = d.user + d.system;
  } while (used < limitMicros);
  return (n * 1e6) / used;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

interface Candidate {
  readonly path: string;
  readonly fn: () => boolean;
  readonly target?: number;
}

function measure(operation: string, candidates: Candidate[], options: Required<BenchOptions>): Row[] {
  for (const c of candidates) {
    if (!c.fn()) throw new Error(`${operation} / ${c.path}: the benchmark input does not verify`);
    opsPerSecond(c.fn, Math.min(300, options.sampleMs)); // warm-up: JIT, key caches, noble's base-point table
  }
  const samples = candidates.map(() => [] as number[]);
  for (let round = 0; round < options.samples; round++) {
    candidates.forEach((c, i) => samples[i].push(opsPerSecond(c.fn, options.sampleMs)));
  }
  const ops = samples.map(median);
  const raw = ops[0];
  return candidates.map((c, i) => ({
    operation,
    path: c.path,
    opsPerSec: Math.round(ops[i]),
    ratioToRaw: Math.round((ops[i] / raw) * 1000) / 1000,
    ...(c.target === undefined ? {} : { target: c.target, meetsTarget: ops[i] / raw >= c.target }),
  }));
}

/** Runs the benchmark and returns one row per operation and path. */
export async function benchVerify(options: BenchOptions = {}): Promise<Row[]> {
  const opts: Required<BenchOptions> = { sampleMs: options.sampleMs ?? 300, samples: options.samples ?? 7 };
  noble.hashes.sha512 = (m: Uint8Array) => new Uint8Array(createHash('sha512').update(m).digest());

  const signer = new TestSigner();
  // As a node holds it: GPUAAS_TASK_SIGNING_PUBKEYS parsed once (a plain object would be re-validated per call).
  const set: VerifierSetV1 = parseVerifierSet(
    renderVerifierSet(signer.set([1, 'grace', '2026-03-01T00:00:00Z'], [2, 'active'], [3, 'next'])),
  );
  const keyObject: KeyObject = signer.pair(2).publicKey;
  const rawKey = rawPublicKey(keyObject);

  // A typical task: a few hundred bytes of JSON.
  const task = Buffer.from(
    JSON.stringify({
      type: 'node.drain',
      node: 'gpu-node-0017',
      issued_at: '2026-02-01T00:00:00Z',
      nonce: 'f3c1a9b2e8d74c6b9a0f1e2d3c4b5a69',
      args: { grace_seconds: 300, reason: 'kernel upgrade', labels: ['gpu=h100', 'zone=a'] },
    }),
  );
  const taskSig = signer.sign(2, task);
  const taskSigBytes = parseVaultSignature(taskSig)!.bytes;

  const m = makeTrustMaterial();
  const bundleAt = (sequence: number) =>
    makeBundle({
      verifiers: set,
      roots: [
        { cert: m.rootNew, state: 'current' },
        { cert: m.rootOld, state: 'previous', until: '2026-03-01T00:00:00Z' },
      ],
      nodePems: [m.nodeIntermediate.pem, m.nodeRoot.pem],
      sequence,
    });
  const signed = (sequence: number) => {
    const envelope: SignedEnvelope = envelopeFor(renderBundlePayload(bundleAt(sequence)), signer, 2);
    return {
      envelope,
      pae: pae(envelope.payloadType, Buffer.from(envelope.payload, 'base64')),
      sig: parseVaultSignature(envelope.signatures[0].sig)!.bytes,
    };
  };
  const same = signed(1);
  // More distinct payloads than verifyBundle memoizes (16), so every call parses and validates.
  const distinct = Array.from({ length: 64 }, (_, i) => signed(100 + i));
  let next = 0;
  const cycle = () => distinct[(next = (next + 1) % distinct.length)];

  const rows = [
    ...measure(
      'verifyTask',
      [
        { path: 'raw node:crypto', fn: () => cryptoVerify(null, task, keyObject, taskSigBytes) },
        { path: 'node', fn: () => verifyTask(set, task, taskSig, NOW, { engine: 'node' }).ok, target: 0.9 },
        { path: 'noble', fn: () => verifyTask(set, task, taskSig, NOW, { engine: 'noble' }).ok, target: 0.025 },
        {
          path: 'noble verify(zip215:false) alone (no rules, no check of R), reference only',
          fn: () => noble.verify(taskSigBytes, task, rawKey, { zip215: false }),
        },
      ],
      opts,
    ),
    ...measure(
      'verifyBundle, same envelope again',
      [
        { path: 'raw node:crypto', fn: () => cryptoVerify(null, same.pae, keyObject, same.sig) },
        { path: 'node', fn: () => verifyBundle(same.envelope, set, NOW, { engine: 'node' }).ok, target: 0.9 },
        { path: 'noble', fn: () => verifyBundle(same.envelope, set, NOW, { engine: 'noble' }).ok, target: 0.025 },
      ],
      opts,
    ),
    ...measure(
      'verifyBundle, new payload each call',
      [
        { path: 'raw node:crypto', fn: () => ((e) => cryptoVerify(null, e.pae, keyObject, e.sig))(cycle()) },
        { path: 'node', fn: () => verifyBundle(cycle().envelope, set, NOW, { engine: 'node' }).ok },
        { path: 'noble', fn: () => verifyBundle(cycle().envelope, set, NOW, { engine: 'noble' }).ok },
      ],
      opts,
    ),
  ];
  return rows;
}

/** Fixed-width table of the rows. */
export function formatRows(rows: readonly Row[]): string {
  const header = ['operation', 'path', 'ops/s', 'x raw', 'target', 'met'];
  const lines = rows.map((r) => [
    r.operation,
    r.path,
    r.opsPerSec.toLocaleString('en-US'),
    r.ratioToRaw.toFixed(3),
    r.target === undefined ? '' : `>= ${r.target}`,
    r.meetsTarget === undefined ? '' : r.meetsTarget ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(fmt)].join('\n');
}

if (require.main === module) {
  benchVerify({ sampleMs: Number(process.env.BENCH_MS ?? 300), samples: Number(process.env.BENCH_SAMPLES ?? 7) })
    .then((rows) => {
      console.log(`node ${process.version}, OpenSSL ${process.versions.openssl}`);
      console.log(formatRows(rows));
      if (rows.some((r) => r.meetsTarget === false)) process.exitCode = 1;
    })
    .catch((e) => {
      console.error(e);
      process.exitCode = 1;
    });
}
