/**
 * Error builders for the secrets constructs. Every one returns a `PlatformTrustError` with the code of its
 * failure family, in the library's format: what is wrong, the value received, and the fix.
 * (Kept here rather than in lib/core/errors.ts until the lead moves them; see the report.)
 */
import { ErrorCode, PlatformTrustError } from '../../core/errors';

const RELATIVE_PATH_FIX =
  'pass the path inside the mount, without the mount prefix, without a leading "/" and without "." or ".." segments (for example "apps/billing/db").';

/** A secret path that would leave its KV mount (absolute, `..`, or written with the mount prefix). */
export function secretPathOutsideMount(
  path: unknown,
  mount: string,
  reason: string,
  fix: string = RELATIVE_PATH_FIX,
): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.PATH_OUTSIDE_MOUNT,
    `A secret path must be relative to the KV mount "${mount}" and stay inside it, but ${reason}.`,
    path,
    fix,
  );
}

/** A secret path that is malformed (characters, empty segments, folder vs secret). */
export function invalidSecretPath(path: unknown, reason: string, fix: string): PlatformTrustError {
  return new PlatformTrustError(ErrorCode.INVALID_SECRET_PATH, `Invalid secret path: ${reason}.`, path, fix);
}

/** A secret path whose first segment is not one of the documented categories. */
export function pathNotInLayout(path: unknown, prefixes: readonly string[]): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.INVALID_SECRET_PATH,
    'A secret path must start with one of the layout categories, so every secret has a documented owner and shape.',
    path,
    `start the path with ${prefixes.map((p) => JSON.stringify(`${p}/`)).join(', ')} (for example "apps/billing/db"; build it with SecretPath).`,
  );
}

/** A CIDR block that Vault would refuse or that binds nothing. */
export function invalidCidr(value: unknown, reason: string, fix: string): PlatformTrustError {
  return new PlatformTrustError(ErrorCode.INVALID_CIDR, `Invalid CIDR block in boundCidrs: ${reason}.`, value, fix);
}

/** `seedSecret` was handed a variable that would print its value. */
export function nonSensitiveVariable(name: unknown): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.SECRET_IN_CONFIG,
    'seedSecret needs a TerraformVariable declared with `sensitive: true`; a non-sensitive variable prints the secret in plan output and logs.',
    name,
    'declare the variable as `new TerraformVariable(scope, id, { type: "map(string)", sensitive: true })` and set it from the runner (TF_VAR_<name>), never from code.',
  );
}

/** A plain value (not a TerraformVariable) was passed where a secret must arrive as a variable. */
export function notAVariable(value: unknown): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.SECRET_IN_CONFIG,
    'seedSecret takes a sensitive TerraformVariable, never a literal: any literal lands in cdk.tf.json.',
    typeof value === 'string' ? '<a string literal, not shown>' : typeof value,
    'declare a `sensitive: true` TerraformVariable and pass it; the value is set by the runner at plan time.',
  );
}

/** The signing category holds metadata only; secrets cannot be seeded there. */
export function signingPathHoldsMetadataOnly(path: unknown): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.INVALID_SECRET_PATH,
    'Paths under "signing/" hold signing metadata only (which transit key and version sign); private key material never leaves transit.',
    path,
    'record the key with writeSigningMetadata(key); keep the private key in Vault transit (SigningCustody.vaultTransit()).',
  );
}

/** The bootstrap category is written by BootstrapBundle; secrets cannot be seeded there. */
export function bootstrapPathNotSeedable(path: unknown): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.INVALID_SECRET_PATH,
    'Paths under "bootstrap/" hold signed node bootstrap bundles, written by BootstrapBundle; nothing is seeded there.',
    path,
    'publish the bundle with BootstrapBundle; put secrets under "apps/<app>/", "operators/<name>/" or "registry/<robot>".',
  );
}

/** A custody option that this release declares no resources for. */
export function custodyNotSupported(kind: string, wouldDeclare: string): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.UNSUPPORTED,
    `Signing custody "${kind}" is not supported in this release: it would declare ${wouldDeclare}.`,
    kind,
    'use SigningCustody.vaultTransit() (the default): the private key is generated inside Vault transit, is not exportable and signs through transit/sign only.',
  );
}
