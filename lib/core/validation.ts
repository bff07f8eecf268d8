import { Token } from 'cdktf';
import {
  invalidDate,
  invalidMountPath,
  invalidName,
  invalidUrl,
  invalidVersion,
  invalidTtl,
  duplicate,
} from './errors';
import { parseIsoUtc as parseIsoUtcText } from '../kernel/iso-time';
import { mountPathsOverlap } from '../kernel/paths';

/** Longest name accepted for keys, roles and policies (Vault allows more, but names appear in paths and ids). */
export const MAX_NAME_LENGTH = 64;
/** Longest mount path accepted. */
export const MAX_MOUNT_PATH_LENGTH = 128;

const NAME_RE = /^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$/;
const SEGMENT_RE = /^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$/;

/** True when `value` is (or contains) an unresolved cdktf token; checks skip such values. */
export function isToken(value: unknown): boolean {
  if (typeof value === 'string') return Token.isUnresolved(value);
  if (typeof value === 'number') return Token.isUnresolved(value);
  return false;
}

/**
 * Validates a Vault object name (transit key, role, policy, consumer).
 * Lower case letters, digits, "-" and "_"; starts and ends with a letter or digit; at most 64 characters.
 * Tokens are accepted unchecked.
 * @returns the name
 */
export function validateName(kind: string, value: string, example = 'node-task-signer'): string {
  if (isToken(value)) return value;
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidName(
      kind,
      value,
      'it is empty',
      `give the ${kind} a non-empty name such as ${JSON.stringify(example)}.`,
    );
  }
  if (value.length > MAX_NAME_LENGTH) {
    throw invalidName(
      kind,
      value,
      `it is ${value.length} characters long, the limit is ${MAX_NAME_LENGTH}`,
      `shorten the ${kind} to at most ${MAX_NAME_LENGTH} characters.`,
    );
  }
  if (value.includes('/')) {
    throw invalidName(
      kind,
      value,
      'it contains "/", which Vault would read as a path separator',
      `replace "/" with "-" (for example ${JSON.stringify(value.replace(/\//g, '-'))}).`,
    );
  }
  if (/\s/.test(value)) {
    throw invalidName(
      kind,
      value,
      'it contains whitespace',
      'remove spaces, tabs and newlines; use "-" between words.',
    );
  }
  if (value !== value.toLowerCase()) {
    throw invalidName(
      kind,
      value,
      'it contains upper-case letters; Vault lower-cases some names (policies) and not others, so mixed case drifts',
      `use ${JSON.stringify(value.toLowerCase())}.`,
    );
  }
  if (!NAME_RE.test(value)) {
    throw invalidName(
      kind,
      value,
      'only letters a-z, digits, "-" and "_" are allowed, starting and ending with a letter or digit',
      `use a name such as ${JSON.stringify(sanitize(value))}.`,
    );
  }
  return value;
}

function sanitize(value: string): string {
  const s = value
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
  return s.length > 0 ? s.slice(0, MAX_NAME_LENGTH) : 'name';
}

/**
 * Validates a Vault mount path ("transit", "platform/kv"): lower-case segments separated by single "/",
 * no leading or trailing "/", no "." or ".." segments, at most 128 characters.
 * Tokens are accepted unchecked.
 * @returns the path
 */
export function validateMountPath(kind: string, value: string): string {
  if (isToken(value)) return value;
  if (typeof value !== 'string' || value.length === 0) throw invalidMountPath(kind, value, 'it is empty');
  if (value.length > MAX_MOUNT_PATH_LENGTH) {
    throw invalidMountPath(kind, value, `it is ${value.length} characters long, the limit is ${MAX_MOUNT_PATH_LENGTH}`);
  }
  if (value.startsWith('/') || value.endsWith('/')) {
    throw invalidMountPath(kind, value, 'it starts or ends with "/"');
  }
  if (/\s/.test(value)) throw invalidMountPath(kind, value, 'it contains whitespace');
  for (const segment of value.split('/')) {
    if (segment === '..' || segment === '.') throw invalidMountPath(kind, value, `it contains a "${segment}" segment`);
    if (segment.length === 0) throw invalidMountPath(kind, value, 'it contains an empty segment ("//")');
    if (segment !== segment.toLowerCase()) throw invalidMountPath(kind, value, 'it contains upper-case letters');
    if (!SEGMENT_RE.test(segment)) {
      throw invalidMountPath(
        kind,
        value,
        `segment ${JSON.stringify(segment)} has characters other than a-z, 0-9, "-" and "_"`,
      );
    }
  }
  return value;
}

/** Mount paths of the same Vault server must neither repeat nor nest ("kv" and "kv/apps" overlap). */
export function validateDistinctMountPaths(
  paths: ReadonlyArray<{ readonly kind: string; readonly path: string }>,
): void {
  const concrete = paths.filter((p) => !isToken(p.path));
  for (let i = 0; i < concrete.length; i++) {
    for (let j = i + 1; j < concrete.length; j++) {
      const a = concrete[i];
      const b = concrete[j];
      if (mountPathsOverlap(a.path, b.path)) {
        throw duplicate(
          `or overlapping mount path: ${a.kind} and ${b.kind} both use it`,
          [a.path, b.path],
          'give every mount its own path, none a prefix of another (for example "platform/transit", "platform/kv", "platform/pki-nodes").',
        );
      }
    }
  }
}

/**
 * Validates a key version: an integer of at least 1 (Vault numbers key versions from 1).
 * Tokens are accepted unchecked.
 */
export function validateVersion(kind: string, value: number): number {
  if (isToken(value)) return value;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalidVersion(
      `Invalid ${kind}: key versions are whole numbers starting at 1.`,
      value,
      `use an integer of 1 or more (Vault creates version 1 with the key; each rotation adds one).`,
    );
  }
  return value;
}

/**
 * Parses an ISO 8601 UTC date-time ("2026-12-31T00:00:00Z") strictly, by the kernel's one grammar
 * (`lib/kernel/iso-time.ts`: 1 to 9 fraction digits, years 1970-9999); returns epoch milliseconds. Throws a
 * PlatformTrustError (PT006) otherwise.
 */
export function parseIsoUtc(kind: string, value: string): number {
  const ms = parseIsoUtcText(value);
  if (ms === undefined) throw invalidDate(kind, value);
  return ms;
}

/** Validates a control-plane URL: absolute https with a host, no credentials, query or fragment. */
export function validateHttpsUrl(kind: string, value: string): string {
  if (isToken(value)) return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidUrl(kind, value, 'it is not an absolute URL');
  }
  if (url.protocol !== 'https:')
    throw invalidUrl(kind, value, `the scheme is "${url.protocol.replace(':', '')}", nodes only talk https`);
  if (!url.hostname) throw invalidUrl(kind, value, 'it has no host');
  if (url.username || url.password) throw invalidUrl(kind, value, 'it carries credentials');
  if (url.search || url.hash) throw invalidUrl(kind, value, 'it has a query or fragment');
  return value;
}

/** Validates a duration in seconds: a whole number within [min, max]. */
export function validateSeconds(kind: string, value: number, min: number, max: number): number {
  if (isToken(value)) return value;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidTtl(kind, value, `give a whole number of seconds between ${min} and ${max}.`);
  }
  return value;
}
