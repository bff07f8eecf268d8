/**
 * Errors raised by the node-side parsers (`parseVerifierSet`, `parseBundleKeySet`, `renderVerifierSet`,
 * `validateBundle`, `bundleKeyPin`, `spkiPin`, `materializeBundle`). Verification functions never throw on bad input: they return `{ ok: false, reason }`.
 */

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

/** A value refused by a node-side parser. The message names the field, the rule and the fix. */
export class NodeTrustError extends Error {
  public readonly code: NodeTrustErrorCode;
  /** Dotted path of the offending field (`keys[1].kid`), or `value` for the whole input. */
  public readonly field: string;

  constructor(code: NodeTrustErrorCode, field: string, problem: string, fix?: string) {
    super(`[${code}] ${field}: ${problem}${fix ? `. Fix: ${fix}` : ''}`);
    this.name = 'NodeTrustError';
    this.code = code;
    this.field = field;
  }
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
