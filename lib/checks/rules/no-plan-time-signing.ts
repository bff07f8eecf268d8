import { CheckLevel, ElementRule, nonCompliant, notApplicable } from '../types';
import { readString } from '../private/values';

/**
 * Nothing is signed before review (invariant 11). Terraform reads data sources while it plans, so a
 * `data.vault_transit_sign` signs during every `plan`, for every pull request, over whatever the pull request says,
 * and the plan identity needs a sign right. Sign during apply instead: a `vault_generic_endpoint` writing
 * `<mount>/sign/<key>` (what BootstrapBundle declares). Applies to: data source `vault_transit_sign`.
 */
export const NoPlanTimeSigning: ElementRule = {
  id: 'PlatformTrust-NoPlanTimeSigning',
  scope: 'element',
  supportedResources: ['data.vault_transit_sign'],
  level: CheckLevel.ERROR,
  suppressible: false,
  description:
    'Nothing may be signed while Terraform plans: a vault_transit_sign data source signs during every plan, before review',
  fix: 'Remove the data source. Sign during apply with a vault_generic_endpoint writing <mount>/sign/<key> (BootstrapBundle does, replaced whenever what it signs changes), and give the sign right to the apply identity only.',
  check(element) {
    if (element.kind !== 'data' || element.type !== 'vault_transit_sign') {
      return notApplicable('not a vault_transit_sign data source');
    }
    const path = readString(element.config.path);
    const name = readString(element.config.name);
    const key =
      typeof path === 'string' && typeof name === 'string'
        ? ` with transit key ${JSON.stringify(`${path.replace(/\/+$/, '')}/keys/${name}`)}`
        : '';
    return nonCompliant(
      `${element.address} signs${key} whenever Terraform reads it: during every plan, with the plan identity's token, over unreviewed input`,
    );
  },
};
