/**
 * Errors raised by the node-side parsers (`parseVerifierSet`, `parseBundleKeySet`, `renderVerifierSet`,
 * `validateBundle`, `bundleKeyPin`, `spkiPin`, `materializeBundle`). Verification functions never throw on bad input: they return `{ ok: false, reason }`.
 */
import { findSecretMaterial } from './secret-scan';

/** Stable error codes; tests and tools match on these, never on message text alone. */
export enum NodeTrustErrorCode {
  /** The value is not valid JSON, or not the expected JSON shape. */
  MALFORMED = 'NT001',
  /** A field is missing, unknown, or of the wrong type. */
  INVALID_FIELD = 'NT002',
  /** A key version rule (sorted, unique, >= 1, active/next/grace ordering) is broken. */
  INVALID_VERSIONS = 'NT003',
  /** A `kid` does not match `<key>:v<version>:<sha256 prefix>`. */
  KID_MISMATCH = 'NT004',
  /** A public key is not a strict, canonical, prime-order Ed25519 point. */
  INVALID_PUBLIC_KEY = 'NT005',
  /** A date is not ISO 8601 UTC (`YYYY-MM-DDTHH:MM:SS[.fff]Z`). */
  INVALID_DATE = 'NT006',
  /** The text is valid but not the canonical compact rendering. */
  NOT_CANONICAL = 'NT007',
  /** A certificate or PEM block is malformed or not what the field requires. */
  INVALID_CERTIFICATE = 'NT008',
  /** Two of the three bundle paths are equal, or a path is not an absolute normalized path. */
  INVALID_PATH = 'NT009',
  /** The public HTTPS trust and the node-cert trust share a certificate or key. */
  MIXED_TRUST = 'NT010',
  /** A rendered value holds secret material (private key, Vault token, Vault address, AppRole id/secret). */
  SECRET_MATERIAL = 'NT011',
  /** The `env` block disagrees with the fields it mirrors. */
  INCONSISTENT_ENV = 'NT012',
  /** Writing a file failed. */
  WRITE_FAILED = 'NT013',
  /** A key set of one kind (task verifiers, bundle keys) is given where the other kind is expected. */
  WRONG_KEY_KIND = 'NT014',
  /** A key name or public key is used both for tasks and for bundles (bundle format v2). */
  KEY_REUSE = 'NT015',
}

/** What to do about each kind of refused value, when the thrower gives no more specific fix. */
export const NODE_TRUST_DEFAULT_FIX: Readonly<Record<NodeTrustErrorCode, string>> = Object.freeze({
  [NodeTrustErrorCode.MALFORMED]: 'pass the text exactly as the control plane serves it (JSON, unmodified)',
  [NodeTrustErrorCode.INVALID_FIELD]:
    'render the value again with the library (BootstrapBundle, TaskSigningKey, BundleSigningKey) instead of editing it by hand',
  [NodeTrustErrorCode.INVALID_VERSIONS]:
    'keep versions whole, unique and sorted, with exactly one active version, at most one next version above it and grace versions below it (TaskSigningKey and BundleSigningKey render such sets)',
  [NodeTrustErrorCode.KID_MISMATCH]: 'recompute the kid from the key name, the version and the public key (computeKid)',
  [NodeTrustErrorCode.INVALID_PUBLIC_KEY]:
    'use the raw 32-byte Ed25519 public key that Vault transit reports, in canonical standard base64',
  [NodeTrustErrorCode.INVALID_DATE]: 'write the date as ISO 8601 UTC, for example "2026-12-31T00:00:00Z"',
  [NodeTrustErrorCode.NOT_CANONICAL]: 'render the value with the library (renderVerifierSet, renderBundleKeySet)',
  [NodeTrustErrorCode.INVALID_CERTIFICATE]: 'give each entry as one PEM CA certificate, as Vault PKI returns it',
  [NodeTrustErrorCode.INVALID_PATH]:
    'give absolute, normalized file paths, a different one for each of the three files (defaults: DEFAULT_PATHS)',
  [NodeTrustErrorCode.MIXED_TRUST]:
    'take the public HTTPS roots and the node-cert CA chain from two different CAs (ControlPlaneTrust and NodeCertAuthority)',
  [NodeTrustErrorCode.SECRET_MATERIAL]:
    'remove it: nothing rendered for nodes may hold a Vault address, a token, an AppRole id or secret, or a private key',
  [NodeTrustErrorCode.INCONSISTENT_ENV]: 'render the env block from the fields it mirrors (BootstrapBundle does)',
  [NodeTrustErrorCode.WRITE_FAILED]: 'check that rootDir exists, is a directory and is writable by the agent',
  [NodeTrustErrorCode.WRONG_KEY_KIND]:
    'pass task verifier sets where tasks are verified and bundle key sets where bundles are verified',
  [NodeTrustErrorCode.KEY_REUSE]: 'give the bundle signing key its own transit key and key material',
});

/** Stands in for a received value that holds, or may hold, secret material: it never reaches a message. */
export const REDACTED_VALUE = '<redacted>';

/**
 * A value refused by a node-side parser, in the library's error shape (the same as `PlatformTrustError`): the
 * code, what went wrong, the value received and the fix. Message:
 * `[NT0nn] <field>: <problem>. Received: <value>. Fix: <fix>`. The value is shortened, and replaced by
 * `<redacted>` when it looks like secret material.
 */
export class NodeTrustError extends Error {
  /** Stable error code (`NT0nn`), also at the start of the message. */
  public readonly code: NodeTrustErrorCode;
  /** Dotted path of the offending field (`keys[1].kid`), or `value` for the whole input. */
  public readonly field: string;
  /** What went wrong with the field, without the value. */
  public readonly problem: string;
  /** The value received (as given; the message shows it shortened or redacted). */
  public readonly received: unknown;
  /** How to fix it. */
  public readonly fix: string;

  constructor(code: NodeTrustErrorCode, field: string, problem: string, received: unknown, fix?: string) {
    const theFix = fix ?? NODE_TRUST_DEFAULT_FIX[code];
    super(`[${code}] ${field}: ${problem}. Received: ${showReceived(received)}. Fix: ${theFix}`);
    this.name = 'NodeTrustError';
    this.code = code;
    this.field = field;
    this.problem = problem;
    this.received = received;
    this.fix = theFix;
  }
}

/** `show(value)`, or `<redacted>` when the rendering holds secret material. */
function showReceived(value: unknown): string {
  if (value === REDACTED_VALUE) return value;
  const text = show(value);
  return findSecretMaterial(value, text) !== undefined ? REDACTED_VALUE : text;
}

/** Renders a received value for a message, shortened so a message never carries a whole payload. */
export function show(value: unknown): string {
  let text: string;
  if (value === undefined) text = 'undefined';
  else if (typeof value === 'string') text = JSON.stringify(value);
  else if (typeof value === 'bigint') text = `${value}n`;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Short description of a thrown value, for `detail` fields. */
export function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
