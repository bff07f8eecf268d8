import { Capability, PolicyRule } from '../core/policy-document';

/**
 * The path and capability lists of every task-signing grant, kept in one place.
 * None of them grants export, backup, delete, key trimming or sudo.
 */
export function signingRules(mount: string, key: string, activeVersion: number) {
  const keyPath = `${mount}/keys/${key}`;
  const sign: PolicyRule = {
    path: `${mount}/sign/${key}`,
    capabilities: [Capability.UPDATE],
    // Vault checks request parameters: key_version must be present and equal to the active version,
    // and nothing but the input may be sent (no hash_algorithm, prehashed, context, batch_input, ...).
    requiredParameters: ['key_version'],
    allowedParameters: { key_version: [String(activeVersion)], input: [] },
  };
  return {
    sign: [sign],
    readPublicKeys: [{ path: keyPath, capabilities: [Capability.READ] }] as PolicyRule[],
    rotate: [
      { path: keyPath, capabilities: [Capability.CREATE, Capability.READ, Capability.UPDATE] },
      { path: `${keyPath}/rotate`, capabilities: [Capability.UPDATE] },
      { path: `${keyPath}/config`, capabilities: [Capability.UPDATE] },
      // The runner signs the bootstrap bundle with the active version at apply time.
      { ...sign },
    ] as PolicyRule[],
  };
}
