/**
 * Every error this library raises is built here, so messages stay consistent:
 * each one says what is wrong, quotes the value received, and says how to fix it.
 */

/** Stable error codes. Tests and tools match on these, never on message text alone. */
export enum ErrorCode {
  /** A Vault object name (transit key, role, policy, consumer) that is empty, too long or badly formed. */
  INVALID_NAME = 'PT001',
  /** A mount path that is not lower-case segments separated by single "/". */
  INVALID_MOUNT_PATH = 'PT002',
  /**
   * A key version that is not a whole number from 1, is not a literal in code, goes down, or is not in the key set.
   */
  INVALID_VERSION = 'PT003',
  /** An active (signing) version above the key's latest version. */
  INVALID_ACTIVE_VERSION = 'PT004',
  /**
   * A grace entry that is malformed, duplicated, out of order, or not for a version older than the active one.
   */
  INVALID_GRACE = 'PT005',
  /** A date that is not an ISO 8601 UTC date-time. */
  INVALID_DATE = 'PT006',
  /** A task signing key type that is unknown or not asymmetric (HMAC, symmetric). */
  INVALID_KEY_TYPE = 'PT007',
  /** A Vault policy capability that is unknown or forbidden (`sudo`). */
  INVALID_CAPABILITY = 'PT008',
  /** A Vault policy path that is empty, absolute or malformed ("." or ".." segments, a misplaced "*", quotes). */
  INVALID_POLICY_PATH = 'PT009',
  /** A name, key or value declared twice where it must be unique. */
  DUPLICATE = 'PT010',
  /** A URL that is not an absolute https:// URL with a host and no credentials, query or fragment. */
  INVALID_URL = 'PT011',
  /**
   * Retired: it covered every failure that had no code of its own. Each of those families has its own code now
   * (PT020 to PT036); nothing raises PT012 and the number is never given another meaning.
   * @deprecated match on the family's own code.
   */
  INVALID_PROP = 'PT012',
  /** A KV secret path that is absolute, has ".." segments or leaves its mount. */
  PATH_OUTSIDE_MOUNT = 'PT013',
  /** A grant made without a consumer to grant to. */
  MISSING_GRANTEE = 'PT014',
  /** A bundle sequence that is not a whole number of at least 1. */
  INVALID_SEQUENCE = 'PT015',
  /** Two of the bundle's three node files share a path. */
  SAME_BUNDLE_PATH = 'PT016',
  /** A secret-looking literal passed as a prop (it would land in `cdk.tf.json`). */
  SECRET_IN_CONFIG = 'PT017',
  /** A duration in seconds (TTL, max TTL, period) outside its bounds or above what issues it. */
  INVALID_TTL = 'PT018',
  /** The bundle signing key and the task signing key are the same transit key. */
  SAME_SIGNING_KEY = 'PT019',
  /** A CIDR block Vault would refuse or that binds nothing. */
  INVALID_CIDR = 'PT020',
  /** A KV secret path that is malformed, outside the layout's categories, or in a category nothing is seeded in. */
  INVALID_SECRET_PATH = 'PT021',
  /** A file path on a node or on the Vault server (bundle files, audit file) that is not absolute and normalized. */
  INVALID_FILE_PATH = 'PT022',
  /** A literal that Terraform, cdktf or the server configuration would not carry unchanged (non-ASCII, quotes, "${"). */
  UNSAFE_LITERAL = 'PT023',
  /** A required input is absent (a config section, a key, a date, a name list). */
  MISSING_CONFIG = 'PT024',
  /** Two inputs that exclude each other are both given, or two grants disagree. */
  CONFLICTING_CONFIG = 'PT025',
  /** A certificate (PEM) that is malformed or not the kind of certificate the field needs. */
  INVALID_CERTIFICATE = 'PT026',
  /** CA roots and their rotation states that do not make one consistent trust (current, next, previous). */
  INVALID_TRUST_ROOTS = 'PT027',
  /** A value outside the fixed set a prop accepts (an enum member, a variable type, a file mode). */
  INVALID_OPTION = 'PT028',
  /** A count (versions kept, secret id uses) that is not a whole number in range. */
  INVALID_COUNT = 'PT029',
  /** An option this release declares no resources for. */
  UNSUPPORTED = 'PT030',
  /** A literal given where a Terraform reference (a token from another construct) is required. */
  EXPECTED_REFERENCE = 'PT031',
  /** A policy rule with no capabilities, or a parameter constraint Vault would never match. */
  INVALID_POLICY_RULE = 'PT032',
  /** Vault policy text that cannot be read (HCL or JSON), with line and column. */
  POLICY_PARSE = 'PT033',
  /** Input to the plan review tools that is not the JSON of a saved plan. */
  INVALID_PLAN_JSON = 'PT034',
  /** A suppression that names an unknown rule, has no (long enough) reason, or targets nothing. */
  INVALID_SUPPRESSION = 'PT035',
  /** A suppression of a rule that guards key custody or secrets: such findings cannot be suppressed. */
  UNSUPPRESSIBLE_RULE = 'PT036',
  /** A bundle expiry, refresh hint, expiry margin, validity bound or rollout window that is missing or out of range. */
  INVALID_FRESHNESS = 'PT037',
  /** A revocation or compromised-version list that is malformed or contradicts the schedule it applies to. */
  INVALID_REVOCATION = 'PT038',
}

/** Codes that nothing raises any more; their numbers are never reused. */
export const RETIRED_ERROR_CODES: readonly ErrorCode[] = Object.freeze([ErrorCode.INVALID_PROP]);

/** An error raised at synth time (or by a pure model function) for a bad input. */
export class PlatformTrustError extends Error {
  /** Stable code of the failure (`PTnnn`), also at the start of the message. */
  public readonly code: ErrorCode;
  /** The value that was refused, as given. */
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

/**
 * @deprecated nothing in this library raises PT012 any more; use the builder of the failure's family
 * (`missingConfig`, `conflictingConfig`, `invalidOption`, ...).
 */
export function invalidProp(what: string, value: unknown, fix: string): PlatformTrustError {
  return new PlatformTrustError(ErrorCode.INVALID_PROP, what, value, fix);
}

/** A required input is absent. */
export function missingConfig(what: string, value: unknown, fix: string): PlatformTrustError {
  return new PlatformTrustError(ErrorCode.MISSING_CONFIG, what, value, fix);
}

/** Two inputs that exclude each other are both given, or two grants disagree. */
export function conflictingConfig(what: string, value: unknown, fix: string): PlatformTrustError {
  return new PlatformTrustError(ErrorCode.CONFLICTING_CONFIG, what, value, fix);
}

/** A value outside the fixed set a prop accepts. */
export function invalidOption(what: string, value: unknown, fix: string): PlatformTrustError {
  return new PlatformTrustError(ErrorCode.INVALID_OPTION, what, value, fix);
}

/** A count that is not a whole number in range. */
export function invalidCount(what: string, value: unknown, fix: string): PlatformTrustError {
  return new PlatformTrustError(ErrorCode.INVALID_COUNT, what, value, fix);
}

/** A literal given where a Terraform reference is required. */
export function expectedReference(what: string, value: unknown, fix: string): PlatformTrustError {
  return new PlatformTrustError(ErrorCode.EXPECTED_REFERENCE, what, value, fix);
}

/** A policy rule Vault would not apply as written. */
export function invalidPolicyRule(what: string, value: unknown, fix: string): PlatformTrustError {
  return new PlatformTrustError(ErrorCode.INVALID_POLICY_RULE, what, value, fix);
}

/** A file path on a node or on the Vault server that is not acceptable. */
export function invalidFilePath(what: string, value: unknown, fix: string): PlatformTrustError {
  return new PlatformTrustError(ErrorCode.INVALID_FILE_PATH, what, value, fix);
}

/** A literal that would not be carried unchanged. */
export function unsafeText(what: string, value: unknown, fix: string): PlatformTrustError {
  return new PlatformTrustError(ErrorCode.UNSAFE_LITERAL, what, value, fix);
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

/** A revocation or compromised-version list that is malformed or contradicts its schedule (PT038). */
export function invalidRevocation(what: string, value: unknown, fix: string): PlatformTrustError {
  return new PlatformTrustError(ErrorCode.INVALID_REVOCATION, what, value, fix);
}

/** A freshness setting that is missing or out of range (PT037). */
export function invalidFreshnessSetting(what: string, value: unknown, fix: string): PlatformTrustError {
  return new PlatformTrustError(ErrorCode.INVALID_FRESHNESS, what, value, fix);
}
