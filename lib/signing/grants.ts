import { Capability, PolicyRule } from '../core/policy-document';

/**
 * Sign with one version of a transit key only: `update` on `<mount>/sign/<key>`, `key_version` required and
 * pinned to that version as a string, the input allowed, nothing else (no hash_algorithm, prehashed, context,
 * batch_input, ...). Vault compares policy parameter values as sent, so the caller sends `key_version` as a JSON
 * string (`{"input": "...", "key_version": "2"}`); a JSON number is refused.
 */
export function signRule(mount: string, key: string, version: number): PolicyRule {
  return {
    path: `${mount}/sign/${key}`,
    capabilities: [Capability.UPDATE],
    requiredParameters: ['key_version'],
    allowedParameters: { key_version: [String(version)], input: [] },
  };
}

/**
 * The path and capability lists of every grant on a versioned transit signing key, kept in one place.
 * None of them grants export, backup, delete, key trimming or sudo, and none can turn on export, plaintext
 * backup or deletion: where a write could carry those flags, they are pinned to false.
 *
 * - `sign`: sign with the active version only;
 * - `readPublicKeys`: read `<mount>/keys/<key>` (public keys, names and flags; the key is not exportable);
 * - `manage`: what the Terraform runner needs to create, rotate and configure the key (no sign).
 */
export function signingRules(mount: string, key: string, activeVersion: number, keyType = 'ed25519') {
  const keyPath = `${mount}/keys/${key}`;
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
    sign: [signRule(mount, key, activeVersion)],
    readPublicKeys: [
      { path: keyPath, capabilities: [Capability.READ], allowedParameters: keyParameters },
    ] as PolicyRule[],
    manage: [
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
    ] as PolicyRule[],
  };
}
