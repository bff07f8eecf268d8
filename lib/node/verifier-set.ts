/**
 * The task verifier set (`GPUAAS_TASK_SIGNING_PUBKEYS`, format v1): strict parsing, canonical
 * rendering and key ids.
 */
import { createHash } from 'node:crypto';
import { decodeBase64Strict } from './base64';
import { BoundedCache } from './bounded-cache';
import { PreparedKey, preparePublicKey } from './ed25519-rules';
import { NodeTrustError, NodeTrustErrorCode as Code, show } from './errors';
import { PUBKEYS_FORMAT_V1, VerifierEntry, VerifierSetV1, VerifierState } from './formats';
import { parseIsoUtc } from './iso-time';
import { expectObject } from './json-shape';

/** Highest key version accepted (Vault key versions are 32-bit integers). */
export const MAX_KEY_VERSION = 2147483647;
/** Most entries a verifier set may hold. */
export const MAX_VERIFIER_ENTRIES = 32;
/** Longest `GPUAAS_TASK_SIGNING_PUBKEYS` text accepted. */
export const MAX_VERIFIER_SET_LENGTH = 16384;

/** Transit key names: letters, digits, `_`, `.`, `-`; no `:` (the kid separator) and no `/`. */
const KEY_NAME_RE = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,126}[A-Za-z0-9])?$/;
const STATES: readonly VerifierState[] = ['next', 'active', 'grace'];
const SET_FIELDS = ['format', 'key', 'keys'];
// Canonical order = keys sorted, which is how Terraform's jsonencode renders the set at apply time.
const ENTRY_FIELDS = ['alg', 'kid', 'public_key', 'state', 'until', 'version'];

/** One verifier entry with its decoded key, ready for verification. */
export interface CompiledEntry {
  readonly entry: VerifierEntry;
  readonly key: PreparedKey;
  /** `until` in epoch milliseconds, for `grace` entries. */
  readonly untilMs?: number;
}

/** A validated verifier set with its canonical text and entries by version. */
export interface CompiledVerifierSet {
  readonly set: VerifierSetV1;
  readonly rendered: string;
  readonly byVersion: ReadonlyMap<number, CompiledEntry>;
}

/**
 * Key id of a verifier entry: `<keyName>:v<version>:<first 16 hex chars of SHA-256 over the UTF-8
 * bytes of the public_key base64 text>`.
 */
export function computeKid(keyName: string, version: number, publicKeyB64: string): string {
  if (typeof keyName !== 'string' || typeof publicKeyB64 !== 'string' || !Number.isSafeInteger(version)) {
    throw new TypeError('computeKid(keyName: string, version: integer, publicKeyB64: string)');
  }
  const digest = createHash('sha256').update(publicKeyB64, 'utf8').digest('hex');
  return `${keyName}:v${version}:${digest.slice(0, 16)}`;
}

/**
 * Parses the value of `GPUAAS_TASK_SIGNING_PUBKEYS` (format v1). Throws a {@link NodeTrustError}
 * naming the field and rule when:
 * - the text is longer than 16 KiB, or not JSON, or not an object;
 * - a field is missing or unknown (top level: `format`, `key`, `keys`; entries: `version`, `kid`,
 *   `alg`, `public_key`, `state`, and `until` for `grace` only);
 * - `format` is not `gpuaas-task-signing-pubkeys/v1`; `key` is not a transit key name;
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
  if (typeof value !== 'string') {
    throw new NodeTrustError(Code.MALFORMED, 'value', `expected a string, received ${typeof value}`);
  }
  return parseCompiled(value).set;
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
  return compileValue(value, field).set;
}

const byText = new BoundedCache<string, CompiledVerifierSet>(64);
const byObject = new WeakMap<object, CompiledVerifierSet>();

/** Internal: a verifier set given as text or object, validated once and cached. Throws NodeTrustError. */
export function compileVerifierSet(input: unknown, field = 'value'): CompiledVerifierSet {
  if (typeof input === 'string') return parseCompiled(input);
  if (typeof input === 'object' && input !== null) {
    const cached = byObject.get(input);
    if (cached) return cached;
  }
  return compileValue(input, field);
}

function parseCompiled(text: string): CompiledVerifierSet {
  const cached = byText.get(text);
  if (cached) return cached;
  if (text.length > MAX_VERIFIER_SET_LENGTH) {
    throw new NodeTrustError(
      Code.MALFORMED,
      'value',
      `is ${text.length} characters, the limit is ${MAX_VERIFIER_SET_LENGTH}`,
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
    );
  }
  const compiled = compileValue(value, 'value');
  if (compiled.rendered !== text) {
    throw new NodeTrustError(
      Code.NOT_CANONICAL,
      'value',
      'is a valid verifier set but not its canonical compact rendering',
      'render it with renderVerifierSet (no whitespace; keys sorted at every level: format, key, keys and alg, kid, public_key, state, until, version; as Terraform jsonencode renders it)',
    );
  }
  return byText.set(text, compiled);
}

function compileValue(value: unknown, field: string): CompiledVerifierSet {
  const obj = expectObject(value, field, SET_FIELDS, SET_FIELDS);
  if (obj.format !== PUBKEYS_FORMAT_V1) {
    throw new NodeTrustError(
      Code.INVALID_FIELD,
      `${field}.format`,
      `must be "${PUBKEYS_FORMAT_V1}", received ${show(obj.format)}`,
    );
  }
  if (typeof obj.key !== 'string' || !KEY_NAME_RE.test(obj.key)) {
    throw new NodeTrustError(
      Code.INVALID_FIELD,
      `${field}.key`,
      `must be a transit key name (1-128 of A-Z a-z 0-9 _ . -, starting and ending with a letter or digit), received ${show(obj.key)}`,
    );
  }
  const keyName = obj.key;
  if (!Array.isArray(obj.keys) || obj.keys.length === 0 || obj.keys.length > MAX_VERIFIER_ENTRIES) {
    throw new NodeTrustError(
      Code.INVALID_FIELD,
      `${field}.keys`,
      `must be an array of 1 to ${MAX_VERIFIER_ENTRIES} entries`,
    );
  }
  const compiled = obj.keys.map((entry: unknown, i: number) => compileEntry(entry, `${field}.keys[${i}]`, keyName));
  checkVersions(compiled, `${field}.keys`);
  const set: VerifierSetV1 = Object.freeze({
    format: PUBKEYS_FORMAT_V1,
    key: keyName,
    keys: Object.freeze(compiled.map((c) => c.entry)),
  });
  const result: CompiledVerifierSet = Object.freeze({
    set,
    rendered: JSON.stringify(set),
    byVersion: new Map(compiled.map((c) => [c.entry.version, c])),
  });
  byObject.set(set, result);
  return result;
}

function compileEntry(value: unknown, field: string, keyName: string): CompiledEntry {
  const obj = expectObject(value, field, ENTRY_FIELDS, ['version', 'kid', 'alg', 'public_key', 'state']);
  const version = obj.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version > MAX_KEY_VERSION) {
    throw new NodeTrustError(
      Code.INVALID_VERSIONS,
      `${field}.version`,
      `must be an integer from 1 to ${MAX_KEY_VERSION}, received ${show(version)}`,
    );
  }
  if (obj.alg !== 'ed25519') {
    throw new NodeTrustError(
      Code.INVALID_FIELD,
      `${field}.alg`,
      `must be "ed25519" (the only algorithm of v1), received ${show(obj.alg)}`,
    );
  }
  const publicKeyB64 = obj.public_key;
  const raw = decodeBase64Strict(publicKeyB64, 32);
  if (!raw) {
    throw new NodeTrustError(
      Code.INVALID_PUBLIC_KEY,
      `${field}.public_key`,
      `must be canonical standard base64 of a raw 32-byte Ed25519 key (44 characters), received ${show(publicKeyB64)}`,
    );
  }
  const kid = computeKid(keyName, version, publicKeyB64 as string);
  if (obj.kid !== kid) {
    throw new NodeTrustError(
      Code.KID_MISMATCH,
      `${field}.kid`,
      `must be "${kid}" (<key>:v<version>:<sha256 prefix of public_key>), received ${show(obj.kid)}`,
    );
  }
  const state = obj.state as VerifierState;
  if (!STATES.includes(state)) {
    throw new NodeTrustError(
      Code.INVALID_FIELD,
      `${field}.state`,
      `must be "next", "active" or "grace", received ${show(obj.state)}`,
    );
  }
  let untilMs: number | undefined;
  if (state === 'grace') {
    untilMs = parseIsoUtc(obj.until);
    if (untilMs === undefined) {
      throw new NodeTrustError(
        Code.INVALID_DATE,
        `${field}.until`,
        `a grace entry needs an explicit end, ISO 8601 UTC like "2026-01-31T00:00:00Z"; received ${show(obj.until)}`,
      );
    }
  } else if (obj.until !== undefined) {
    throw new NodeTrustError(
      Code.INVALID_FIELD,
      `${field}.until`,
      `only grace entries carry "until" (this entry is "${state}")`,
    );
  }
  const key = preparePublicKey(raw);
  if (!key.ok) {
    throw new NodeTrustError(
      Code.INVALID_PUBLIC_KEY,
      `${field}.public_key`,
      `is not a usable Ed25519 public key (${key.reason})`,
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
  for (let i = 1; i < entries.length; i++) {
    if (entries[i].entry.version <= entries[i - 1].entry.version) {
      throw new NodeTrustError(
        Code.INVALID_VERSIONS,
        `${field}[${i}].version`,
        `versions must be unique and sorted ascending; ${entries[i].entry.version} follows ${entries[i - 1].entry.version}`,
      );
    }
  }
  const active = entries.filter((e) => e.entry.state === 'active');
  if (active.length !== 1) {
    throw new NodeTrustError(
      Code.INVALID_VERSIONS,
      field,
      `exactly one entry must be "active", found ${active.length}`,
    );
  }
  const activeVersion = active[0].entry.version;
  const next = entries.filter((e) => e.entry.state === 'next');
  if (next.length > 1) {
    throw new NodeTrustError(Code.INVALID_VERSIONS, field, `at most one entry may be "next", found ${next.length}`);
  }
  if (next.length === 1 && next[0] !== entries[entries.length - 1]) {
    throw new NodeTrustError(
      Code.INVALID_VERSIONS,
      field,
      `the "next" entry (v${next[0].entry.version}) must have the highest version`,
    );
  }
  for (const e of entries) {
    if (e.entry.state === 'grace' && e.entry.version > activeVersion) {
      throw new NodeTrustError(
        Code.INVALID_VERSIONS,
        field,
        `grace entry v${e.entry.version} must be older than the active version v${activeVersion}`,
      );
    }
  }
}
