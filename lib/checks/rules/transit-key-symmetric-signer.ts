import { signingEvidence, symmetricTransitKey } from '../private/transit';
import { CheckLevel, ElementRule, nonCompliant, notApplicable } from '../types';

/**
 * A key that signs or verifies node tasks must be asymmetric (invariant 1). A transit key counts as a signer when
 * its name says so ("sign", "sig", "signer", "signing", "signature", "verif..."), when a `vault_transit_sign` or
 * `vault_transit_verify` data source uses it, or when a policy in the stack grants `sign/`, `verify/` or `hmac/`
 * on it. Symmetric keys without such evidence get the warning rule TransitKeySymmetric instead.
 */
export const TransitKeySymmetricSigner: ElementRule = {
  id: 'PlatformTrust-TransitKeySymmetricSigner',
  scope: 'element',
  supportedResources: ['vault_transit_secret_backend_key', 'vault_generic_endpoint', 'vault_generic_secret'],
  level: CheckLevel.ERROR,
  description:
    'A transit key used to sign or verify must be asymmetric: with an HMAC or symmetric key, whoever verifies can also sign',
  fix: 'Use an asymmetric type ("ed25519", the TaskSigningKey default). Changing type replaces the key: create the new key, publish it in the verifier set, then retire the old one.',
  check(element, context) {
    const key = symmetricTransitKey(element, context.mounts);
    if ('result' in key) return key.result;
    const settings = key.settings;
    const evidence = signingEvidence(settings.mount, settings.name, context);
    if (evidence.length === 0) return notApplicable('no sign that the key signs or verifies (see TransitKeySymmetric)');
    return nonCompliant(
      `The ${settings.label} has type "${settings.keyType}" and signs or verifies: ${evidence.join('; ')}`,
    );
  },
};
