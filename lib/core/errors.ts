/**
 * Every error this library raises is built here, so messages stay consistent:
 * each one says what is wrong, quotes the value received, and says how to fix it.
 */

/** Stable error codes. Tests and tools match on these, never on message text alone. */
export enum ErrorCode {
  INVALID_NAME = 'PT001',
  INVALID_MOUNT_PATH = 'PT002',
  INVALID_VERSION = 'PT003',
  INVALID_ACTIVE_VERSION = 'PT004',
  INVALID_GRACE = 'PT005',
  INVALID_DATE = 'PT006',
  INVALID_KEY_TYPE = 'PT007',
  INVALID_CAPABILITY = 'PT008',
  INVALID_POLICY_PATH = 'PT009',
  DUPLICATE = 'PT010',
  INVALID_URL = 'PT011',
  INVALID_PROP = 'PT012',
  PATH_OUTSIDE_MOUNT = 'PT013',
  MISSING_GRANTEE = 'PT014',
  INVALID_SEQUENCE = 'PT015',
  SAME_BUNDLE_PATH = 'PT016',
  SECRET_IN_CONFIG = 'PT017',
  INVALID_TTL = 'PT018',
  SAME_SIGNING_KEY = 'PT019',
}

/** An error raised at synth time (or by a pure model function) for a bad input. */
export class PlatformTrustError extends Error {
  public readonly code: ErrorCode;
  public readonly received: unknown;

  constructor(code: ErrorCode, what: string, received: unknown, fix: string) {
    super(`[${code}] ${what} Received: ${quote(received)}. Fix: ${fix}`);
    this.name = 'PlatformTrustError';
    this.code = code;
    this.received = received;
  }
}

/** Renders a received value for a message: strings quoted, everything else as JSON. */
export function quote(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export function invalidName(kind: string, value: unknown, reason: string, fix: string): PlatformTrustError {
  return new PlatformTrustError(ErrorCode.INVALID_NAME, `Invalid ${kind}: ${reason}.`, value, fix);
}

export function invalidMountPath(kind: string, value: unknown, reason: string): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.INVALID_MOUNT_PATH,
    `Invalid ${kind}: ${reason}.`,
    value,
    'use one or more lower-case segments of letters, digits, "-" or "_" separated by single "/", with no leading or trailing "/" (for example "platform/kv").',
  );
}

export function invalidVersion(what: string, value: unknown, fix: string): PlatformTrustError {
  return new PlatformTrustError(ErrorCode.INVALID_VERSION, what, value, fix);
}

export function invalidActiveVersion(what: string, value: unknown, fix: string): PlatformTrustError {
  return new PlatformTrustError(ErrorCode.INVALID_ACTIVE_VERSION, what, value, fix);
}

export function invalidGrace(what: string, value: unknown, fix: string): PlatformTrustError {
  return new PlatformTrustError(ErrorCode.INVALID_GRACE, what, value, fix);
}

export function invalidDate(kind: string, value: unknown): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.INVALID_DATE,
    `Invalid ${kind}: expected an ISO 8601 UTC date-time.`,
    value,
    'write it as "YYYY-MM-DDTHH:MM:SSZ" (for example "2026-12-31T00:00:00Z"); dates come from code, never from the clock at synth time.',
  );
}

export function invalidKeyType(value: unknown, allowed: readonly string[]): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.INVALID_KEY_TYPE,
    'Task signing keys must be asymmetric: shared-secret (HMAC) and symmetric key types cannot be published to nodes as verifiers.',
    value,
    `use one of ${allowed.map((a) => JSON.stringify(a)).join(', ')} (the default is "ed25519").`,
  );
}

export function invalidCapability(value: unknown, allowed: readonly string[]): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.INVALID_CAPABILITY,
    'Unknown or forbidden Vault policy capability.',
    value,
    `use only ${allowed.map((a) => JSON.stringify(a)).join(', ')}; "sudo" is never granted by this library.`,
  );
}

export function invalidPolicyPath(value: unknown, reason: string): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.INVALID_POLICY_PATH,
    `Invalid Vault policy path: ${reason}.`,
    value,
    'give a path relative to the Vault API root without a leading "/", without ".." segments and without "*" unless a trailing glob is really needed (for example "kv/data/apps/billing").',
  );
}

export function duplicate(kind: string, value: unknown, fix: string): PlatformTrustError {
  return new PlatformTrustError(ErrorCode.DUPLICATE, `Duplicate ${kind}.`, value, fix);
}

export function invalidUrl(kind: string, value: unknown, reason: string): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.INVALID_URL,
    `Invalid ${kind}: ${reason}.`,
    value,
    'give an absolute https:// URL with a host name and no credentials, query or fragment (for example "https://control.example.internal").',
  );
}

export function invalidProp(what: string, value: unknown, fix: string): PlatformTrustError {
  return new PlatformTrustError(ErrorCode.INVALID_PROP, what, value, fix);
}

export function pathOutsideMount(path: unknown, mount: string): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.PATH_OUTSIDE_MOUNT,
    `A secret path must be relative to the KV mount "${mount}" and stay inside it.`,
    path,
    `pass the path inside the mount without the mount prefix, without a leading "/" and without ".." (for example "apps/billing/db").`,
  );
}

export function missingGrantee(what: string): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.MISSING_GRANTEE,
    `${what} needs a consumer to grant to.`,
    undefined,
    'pass the consumer (an AppRoleConsumer or a VaultPolicy) as the first argument.',
  );
}

export function invalidSequence(what: string, value: unknown, fix: string): PlatformTrustError {
  return new PlatformTrustError(ErrorCode.INVALID_SEQUENCE, what, value, fix);
}

export function sameBundlePath(value: unknown): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.SAME_BUNDLE_PATH,
    'The public HTTPS trust bundle, the node-cert CA bundle and the task verifier set must be written to three different files.',
    value,
    'give GPUAAS_CA_BUNDLE_PATH, GPUAAS_NODE_CERT_CA_BUNDLE_PATH and the verifier file three distinct paths (the defaults already differ).',
  );
}

export function secretInConfig(where: string, value: unknown): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.SECRET_IN_CONFIG,
    `A secret-looking literal was found in ${where}; anything passed as a prop lands in cdk.tf.json.`,
    value,
    'pass secrets as sensitive Terraform variables or let Vault generate them at apply time.',
  );
}

export function invalidTtl(kind: string, value: unknown, fix: string): PlatformTrustError {
  return new PlatformTrustError(ErrorCode.INVALID_TTL, `Invalid ${kind}.`, value, fix);
}
