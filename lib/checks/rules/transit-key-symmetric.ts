import { classifyKeyType, signingEvidence, transitKeySettings } from '../transit';
import { CheckLevel, ElementRule, compliant, nonCompliant, notApplicable } from '../types';
import { EXPRESSION } from '../values';

/**
 * Flags every HMAC or symmetric transit key that TransitKeySymmetricSigner did not already flag, for review: in a
 * platform-trust stack a transit key is expected to sign, and a symmetric one cannot be verified by nodes safely.
 */
export const TransitKeySymmetric: ElementRule = {
  id: 'PlatformTrust-TransitKeySymmetric',
  scope: 'element',
  level: CheckLevel.WARNING,
  description: 'A transit key is HMAC or symmetric: it must never be used to sign or verify node tasks',
  fix: 'If the key signs anything nodes verify, use an asymmetric type ("ed25519"). If it only encrypts, suppress this rule on it with the reason.',
  check(element, context) {
    const settings = transitKeySettings(element, context.mounts);
    if (!settings) return notApplicable('not a transit key');
    if (settings.keyType === undefined) return notApplicable('the element does not set a key type');
    if (settings.keyType === EXPRESSION) return notApplicable('the key type is only known at apply time');
    const keyClass = classifyKeyType(settings.keyType);
    if (keyClass === 'unknown')
      return notApplicable(`key type "${settings.keyType}" is neither known symmetric nor asymmetric`);
    if (keyClass === 'asymmetric') return compliant();
    if (signingEvidence(settings.mount, settings.name, context).length > 0) {
      return notApplicable('the key signs or verifies: TransitKeySymmetricSigner reports it');
    }
    return nonCompliant(`The ${settings.label} has type "${settings.keyType}"`);
  },
};
