import { classifyKeyType, effectiveKeyType, signingEvidence, transitKeySettings } from '../private/transit';
import { CheckLevel, ElementRule, compliant, nonCompliant, notApplicable } from '../types';
import { EXPRESSION, readDurationSeconds, show } from '../private/values';

/**
 * A signing key must not rotate by itself (invariants 3 and 4): versions are created by bumping `version` in
 * code, so that the verifier set published to nodes lists every version that signs. Symmetric keys with no sign
 * of signing use are encryption keys, where automatic rotation is fine: the rule does not apply to them.
 */
export const TransitKeyAutoRotate: ElementRule = {
  id: 'PlatformTrust-TransitKeyAutoRotate',
  scope: 'element',
  supportedResources: ['vault_transit_secret_backend_key', 'vault_generic_endpoint', 'vault_generic_secret'],
  level: CheckLevel.ERROR,
  description:
    'A signing transit key must not rotate automatically: Vault would create versions that no reviewed verifier set lists',
  fix: 'Set auto_rotate_period = 0 and rotate by bumping the key version in code (TaskSigningKey `version`), so that the plan shows the new version and the bundle pre-publishes it.',
  check(element, context) {
    const settings = transitKeySettings(element, context.mounts);
    if (!settings) return notApplicable('not a transit key');
    if (settings.values === EXPRESSION)
      return notApplicable(`the settings of the ${settings.label} are only known at apply time`);
    const raw = settings.values.auto_rotate_period;
    const seconds = readDurationSeconds(raw);
    if (seconds === EXPRESSION) return notApplicable('auto_rotate_period is only known at apply time');
    if (seconds === undefined || seconds === 0) return compliant();
    if (Number.isNaN(seconds))
      return notApplicable(`auto_rotate_period ${show(raw)} is not a duration this check reads`);
    const keyType = effectiveKeyType(settings, context);
    const evidence = signingEvidence(settings.mount, settings.name, context);
    const asymmetric = typeof keyType === 'string' && classifyKeyType(keyType) === 'asymmetric';
    if (!asymmetric && evidence.length === 0) {
      return notApplicable('an encryption key with no sign of signing use: automatic rotation is fine there');
    }
    const why = asymmetric ? `it is an asymmetric (${keyType}) key` : evidence.join('; ');
    return nonCompliant(
      `The ${settings.label} sets auto_rotate_period = ${show(raw)} (${seconds} s) and signs (${why})`,
    );
  },
};
