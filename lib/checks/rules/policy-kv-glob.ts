import { globGrants } from '../private/policy-source';
import { CheckLevel, ElementRule } from '../types';

/**
 * Reports wildcards on a folder of a KV secret tree ("kv/data/apps/billing/*") for review: they also cover every
 * secret added to the folder later. Wider wildcards are errors of PolicyBroadGlob.
 */
export const PolicyKvGlob: ElementRule = {
  id: 'PlatformTrust-PolicyKvGlob',
  scope: 'element',
  supportedResources: ['vault_policy', 'data.vault_policy_document'],
  level: CheckLevel.WARNING,
  description:
    'A Vault policy grants on a wildcard inside a KV secret tree: it covers every secret added to that folder later',
  fix: 'Grant the exact secret paths; keep a subtree grant only for a folder that belongs to the consumer, and suppress this rule there with the reason.',
  check(element, context) {
    return globGrants(element, context, 'kv-subtree');
  },
};
