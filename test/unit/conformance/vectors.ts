/**
 * Conformance vectors (conformance/vectors/*.json): their shape, how our node side runs each kind, and reading and
 * writing the committed files. Used by the unit test that runs every committed vector and by the integration test
 * that generates them from real applies.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BootstrapBundle,
  BundleUpdateResult,
  NodeTrustError,
  acceptBundleUpdate,
  acceptFirstBundle,
  parseBundleKeySet,
  parseVerifierSet,
  validateBundle,
  verifyBundle,
  verifyTask,
  verifyTaskWithBundle,
} from '../../../lib/node';

/** Format id of a vector file. */
export const VECTOR_FILE_FORMAT = 'cdktf-platform-trust/conformance-vectors/v1';

/** Where the committed vectors live. */
export const VECTORS_DIR = path.join(__dirname, '../../../conformance/vectors');

/** What each kind runs (the README of conformance/ gives the rules). */
export const VECTOR_KINDS = [
  'verifier-set',
  'bundle-key-set',
  'bundle',
  'verify-bundle',
  'first-bundle',
  'bundle-update',
  'update-sequence',
  'task',
  'task-with-bundle',
] as const;
export type VectorKind = (typeof VECTOR_KINDS)[number];

/** The file each kind is written to. */
export const FILE_OF_KIND: Readonly<Record<VectorKind, string>> = {
  'verifier-set': 'key-sets.json',
  'bundle-key-set': 'key-sets.json',
  bundle: 'bundles.json',
  'verify-bundle': 'envelopes.json',
  'first-bundle': 'first-bundles.json',
  'bundle-update': 'updates.json',
  'update-sequence': 'updates.json',
  task: 'tasks.json',
  'task-with-bundle': 'tasks.json',
};

/** The verdict a vector expects: accepted, or refused with a reason (a refusal reason or a parser's NT code). */
export interface Verdict {
  readonly ok: boolean;
  readonly reason?: string;
}

/** One vector. `input` depends on `kind` (see conformance/README.md). */
export interface Vector {
  readonly id: string;
  readonly description: string;
  readonly kind: VectorKind;
  readonly input: Record<string, any>;
  readonly expected: Verdict;
}

/** A vector file. */
export interface VectorFile {
  readonly format: typeof VECTOR_FILE_FORMAT;
  readonly description: string;
  readonly vectors: Vector[];
}

const FILE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  'key-sets.json':
    'Task verifier sets and bundle key sets given as text: parse them strictly (verdict: ok, or the NT code).',
  'bundles.json': 'Bundles given as JSON values: validate them (verdict: ok, or the NT code).',
  'envelopes.json': 'Signed bundle envelopes under a bundle key set the node trusts, at a given time.',
  'first-bundles.json':
    'A node first bundle: an envelope under a bundle key pin received out of band, at a given time.',
  'updates.json':
    'Bundle updates: one envelope against the bundle a node holds, and sequences of updates from enrolment.',
  'tasks.json': 'Tasks signed through Vault transit, under a task verifier set or under the bundle a node holds.',
};

function message(input: Record<string, any>): Uint8Array {
  return Buffer.from(input.message_base64, 'base64');
}

function at(iso: string): Date {
  return new Date(iso);
}

/** A parser's verdict: ok, or the NodeTrustError code it threw. */
function parsed(fn: () => unknown): Verdict {
  try {
    fn();
    return { ok: true };
  } catch (e) {
    if (e instanceof NodeTrustError) return { ok: false, reason: e.code };
    throw e;
  }
}

function verdictOf(result: { ok: boolean; reason?: string }): Verdict {
  return result.ok ? { ok: true } : { ok: false, reason: result.reason };
}

/** Runs one vector with our node side and returns its verdict (the reason only, no detail). */
export function runVector(v: Pick<Vector, 'kind' | 'input'>): Verdict {
  const i = v.input;
  switch (v.kind) {
    case 'verifier-set':
      return parsed(() => parseVerifierSet(i.text));
    case 'bundle-key-set':
      return parsed(() => parseBundleKeySet(i.text));
    case 'bundle':
      return parsed(() => validateBundle(i.bundle));
    case 'verify-bundle':
      return verdictOf(verifyBundle(i.envelope, i.trusted, at(i.now)));
    case 'first-bundle':
      return verdictOf(acceptFirstBundle(i.envelope, i.pin, at(i.now)));
    case 'bundle-update':
      return verdictOf(acceptBundleUpdate({ bundle: i.held }, i.envelope, at(i.now)));
    case 'update-sequence':
      return runSequence(i);
    case 'task':
      return verdictOf(verifyTask(i.verifiers, message(i), i.signature, at(i.now)));
    case 'task-with-bundle':
      return verdictOf(verifyTaskWithBundle(i.bundle, message(i), i.signature, at(i.now)));
  }
}

/** Enrol with the first step under the pin, take each later step as an update, then check the task if any. */
function runSequence(i: Record<string, any>): Verdict {
  const [first, ...rest] = i.steps as Array<{ envelope: unknown; now: string }>;
  const enrolled = acceptFirstBundle(first.envelope as string, i.pin, at(first.now));
  if (!enrolled.ok) return verdictOf(enrolled);
  let held: BootstrapBundle = enrolled.bundle;
  for (const step of rest) {
    const taken: BundleUpdateResult = acceptBundleUpdate({ bundle: held }, step.envelope as string, at(step.now));
    if (!taken.ok) return verdictOf(taken);
    held = taken.bundle;
  }
  if (i.task === undefined) return { ok: true };
  return verdictOf(verifyTaskWithBundle(held, message(i.task), i.task.signature, at(i.task.now)));
}

/** Every committed vector, file by file. */
export function readVectorFiles(dir = VECTORS_DIR): Map<string, VectorFile> {
  const files = new Map<string, VectorFile>();
  for (const name of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    files.set(name, JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')));
  }
  return files;
}

/** Groups vectors into their files (in the order given) and writes them, two-space indented. */
export function writeVectorFiles(vectors: readonly Vector[], dir = VECTORS_DIR): string[] {
  const byFile = new Map<string, Vector[]>();
  for (const v of vectors) {
    const file = FILE_OF_KIND[v.kind];
    byFile.set(file, [...(byFile.get(file) ?? []), v]);
  }
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, list] of byFile) {
    const content: VectorFile = { format: VECTOR_FILE_FORMAT, description: FILE_DESCRIPTIONS[file], vectors: list };
    fs.writeFileSync(path.join(dir, file), `${JSON.stringify(content, null, 2)}\n`);
  }
  return [...byFile.keys()];
}
