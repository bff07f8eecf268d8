/**
 * Versioned Ed25519 key sets, strict parsing and canonical rendering. One implementation reads both kinds:
 * the task verifier set (`GPUAAS_TASK_SIGNING_PUBKEYS`, format `gpuaas-task-signing-pubkeys/v1`) and the
 * bundle key set (format `cdktf-platform-trust/bundle-keys/v1`). They differ only in their format id, and a
 * set of one kind is never read as the other.
 */
import { decodeBase64Strict } from './private/base64';
import { BoundedCache } from './private/bounded-cache';
import { jsonencodeCanonical } from './canonical-json';
import { PreparedKey, preparePublicKey } from './ed25519-rules';
import { NodeTrustError, NodeTrustErrorCode as Code } from './errors';
import {
  BUNDLE_KEYS_FORMAT_V1,
  BundleKeySetV1,
  PUBKEYS_FORMAT_V1,
  VerifierEntry,
  VerifierSetV1,
  VerifierState,
} from './formats';
import { parseIsoUtc } from '../kernel/iso-time';
import { KeySetProblem, MAX_KEY_VERSION, keySetEntryProblems, keySetOrderProblems } from '../kernel/key-set';
import { Problem } from '../kernel/problems';
import { expectObject } from './private/json-shape';
import { computeKid } from './key-id';

export { computeKid } from './key-id';

/** Highest key version accepted (Vault key versions are 32-bit integers; defined in lib/kernel/key-set.ts). */
export { MAX_KEY_VERSION };
/** Most entries a verifier set may hold. */
export const MAX_VERIFIER_ENTRIES = 32;
/** Longest key set text accepted (`GPUAAS_TASK_SIGNING_PUBKEYS` or a bundle key set). */
export const MAX_VERIFIER_SET_LENGTH = 16384;

/** Transit key names: letters, digits, `_`, `.`, `-`; no `:` (the kid separator) and no `/`. */
const KEY_NAME_RE = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,126}[A-Za-z0-9])?$/;
const SET_FIELDS = ['format', 'key', 'keys'];
// Canonical order = keys sorted, which is how Terraform's jsonencode renders the set at apply time.
const ENTRY_FIELDS = ['alg', 'kid', 'public_key', 'state', 'until', 'version'];

/** The two kinds of key set: task verifiers sign tasks, bundle keys sign bundles. */
export type KeySetKind = 'task' | 'bundle';

/** What tells the kinds apart. */
const KINDS: Readonly<Record<KeySetKind, { format: string; noun: string; renderer: string }>> = {
  task: { format: PUBKEYS_FORMAT_V1, noun: 'task verifier set', renderer: 'renderVerifierSet' },
  bundle: { format: BUNDLE_KEYS_FORMAT_V1, noun: 'bundle key set', renderer: 'renderBundleKeySet' },
};

/** One verifier entry with its decoded key, ready for verification. */
export interface CompiledEntry {
  readonly entry: VerifierEntry;
  readonly key: PreparedKey;
  /** `until` in epoch milliseconds, for `grace` entries. */
  readonly untilMs?: number;
}

/** A validated key set with its canonical text and entries by version and by kid. */
export interface CompiledKeySet<S extends VerifierSetV1 | BundleKeySetV1 = VerifierSetV1 | BundleKeySetV1> {
  readonly kind: KeySetKind;
  readonly set: S;
  readonly rendered: string;
  readonly byVersion: ReadonlyMap<number, CompiledEntry>;
  readonly byKid: ReadonlyMap<string, CompiledEntry>;
}

/** A compiled task verifier set. */
export type CompiledVerifierSet = CompiledKeySet<VerifierSetV1>;
/** A compiled bundle key set. */
export type CompiledBundleKeySet = CompiledKeySet<BundleKeySetV1>;

/**
 * Parses the value of `GPUAAS_TASK_SIGNING_PUBKEYS` (format v1). Throws a {@link NodeTrustError}
 * naming the field and rule when:
 * - the text is longer than 16 KiB, or not JSON, or not an object;
 * - a field is missing or unknown (top level: `format`, `key`, `keys`; entries: `version`, `kid`,
 *   `alg`, `public_key`, `state`, and `until` for `grace` only);
 * - `format` is not `gpuaas-task-signing-pubkeys/v1` (a bundle key set is refused with WRONG_KEY_KIND);
 *   `key` is not a transit key name;
 * - `keys` is empty or has more than 32 entries;
 * - a version is not an integer in 1..2147483647, or versions are not strictly ascending;
 * - there is not exactly one `active` entry; there is more than one `next`, or a `next` that is
 *   not the highest version; a `grace` entry is not older than the active one;
 * - a `grace` entry lacks `until`, or `until` is not ISO 8601 UTC; a non-grace entry has `until`;
 * - `alg` is not `ed25519`; `public_key` is not canonical base64 of 32 bytes, or not a strict
 *   prime-order Ed25519 point (see `checkEd25519`: a small-order key would accept forgeries);
 * - `kid` differs from {@link computeKid};
 * - the text is a valid set but not its canonical compact rendering ({@link renderVerifierSet}):
 *   whitespace, another field order, escapes or duplicate fields are refused, so one set has one text.
 * The result is deeply frozen.
 */
export function parseVerifierSet(value: string): VerifierSetV1 {
  return parseKeySet('task', value).set as VerifierSetV1;
}

/**
 * Renders a verifier set as compact JSON with keys sorted at every level (`format`, `key`, `keys`; entries
 * `alg`, `kid`, `public_key`, `state`, `until`, `version`): byte for byte what Terraform's `jsonencode`
 * produces for the same value, so the set rendered at apply time is its canonical text. Validates first (same rules as
 * {@link parseVerifierSet}); `parseVerifierSet(renderVerifierSet(s))` deep-equals `s`.
 */
export function renderVerifierSet(set: VerifierSetV1): string {
  return compileVerifierSet(set).rendered;
}

/**
 * Validates a verifier set given as a JS value (for example from `JSON.parse`) and returns a deeply
 * frozen copy in canonical field order. Same rules as {@link parseVerifierSet}, except formatting.
 */
export function validateVerifierSet(value: unknown, field = 'value'): VerifierSetV1 {
  return compileValue('task', value, field).set as VerifierSetV1;
}

/**
 * Parses a bundle key set (format `cdktf-platform-trust/bundle-keys/v1`) from its text. The same rules as
 * {@link parseVerifierSet} (shape, versions and states, strict Ed25519 keys, kids, canonical compact text), with
 * format `cdktf-platform-trust/bundle-keys/v1`. A task verifier set is refused (WRONG_KEY_KIND): tasks and
 * bundles are signed by different keys. Throws a {@link NodeTrustError}; the result is deeply frozen.
 */
export function parseBundleKeySet(value: string): BundleKeySetV1 {
  return parseKeySet('bundle', value).set as BundleKeySetV1;
}

/**
 * Validates a bundle key set given as a JS value and returns a deeply frozen copy in canonical field order.
 * Same rules as {@link parseBundleKeySet}, except formatting.
 */
export function validateBundleKeySet(value: unknown, field = 'value'): BundleKeySetV1 {
  return compileValue('bundle', value, field).set as BundleKeySetV1;
}

/**
 * Renders a bundle key set as compact JSON with keys sorted at every level, as Terraform's `jsonencode` renders
 * it. Validates first (same rules as {@link parseBundleKeySet}); `parseBundleKeySet(renderBundleKeySet(s))`
 * deep-equals `s`.
 */
export function renderBundleKeySet(set: BundleKeySetV1): string {
  return compileBundleKeySet(set).rendered;
}

const byText: Record<KeySetKind, BoundedCache<string, CompiledKeySet>> = {
  task: new BoundedCache(64),
  bundle: new BoundedCache(64),
};
const byObject = new WeakMap<object, CompiledKeySet>();

/** Internal: a task verifier set given as text or object, validated once and cached. Throws NodeTrustError. */
export function compileVerifierSet(input: unknown, field = 'value'): CompiledVerifierSet {
  return compileKeySet('task', input, field) as CompiledVerifierSet;
}

/** Internal: a bundle key set given as text or object, validated once and cached. Throws NodeTrustError. */
export function compileBundleKeySet(input: unknown, field = 'value'): CompiledBundleKeySet {
  return compileKeySet('bundle', input, field) as CompiledBundleKeySet;
}

function compileKeySet(kind: KeySetKind, input: unknown, field: string): CompiledKeySet {
  if (typeof input === 'string') return parseKeySet(kind, input);
  if (typeof input === 'object' && input !== null) {
    const cached = byObject.get(input);
    if (cached && cached.kind === kind) return cached;
  }
  return compileValue(kind, input, field);
}

function parseKeySet(kind: KeySetKind, text: unknown): CompiledKeySet {
  if (typeof text !== 'string') {
    throw new NodeTrustError(Code.MALFORMED, 'value', `expected a string`, typeof text);
  }
  const cached = byText[kind].get(text);
  if (cached) return cached;
  if (text.length > MAX_VERIFIER_SET_LENGTH) {
    throw new NodeTrustError(
      Code.MALFORMED,
      'value',
      `is too long: the limit is ${MAX_VERIFIER_SET_LENGTH} characters`,
      `${text.length} characters`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new NodeTrustError(
      Code.MALFORMED,
      'value',
      `is not JSON (${e instanceof Error ? e.message : 'parse error'})`,
      text,
    );
  }
  const compiled = compileValue(kind, value, 'value');
  if (compiled.rendered !== text) {
    throw new NodeTrustError(
      Code.NOT_CANONICAL,
      'value',
      `is a valid ${KINDS[kind].noun} but not its canonical compact rendering`,
      text,
      `render it with ${KINDS[kind].renderer} (no whitespace; keys sorted at every level: format, key, keys and alg, kid, public_key, state, until, version; as Terraform jsonencode renders it)`,
    );
  }
  return byText[kind].set(text, compiled);
}

function compileValue(kind: KeySetKind, value: unknown, field: string): CompiledKeySet {
  const obj = expectObject(value, field, SET_FIELDS, SET_FIELDS);
  const { format, noun } = KINDS[kind];
  if (obj.format !== format) {
    const other = (Object.keys(KINDS) as KeySetKind[]).find((k) => KINDS[k].format === obj.format);
    if (other) {
      throw new NodeTrustError(
        Code.WRONG_KEY_KIND,
        `${field}.format`,
        `is "${obj.format}", a ${KINDS[other].noun}, where a ${noun} ("${format}") is expected; tasks are verified only under task verifiers and bundles only under bundle keys`,
        obj.format,
        `pass the ${noun}`,
      );
    }
    throw new NodeTrustError(Code.INVALID_FIELD, `${field}.format`, `must be "${format}"`, obj.format);
  }
  if (typeof obj.key !== 'string' || !KEY_NAME_RE.test(obj.key)) {
    throw new NodeTrustError(
      Code.INVALID_FIELD,
      `${field}.key`,
      `must be a transit key name (1-128 of A-Z a-z 0-9 _ . -, starting and ending with a letter or digit)`,
      obj.key,
    );
  }
  const keyName = obj.key;
  if (!Array.isArray(obj.keys) || obj.keys.length === 0 || obj.keys.length > MAX_VERIFIER_ENTRIES) {
    throw new NodeTrustError(
      Code.INVALID_FIELD,
      `${field}.keys`,
      `must be an array of 1 to ${MAX_VERIFIER_ENTRIES} entries`,
      Array.isArray(obj.keys) ? `${obj.keys.length} entries` : obj.keys,
    );
  }
  const compiled = obj.keys.map((entry: unknown, i: number) => compileEntry(entry, `${field}.keys[${i}]`, keyName));
  checkVersions(compiled, `${field}.keys`);
  const set = Object.freeze({
    format,
    key: keyName,
    keys: Object.freeze(compiled.map((c) => c.entry)),
  }) as VerifierSetV1 | BundleKeySetV1;
  const result: CompiledKeySet = Object.freeze({
    kind,
    set,
    rendered: jsonencodeCanonical(set),
    byVersion: new Map(compiled.map((c) => [c.entry.version, c])),
    byKid: new Map(compiled.map((c) => [c.entry.kid, c])),
  });
  byObject.set(set, result);
  return result;
}

function compileEntry(value: unknown, field: string, keyName: string): CompiledEntry {
  const obj = expectObject(value, field, ENTRY_FIELDS, ['version', 'kid', 'alg', 'public_key', 'state']);
  // The schedule rules (version range, state, until) are the kernel's; the first problem is the refusal.
  throwFirst(keySetEntryProblems(obj, Number(/\[(\d+)\]$/.exec(field)?.[1] ?? 0), field), (path) =>
    path.startsWith(`${field}.`) ? obj[path.slice(field.length + 1)] : obj,
  );
  const version = obj.version as number;
  if (obj.alg !== 'ed25519') {
    throw new NodeTrustError(
      Code.INVALID_FIELD,
      `${field}.alg`,
      `must be "ed25519" (the only algorithm of v1)`,
      obj.alg,
    );
  }
  const publicKeyB64 = obj.public_key;
  const raw = decodeBase64Strict(publicKeyB64, 32);
  if (!raw) {
    throw new NodeTrustError(
      Code.INVALID_PUBLIC_KEY,
      `${field}.public_key`,
      `must be canonical standard base64 of a raw 32-byte Ed25519 key (44 characters)`,
      publicKeyB64,
    );
  }
  const kid = computeKid(keyName, version, publicKeyB64 as string);
  if (obj.kid !== kid) {
    throw new NodeTrustError(
      Code.KID_MISMATCH,
      `${field}.kid`,
      `must be "${kid}" (<key>:v<version>:<sha256 prefix of public_key>)`,
      obj.kid,
    );
  }
  const state = obj.state as VerifierState;
  const untilMs = state === 'grace' ? parseIsoUtc(obj.until) : undefined;
  const key = preparePublicKey(raw);
  if (!key.ok) {
    throw new NodeTrustError(
      Code.INVALID_PUBLIC_KEY,
      `${field}.public_key`,
      `is not a usable Ed25519 public key (${key.reason})`,
      publicKeyB64,
    );
  }
  const entry: VerifierEntry = Object.freeze(
    state === 'grace'
      ? { alg: 'ed25519' as const, kid, public_key: publicKeyB64 as string, state, until: obj.until as string, version }
      : { alg: 'ed25519' as const, kid, public_key: publicKeyB64 as string, state, version },
  );
  return { entry, key, untilMs };
}

function checkVersions(entries: readonly CompiledEntry[], field: string): void {
  throwFirst(
    keySetOrderProblems(
      entries.map((e) => e.entry),
      field,
    ),
    () => entries.map((e) => `v${e.entry.version} ${e.entry.state}`),
  );
}

/** The node's error code for each kernel key set problem. */
const CODE_OF: Readonly<Record<string, Code>> = {
  [KeySetProblem.VERSION]: Code.INVALID_VERSIONS,
  [KeySetProblem.STATE]: Code.INVALID_FIELD,
  [KeySetProblem.UNTIL_MISSING]: Code.INVALID_DATE,
  [KeySetProblem.UNTIL_TIME]: Code.INVALID_DATE,
  [KeySetProblem.UNTIL_NOT_GRACE]: Code.INVALID_FIELD,
};

/** Throws the first kernel problem as a {@link NodeTrustError} (set-level problems: INVALID_VERSIONS). */
function throwFirst(problems: readonly Problem[], receivedAt: (path: string) => unknown): void {
  const p = problems[0];
  if (p) throw new NodeTrustError(CODE_OF[p.code] ?? Code.INVALID_VERSIONS, p.path, p.message, receivedAt(p.path));
}
