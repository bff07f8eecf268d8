import { Capability, PolicyRule } from '../core/policy-document';

/**
 * The path and capability lists of every task-signing grant, kept in one place.
 * None of them grants export, backup, delete, key trimming or sudo, and none can turn on export, plaintext
 * backup or deletion: where a write could carry those flags, they are pinned to false.
 */
export function signingRules(mount: string, key: string, activeVersion: number, keyType = 'ed25519') {
  const keyPath = `${mount}/keys/${key}`;
  const sign: PolicyRule = {
    path: `${mount}/sign/${key}`,
    capabilities: [Capability.UPDATE],
    // Vault checks request parameters: key_version must be present and equal to the active version,
    // and nothing but the input may be sent (no hash_algorithm, prehashed, context, batch_input, ...).
    requiredParameters: ['key_version'],
    allowedParameters: { key_version: [String(activeVersion)], input: [] },
  };
  // Custody flags are booleans in the provider's requests; Vault matches a boolean pin only against a boolean.
  const custodyOff = { exportable: [false], allow_plaintext_backup: [false] };
  // Writing `<mount>/keys/<name>` creates the key: what the provider sends, with the type fixed and custody off.
  // Numbers cannot be pinned (Vault never matches a policy number against a request number), so they are
  // allowed as sent. A read carries no parameters; it gets the same limits so that both grants merge in one policy.
  const keyParameters = {
    type: [keyType],
    derived: [false],
    convergent_encryption: [false],
    ...custodyOff,
    auto_rotate_period: [],
    key_size: [],
  };
  return {
    sign: [sign],
    readPublicKeys: [
      { path: keyPath, capabilities: [Capability.READ], allowedParameters: keyParameters },
    ] as PolicyRule[],
    rotate: [
      {
        path: keyPath,
        capabilities: [Capability.CREATE, Capability.READ, Capability.UPDATE],
        allowedParameters: keyParameters,
      },
      { path: `${keyPath}/rotate`, capabilities: [Capability.UPDATE] },
      {
        // The floors, the key resource's settings and the empty write that adopts a version. The provider
        // also sends `min_encryption_versoin` (sic) when it creates a key; Vault ignores that name.
        path: `${keyPath}/config`,
        capabilities: [Capability.UPDATE],
        allowedParameters: {
          min_decryption_version: [],
          min_encryption_version: [],
          min_encryption_versoin: [],
          ...custodyOff,
          deletion_allowed: [false],
          auto_rotate_period: [],
        },
      },
      // The runner signs the bootstrap bundle with the active version at apply time.
      { ...sign },
    ] as PolicyRule[],
  };
}
