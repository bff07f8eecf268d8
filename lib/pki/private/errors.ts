/**
 * Error builders for the PKI constructs and their pure models. Every message says what is wrong,
 * quotes the value received and says how to fix it (see lib/core/errors.ts).
 */
import { ErrorCode, PlatformTrustError, invalidTtl } from '../../core/errors';

/** Text used in place of anything that looked like private key material: it never reaches a message. */
export const REDACTED = '<redacted>';

export function invalidDnsName(kind: string, value: unknown, reason: string): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.INVALID_NAME,
    `Invalid ${kind}: ${reason}.`,
    value,
    'give a lower-case DNS name of dot-separated labels (letters, digits and "-", each 1 to 63 characters, no leading or trailing "-"), with at least two labels and no trailing dot (for example "nodes.dev.internal").',
  );
}

export function invalidCertificate(kind: string, value: unknown, reason: string, fix: string): PlatformTrustError {
  return new PlatformTrustError(ErrorCode.INVALID_CERTIFICATE, `Invalid ${kind}: ${reason}.`, value, fix);
}

export function notARoot(kind: string, subject: string, reason: string): PlatformTrustError {
  return invalidCertificate(
    kind,
    subject,
    reason,
    'give the self-signed root CA certificate only; intermediates and leaf certificates do not belong in a trust bundle (nodes build the chain from the root).',
  );
}

export function certificateNotValidAt(kind: string, subject: string, window: string, asOf: string): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.INVALID_DATE,
    `Invalid ${kind}: the certificate is not valid at asOf ${asOf} (valid ${window}).`,
    subject,
    'publish a root that is valid at asOf, or correct asOf (it is a date written in code, never the clock).',
  );
}

export function rootExpiresBeforeOverlapEnd(
  subject: string,
  notAfter: string,
  overlapUntil: string,
): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.INVALID_DATE,
    `The previous control-plane root expires at ${notAfter}, before the overlap ends at ${overlapUntil}: nodes would be told to trust an expired root.`,
    subject,
    'set rotation.overlapUntil to a date no later than the previous root expiry.',
  );
}

export function invalidRotation(what: string, value: unknown, fix: string): PlatformTrustError {
  return new PlatformTrustError(ErrorCode.INVALID_TRUST_ROOTS, what, value, fix);
}

export function overlapNotOver(overlapUntil: string, asOf: string | undefined): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.INVALID_DATE,
    asOf === undefined
      ? `Phase DROP_PREVIOUS removes the previous root from the bundle, but no asOf date shows that its overlap (until ${overlapUntil}) has ended.`
      : `Phase DROP_PREVIOUS removes the previous root from the bundle, but its overlap lasts until ${overlapUntil} and asOf is ${asOf}.`,
    asOf,
    `keep phase SWITCH until the overlap ends, then set asOf to ${overlapUntil} or later together with phase DROP_PREVIOUS.`,
  );
}

export function overlapOver(overlapUntil: string, asOf: string, phase: string): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.INVALID_DATE,
    `Phase ${phase} still publishes the previous root, but its overlap ended at ${overlapUntil} and asOf is ${asOf}.`,
    asOf,
    phase === 'publish-next'
      ? 'give rotation.overlapUntil a date after asOf: the overlap is how long nodes keep trusting the old root once the new one is in use.'
      : 'set rotation.phase to RootRotationPhase.DROP_PREVIOUS so that the bundle stops carrying the expired overlap.',
  );
}

export function ttlOrder(kind: string, value: unknown, limitKind: string, limit: number): PlatformTrustError {
  return invalidTtl(
    kind,
    value,
    `give at most ${limit} seconds (the ${limitKind}): a certificate cannot outlive what issues it, and Vault refuses a TTL above the mount's maximum.`,
  );
}

export function noServerNames(value: unknown): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.MISSING_CONFIG,
    'The control-plane HTTPS role needs the DNS names the control plane serves.',
    value,
    'list at least one name in serverNames (for example ["control.dev.platform.internal"]).',
  );
}
