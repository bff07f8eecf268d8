import { showCapabilities, stanzaLabel, stanzasToCheck } from '../policy-source';
import { CheckLevel, ElementRule, compliant, nonCompliant } from '../types';
import { globReach, grantingCapabilities, parsePathPattern } from '../vault-paths';

/**
 * No wildcard that covers a whole mount, a whole KV data/metadata tree, or every path ("*", "dev/*",
 * "dev/transit/*", "kv/data/*"). Mounts are those the stack declares with a literal path; a path with a `data` or
 * `metadata` segment is read as KV v2 even when its mount is declared elsewhere. A "deny" stanza is fine.
 */
export const PolicyBroadGlob: ElementRule = {
  id: 'PlatformTrust-PolicyBroadGlob',
  scope: 'element',
  level: CheckLevel.ERROR,
  description: 'A Vault policy must not grant on a wildcard that covers a whole mount or a whole KV secret tree',
  fix: 'Grant exact paths (KV: one secret, or a folder with a narrow subtree grant); use the grant methods of PlatformSecrets, TaskSigningKey and the PKI constructs.',
  check(element, context) {
    const read = stanzasToCheck(element, context.mounts);
    if ('skip' in read) return read.skip;
    const details: string[] = [];
    for (const s of read.stanzas) {
      const caps = grantingCapabilities(s);
      if (caps.length === 0) continue;
      const reach = globReach(parsePathPattern(s.path), context.mounts);
      if (reach.kind === 'broad') details.push(`${stanzaLabel(s)} grants ${showCapabilities(caps)} on ${reach.what}`);
    }
    return details.length > 0 ? nonCompliant(...details) : compliant();
  },
};
