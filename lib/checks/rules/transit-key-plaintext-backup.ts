import { transitKeySettings, checkSettingOff } from '../private/transit';
import { CheckLevel, ElementRule, notApplicable } from '../types';

/** A transit key must not allow a plaintext backup (invariant 2). */
export const TransitKeyPlaintextBackup: ElementRule = {
  id: 'PlatformTrust-TransitKeyPlaintextBackup',
  scope: 'element',
  supportedResources: ['vault_transit_secret_backend_key', 'vault_generic_endpoint', 'vault_generic_secret'],
  suppressible: false,
  level: CheckLevel.ERROR,
  description: 'A transit key must not allow a plaintext backup: a backup holds every key version in the clear',
  fix: 'Set allow_plaintext_backup = false (TaskSigningKey always does). Vault never turns it off again on a key that had it: replace the key.',
  check(element, context) {
    const settings = transitKeySettings(element, context.mounts);
    if (!settings) return notApplicable('not a transit key');
    return checkSettingOff(
      settings,
      'allow_plaintext_backup',
      element.address,
      'read on <mount>/backup/<key> returns all its private material',
    );
  },
};
