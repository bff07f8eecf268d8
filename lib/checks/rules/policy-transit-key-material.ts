import { showCapabilities, stanzaLabel, stanzasToCheck } from '../private/policy-source';
import { CheckLevel, ElementRule, compliant, nonCompliant } from '../types';
import { TRANSIT_MATERIAL_ENDPOINTS, grantingCapabilities, transitReach } from '../private/vault-paths';

/**
 * No policy reaches transit endpoints that hand out or destroy key material: `export/<private type>/`, `backup/`,
 * `keys/<k>/trim`, or `delete` on `keys/<k>` (invariant 2). Transit mounts are those the stack declares, plus
 * the mount a path names before such an endpoint (for `backup/` and key deletion only when that mount's name
 * contains "transit"). Globs count when they cover the endpoint.
 */
export const PolicyTransitKeyMaterial: ElementRule = {
  id: 'PlatformTrust-PolicyTransitKeyMaterial',
  scope: 'element',
  supportedResources: ['vault_policy', 'data.vault_policy_document'],
  suppressible: false,
  level: CheckLevel.ERROR,
  description: 'A Vault policy must not export, back up, trim or delete transit keys',
  fix: 'Remove the grant. Consumers sign through <mount>/sign/<key> (TaskSigningKey.grantSign); the Terraform runner needs TaskSigningKey.grantRotate, which grants none of these.',
  check(element, context) {
    const read = stanzasToCheck(element, context.mounts);
    if ('skip' in read) return read.skip;
    const details: string[] = [];
    for (const s of read.stanzas) {
      for (const r of transitReach(s, TRANSIT_MATERIAL_ENDPOINTS, context.mounts)) {
        const caps = grantingCapabilities(s).filter((c) => r.endpoint.capabilities.includes(c));
        details.push(
          `${stanzaLabel(s)} grants ${showCapabilities(caps)} under transit mount ${JSON.stringify(r.mount)}: it ${r.endpoint.what}`,
        );
      }
    }
    return details.length > 0 ? nonCompliant(...details) : compliant();
  },
};
