import { showCapabilities, stanzaLabel, stanzasToCheck } from '../private/policy-source';
import { CheckLevel, ElementRule, PolicyStanza, compliant, nonCompliant } from '../types';
import { TRANSIT_CONFIG_ENDPOINT, grantingCapabilities, transitReach } from '../private/vault-paths';

/** The key configuration parameters that undo custody. */
export const CUSTODY_PARAMETERS: readonly string[] = ['exportable', 'allow_plaintext_backup', 'deletion_allowed'];

/** How Vault reads false for a boolean parameter: a value pinned to these cannot turn a setting on. */
const FALSE_TEXTS: readonly string[] = ['false', 'False', 'FALSE', 'f', 'F', '0'];

/**
 * Write access to `<mount>/keys/<k>/config` can turn on export, plaintext backup and deletion. Compliant when the
 * stanza limits parameters so that none of them can be turned on: `allowed_parameters` without them (and without
 * "*") or with each of them pinned to false, or `denied_parameters` with all of them (or "*").
 */
export const PolicyTransitKeyConfig: ElementRule = {
  id: 'PlatformTrust-PolicyTransitKeyConfig',
  scope: 'element',
  supportedResources: ['vault_policy', 'data.vault_policy_document'],
  level: CheckLevel.WARNING,
  description:
    'A Vault policy may change a transit key configuration without parameter limits: it can turn on export, plaintext backup or deletion',
  fix: 'Limit the stanza: allowed_parameters = { "min_decryption_version" = [], "min_encryption_version" = [] } (what version floors need), pin "exportable", "allow_plaintext_backup" and "deletion_allowed" to [false] (TaskSigningKey.grantRotate does), or deny them.',
  check(element, context) {
    const read = stanzasToCheck(element, context.mounts);
    if ('skip' in read) return read.skip;
    const details: string[] = [];
    for (const s of read.stanzas) {
      if (limitsCustody(s)) continue;
      for (const r of transitReach(s, [TRANSIT_CONFIG_ENDPOINT], context.mounts)) {
        const caps = grantingCapabilities(s).filter((c) => r.endpoint.capabilities.includes(c));
        details.push(
          `${stanzaLabel(s)} grants ${showCapabilities(caps)} on key configuration under transit mount ${JSON.stringify(r.mount)} without limiting ${CUSTODY_PARAMETERS.join(', ')}`,
        );
      }
    }
    return details.length > 0 ? nonCompliant(...details) : compliant();
  },
};

function limitsCustody(s: PolicyStanza): boolean {
  const denied = s.deniedParameters ?? [];
  if (denied.includes('*') || CUSTODY_PARAMETERS.every((p) => denied.includes(p))) return true;
  const allowed = s.allowedParameters;
  if (allowed === undefined || allowed.includes('*')) return false;
  return CUSTODY_PARAMETERS.every((p) => !allowed.includes(p) || pinnedToFalse(s.allowedValues?.[p]));
}

/** Only false can be sent: at least one value, and every value is a spelling of false (no glob). */
function pinnedToFalse(values: readonly string[] | undefined): boolean {
  return values !== undefined && values.length > 0 && values.every((v) => FALSE_TEXTS.includes(v));
}
