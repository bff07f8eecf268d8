/** Error builders for the bootstrap bundle (see lib/core/errors.ts for the message shape). */
import { ErrorCode, PlatformTrustError, invalidFreshnessSetting, invalidRevocation } from '../../core/errors';

export function unsafeLiteral(kind: string, value: unknown, reason: string): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.UNSAFE_LITERAL,
    `Invalid ${kind}: ${reason}. Bundle values are signed as the bytes of their JSON text, so they must be plain ASCII that Terraform and cdktf carry unchanged.`,
    value,
    'use printable ASCII without double quotes, backslashes, "${" or "%{" (PEM text may contain line breaks).',
  );
}

export function invalidBundlePath(kind: string, value: unknown, reason: string): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.INVALID_FILE_PATH,
    `Invalid ${kind}: ${reason}.`,
    value,
    'give an absolute file path on the node without "." or ".." segments, empty segments or a trailing "/" (for example "/etc/gpuaas/trust/control-plane-ca.pem").',
  );
}

export function sameTrustSource(value: unknown, what: string): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.SAME_BUNDLE_PATH,
    `The public HTTPS trust and the node-cert CA must come from different sources: ${what}.`,
    value,
    'take the public HTTPS roots from a ControlPlaneTrust and the node-cert chain from a NodeCertAuthority, each in its own PKI mount.',
  );
}

export function invalidRoots(what: string, value: unknown, fix: string): PlatformTrustError {
  return new PlatformTrustError(ErrorCode.INVALID_TRUST_ROOTS, what, value, fix);
}

export function sameSigningKey(keyPath: string): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.SAME_SIGNING_KEY,
    'The bundle signing key and the task signing key are the same transit key: whoever can sign tasks (the control plane) could then sign bundles and change what nodes trust.',
    keyPath,
    'give the bundle its own key: a BundleSigningKey with another name (the stack default is "bundle-signer"), and keep the task key for tasks only.',
  );
}

export function invalidFreshness(what: string, value: unknown): PlatformTrustError {
  return invalidFreshnessSetting(
    `Invalid bundle freshness: ${what}.`,
    value,
    'give expires as ISO 8601 UTC (for example "2027-03-01T00:00:00Z") and refreshHintSeconds as a whole number of seconds from 1 to 604800.',
  );
}

export function invalidBundleRevocations(what: string, value: unknown): PlatformTrustError {
  return invalidRevocation(
    `Invalid bundle revocations: ${what}.`,
    value,
    'list revoked key versions as ascending whole numbers and revoked roots by SPKI pin ("sha256:" and 64 lower-case hex digits), each once.',
  );
}
