import { showCapabilities, stanzaLabel, stanzasToCheck } from '../policy-source';
import { CheckLevel, ElementRule, compliant, nonCompliant } from '../types';
import { globReach, grantingCapabilities, parsePathPattern } from '../vault-paths';

/**
 * Reports wildcards on a folder of a KV secret tree ("kv/data/apps/billing/*") for review: they also cover every
 * secret added to the folder later. Wider wildcards are errors of PolicyBroadGlob.
 */
export const PolicyKvGlob: ElementRule = {
  id: 'PlatformTrust-PolicyKvGlob',
  scope: 'element',
  level: CheckLevel.WARNING,
  description:
    'A Vault policy grants on a wildcard inside a KV secret tree: it covers every secret added to that folder later',
  fix: 'Grant the exact secret paths; keep a subtree grant only for a folder that belongs to the consumer, and suppress this rule there with the reason.',
  check(element, context) {
    const read = stanzasToCheck(element, context.mounts);
    if ('skip' in read) return read.skip;
    const details: string[] = [];
    for (const s of read.stanzas) {
      const caps = grantingCapabilities(s);
      if (caps.length === 0) continue;
      const reach = globReach(parsePathPattern(s.path), context.mounts);
      if (reach.kind === 'kv-subtree')
        details.push(`${stanzaLabel(s)} grants ${showCapabilities(caps)} on ${reach.what}`);
    }
    return details.length > 0 ? nonCompliant(...details) : compliant();
  },
};
