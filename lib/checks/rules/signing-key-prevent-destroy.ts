import { classifyKeyType, signingEvidence, transitKeySettings } from '../private/transit';
import { CheckLevel, ElementRule, compliant, nonCompliant, notApplicable } from '../types';
import { preventsDestroy } from '../private/values';

/** A signing key resource must be protected from `terraform destroy` (invariant 2). */
export const SigningKeyPreventDestroy: ElementRule = {
  id: 'PlatformTrust-SigningKeyPreventDestroy',
  scope: 'element',
  supportedResources: ['vault_transit_secret_backend_key'],
  level: CheckLevel.ERROR,
  description:
    'A signing transit key must be protected from destroy: a destroy or a replacement deletes every key version nodes trust',
  fix: 'Set lifecycle { prevent_destroy = true } on the key (TaskSigningKey always does).',
  check(element, context) {
    const settings = transitKeySettings(element, context.mounts);
    if (!settings || settings.source !== 'key') return notApplicable('not a transit key resource');
    const asymmetric = typeof settings.keyType === 'string' && classifyKeyType(settings.keyType) === 'asymmetric';
    const evidence = signingEvidence(settings.mount, settings.name, context);
    if (!asymmetric && evidence.length === 0) return notApplicable('not a signing key');
    if (preventsDestroy(element.config)) return compliant();
    return nonCompliant(`The ${settings.label} has no lifecycle.prevent_destroy = true`);
  },
};
