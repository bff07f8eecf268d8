/**
 * Paths and capabilities of every PKI grant, kept in one place so reviewers read them once.
 * Internal to lib/pki: constructs call these and pass the rules to Grant.addToPolicy.
 */
import { joinPath } from '../../core/naming';
import { Capability, PolicyRule } from '../../core/policy-document';

/** `issue` (Vault generates the key pair) and `sign` (the caller sends a CSR) on each role. */
export function issueRules(mountPath: string, roleNames: readonly string[]): PolicyRule[] {
  return roleNames.flatMap((role) => [
    { path: joinPath(mountPath, 'issue', role), capabilities: [Capability.UPDATE] },
    { path: joinPath(mountPath, 'sign', role), capabilities: [Capability.UPDATE] },
  ]);
}

/** `sign` only: the private key never leaves the caller (node keys stay on the node). */
export function signCsrRules(mountPath: string, roleNames: readonly string[]): PolicyRule[] {
  return roleNames.map((role) => ({ path: joinPath(mountPath, 'sign', role), capabilities: [Capability.UPDATE] }));
}
