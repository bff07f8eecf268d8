/**
 * Error builders for the CI runner identity (lib/ci). Every one returns a `PlatformTrustError` with the code of its
 * failure family, in the library's format: what is wrong, the value received, and the fix.
 */
import { ErrorCode, PlatformTrustError } from '../../core/errors';

/** A resource or data source type whose Vault access the runner policies cannot derive. */
export function unsupportedElement(address: string, constructPath: string): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.UNSUPPORTED,
    `The CI runner's policies cannot be derived: no provider access is known for "${address}" (construct ${constructPath}), so neither the plan role nor the apply role would be allowed what it calls.`,
    address,
    'add an entry for its type to lib/ci/provider-access.ts (the reads of its refresh, the writes of its apply, each exact path), with a test against a real server; or leave the element out of the stack.',
  );
}

/** An attribute the access of an element depends on that is only known at apply. */
export function unresolvedAttribute(address: string, attribute: string, value: unknown): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.EXPECTED_REFERENCE,
    `The CI runner's policies cannot be derived: "${attribute}" of "${address}" is not a literal or a reference to one, so the Vault path it touches is unknown before apply.`,
    value,
    `give "${attribute}" a literal value in code (a mount path, a name), or a reference to another element's literal attribute.`,
  );
}

/** A construct grant that covers a path but not every capability the provider uses there. */
export function grantNarrowerThanProvider(
  path: string,
  grantPath: string,
  missing: readonly string[],
): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.CONFLICTING_CONFIG,
    `The apply grant on "${grantPath}" covers "${path}" but lacks ${missing.map((c) => JSON.stringify(c)).join(', ')}, which the provider uses there: the apply would fail with 403.`,
    missing,
    'add the capability to the construct grant (with its parameter pins), or correct the provider access entry of the element.',
  );
}

/** A stack whose Vault provider would create a child token: a token write that the plan role may not make. */
export function childTokenNeeded(stack: string, skipChildToken: boolean | undefined): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.CONFLICTING_CONFIG,
    `Stack "${stack}" lets the Vault provider create a child token on every run (auth/token/create): the CI roles' tokens are already short-lived and bound to one job, and the plan role may write nothing.`,
    skipChildToken,
    "set vault: { skipChildToken: true } in the environment config (or skipChildToken: true on the stack's VaultProvider).",
  );
}
