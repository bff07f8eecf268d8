import { globGrants } from '../private/policy-source';
import { CheckLevel, ElementRule } from '../types';

/**
 * No wildcard that covers a whole mount, a whole KV data/metadata tree, or every path ("*", "dev/*",
 * "dev/transit/*", "kv/data/*"). Mounts are those the stack declares with a literal path; a path with a `data` or
 * `metadata` segment is read as KV v2 even when its mount is declared elsewhere. A "deny" stanza is fine.
 */
export const PolicyBroadGlob: ElementRule = {
  id: 'PlatformTrust-PolicyBroadGlob',
  scope: 'element',
  supportedResources: ['vault_policy', 'data.vault_policy_document'],
  level: CheckLevel.ERROR,
  description: 'A Vault policy must not grant on a wildcard that covers a whole mount or a whole KV secret tree',
  fix: 'Grant exact paths (KV: one secret, or a folder with a narrow subtree grant); use the grant methods of PlatformSecrets, TaskSigningKey and the PKI constructs.',
  check(element, context) {
    return globGrants(element, context, 'broad');
  },
};
