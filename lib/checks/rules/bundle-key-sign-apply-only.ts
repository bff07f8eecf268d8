import { keyLabel } from '../private/bundle-signing';
import { stanzaLabel, stanzasToCheck } from '../private/policy-source';
import { CheckLevel, ElementRule, compliant, nonCompliant, notApplicable } from '../types';
import { TRANSIT_ROTATE_ENDPOINT, TRANSIT_SIGN_ENDPOINTS, transitReach } from '../private/vault-paths';

/**
 * Only the apply identity may sign bundles (invariant 10): a policy that can sign with a bundle key (`create` or
 * `update` on `<mount>/sign/<key>`, globs included) must be the apply identity's.
 *
 * How the rule tells them apart from the synthesized JSON, without logical ids:
 * - bundle keys are the keys a bundle key set (format `cdktf-platform-trust/bundle-keys/v1`) names, and the keys
 *   an apply-time sign resource signs a bootstrap bundle payload with, unless they are task keys (named by a task
 *   verifier set) or the signature is the declared migration signature (see lib/checks/private/bundle-signing.ts);
 * - the apply identity's policy is the one that also holds the rotate right on that key (`update` on
 *   `<mount>/keys/<key>/rotate`, what `BundleSigningKey.grantRotate` gives): the identity that changes the key is
 *   the one that signs with it, after review. Any other policy that can sign with it (the control plane's, a
 *   plan identity's) could change what nodes trust.
 *
 * Applies to: `vault_policy` resources and `vault_policy_document` data sources.
 */
export const BundleKeySignApplyOnly: ElementRule = {
  id: 'PlatformTrust-BundleKeySignApplyOnly',
  scope: 'element',
  supportedResources: ['vault_policy', 'data.vault_policy_document'],
  level: CheckLevel.ERROR,
  suppressible: false,
  description:
    'Only the apply identity may sign with a bundle key: any other identity that can sign bundles can change what nodes trust',
  fix: 'Remove the sign grant on the bundle key from this policy. The apply identity gets it from BundleSigningKey.grantRotate and BootstrapBundle.grantPublish; the control plane signs tasks with the task key only (TaskSigningKey.grantSign) and the plan identity signs nothing.',
  check(element, context) {
    const read = stanzasToCheck(element, context.mounts);
    if ('skip' in read) return read.skip;
    if (context.bundleKeys.length === 0) return notApplicable('no bundle key in the stack');
    const details: string[] = [];
    for (const key of context.bundleKeys) {
      const signing = read.stanzas.filter(
        (s) => transitReach(s, TRANSIT_SIGN_ENDPOINTS, context.mounts, key.key, key.mount).length > 0,
      );
      if (signing.length === 0) continue;
      const rotates = read.stanzas.some(
        (s) => transitReach(s, [TRANSIT_ROTATE_ENDPOINT], context.mounts, key.key, key.mount).length > 0,
      );
      if (rotates) continue;
      for (const s of signing) {
        details.push(
          `${stanzaLabel(s)} lets ${element.address} sign with bundle key ${keyLabel(key)} (${key.evidence}), but the policy holds no rotate right on that key, so it is not the apply identity's`,
        );
      }
    }
    return details.length > 0 ? nonCompliant(...details) : compliant();
  },
};
