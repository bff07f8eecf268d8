import { transitKeySettings, checkSettingOff } from '../private/transit';
import { CheckLevel, ElementRule, notApplicable } from '../types';

/** A transit key must not be deletable through the API (invariant 2). */
export const TransitKeyDeletable: ElementRule = {
  id: 'PlatformTrust-TransitKeyDeletable',
  scope: 'element',
  supportedResources: ['vault_transit_secret_backend_key', 'vault_generic_endpoint', 'vault_generic_secret'],
  suppressible: false,
  level: CheckLevel.ERROR,
  description:
    'A transit key must not be deletable: deleting a signing key makes every signature and every node verifier set that names it useless',
  fix: 'Set deletion_allowed = false (TaskSigningKey always does) and protect the resource with lifecycle.prevent_destroy. Retire a key by dropping it from the verifier set, not by deleting it.',
  check(element, context) {
    const settings = transitKeySettings(element, context.mounts);
    if (!settings) return notApplicable('not a transit key');
    return checkSettingOff(
      settings,
      'deletion_allowed',
      element.address,
      'a delete on <mount>/keys/<key> (or a terraform destroy) removes the key for good',
    );
  },
};
