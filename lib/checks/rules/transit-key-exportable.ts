import { transitKeySettings, checkSettingOff } from '../private/transit';
import { CheckLevel, ElementRule, notApplicable } from '../types';

/** A transit key must not be exportable (invariant 2: the private key never leaves Vault). */
export const TransitKeyExportable: ElementRule = {
  id: 'PlatformTrust-TransitKeyExportable',
  scope: 'element',
  supportedResources: ['vault_transit_secret_backend_key', 'vault_generic_endpoint', 'vault_generic_secret'],
  suppressible: false,
  level: CheckLevel.ERROR,
  description: 'A transit key must not be exportable: its private material could then leave Vault',
  fix: 'Set exportable = false (TaskSigningKey always does). Vault never turns export off again on a key that had it: replace the key with a new one and retire the old one.',
  check(element, context) {
    const settings = transitKeySettings(element, context.mounts);
    if (!settings) return notApplicable('not a transit key');
    return checkSettingOff(
      settings,
      'exportable',
      element.address,
      'anyone with read on <mount>/export/ can take the private key',
    );
  },
};
