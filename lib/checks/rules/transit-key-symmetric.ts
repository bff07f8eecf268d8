import { signingEvidence, symmetricTransitKey } from '../private/transit';
import { CheckLevel, ElementRule, nonCompliant, notApplicable } from '../types';

/**
 * Flags every HMAC or symmetric transit key that TransitKeySymmetricSigner did not already flag, for review: in a
 * platform-trust stack a transit key is expected to sign, and a symmetric one cannot be verified by nodes safely.
 */
export const TransitKeySymmetric: ElementRule = {
  id: 'PlatformTrust-TransitKeySymmetric',
  scope: 'element',
  supportedResources: ['vault_transit_secret_backend_key', 'vault_generic_endpoint', 'vault_generic_secret'],
  level: CheckLevel.WARNING,
  description: 'A transit key is HMAC or symmetric: it must never be used to sign or verify node tasks',
  fix: 'If the key signs anything nodes verify, use an asymmetric type ("ed25519"). If it only encrypts, suppress this rule on it with the reason.',
  check(element, context) {
    const key = symmetricTransitKey(element, context.mounts);
    if ('result' in key) return key.result;
    const settings = key.settings;
    if (signingEvidence(settings.mount, settings.name, context).length > 0) {
      return notApplicable('the key signs or verifies: TransitKeySymmetricSigner reports it');
    }
    return nonCompliant(`The ${settings.label} has type "${settings.keyType}"`);
  },
};
