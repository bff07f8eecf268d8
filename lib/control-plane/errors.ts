/**
 * The error the control-plane side throws when it cannot go on by itself: a stable code per failure family, what
 * happened and what to do. Recoverable conditions (a renewable token, a sign refused while an activation settles)
 * are handled inside and never reach the caller.
 */

/** Stable error codes; callers and tests match on these, never on message text alone. */
export enum ControlPlaneErrorCode {
  /** Vault could not be reached, or answered with a server error. Retrying later may work. */
  VAULT_UNAVAILABLE = 'CP001',
  /** The response-wrapped secret id could not be unwrapped: expired, or already unwrapped by someone else. */
  UNWRAP_FAILED = 'CP002',
  /** AppRole login was refused (role id, secret id, CIDR binding), and no new secret id could be obtained. */
  LOGIN_FAILED = 'CP003',
  /** The signing metadata in KV is missing, unreadable with this token, or not what the stack writes. */
  SIGNING_METADATA = 'CP004',
  /** Vault refused to sign with the published active version, and the refusal did not settle. */
  SIGN_REFUSED = 'CP005',
  /** The published bootstrap bundle is missing, unreadable with this token, or does not verify. */
  BUNDLE_UNAVAILABLE = 'CP006',
  /** The published bundle's sequence went down: the control plane keeps serving the higher one. */
  BUNDLE_ROLLBACK = 'CP007',
  /** The signer or source was closed. */
  CLOSED = 'CP008',
}

/** An unrecoverable control-plane failure: `[CP00n] <message>. Fix: <fix>`. */
export class ControlPlaneError extends Error {
  /** The failure family (`CP00n`), also the message's prefix. */
  public readonly code: ControlPlaneErrorCode;
  /** What to do about it. */
  public readonly fix: string;
  /** HTTP status Vault answered with, when the failure is a Vault answer. */
  public readonly status?: number;

  constructor(
    code: ControlPlaneErrorCode,
    message: string,
    fix: string,
    options: { status?: number; cause?: unknown } = {},
  ) {
    super(`[${code}] ${message}. Fix: ${fix}`, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'ControlPlaneError';
    this.code = code;
    this.fix = fix;
    this.status = options.status;
  }
}

/** Vault's `errors` array of a response body, joined; never the body itself (it may hold secrets). */
export function vaultErrors(body: unknown): string {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  return Array.isArray(errors) ? errors.map(String).join('; ') : '';
}
