import { showCapabilities, stanzaLabel, stanzasToCheck } from '../private/policy-source';
import { CheckLevel, ElementRule, compliant, nonCompliant } from '../types';

/** No policy grants `sudo` (this library's Capability enum has none). */
export const PolicySudo: ElementRule = {
  id: 'PlatformTrust-PolicySudo',
  scope: 'element',
  supportedResources: ['vault_policy', 'data.vault_policy_document'],
  level: CheckLevel.ERROR,
  description:
    'A Vault policy must not grant "sudo": it opens root-protected endpoints (seal, audit devices, mounts, policies)',
  fix: 'Remove "sudo" (and the legacy policy = "sudo"); grant the specific capabilities the consumer needs on the specific paths, through the grant methods of the constructs.',
  check(element, context) {
    const read = stanzasToCheck(element, context.mounts);
    if ('skip' in read) return read.skip;
    const details = read.stanzas
      .filter((s) => s.capabilities.includes('sudo'))
      .map((s) => `${stanzaLabel(s)} grants ${showCapabilities(s.capabilities)}`);
    return details.length > 0 ? nonCompliant(...details) : compliant();
  },
};
