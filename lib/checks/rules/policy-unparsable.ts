import { policySourceOf } from '../private/policy-source';
import { CheckLevel, ElementRule, compliant, nonCompliant, notApplicable } from '../types';

/** A policy the checker cannot read is reported, so that the policy rules are never skipped silently. */
export const PolicyUnparsable: ElementRule = {
  id: 'PlatformTrust-PolicyUnparsable',
  scope: 'element',
  supportedResources: ['vault_policy', 'data.vault_policy_document'],
  level: CheckLevel.WARNING,
  description: 'The policy checks could not read this Vault policy text, so the other policy rules did not run on it',
  fix: 'Write the policy as path "<path>" { capabilities = [...] } blocks (or render it with PolicyDocument), or suppress this rule with the reason after reviewing the policy by hand.',
  check(element, context) {
    const source = policySourceOf(element, context.mounts);
    if (source.kind === 'none') return notApplicable('not a Vault policy');
    if (source.kind === 'computed') return notApplicable(source.reason);
    if (source.kind === 'unparsable') return nonCompliant(`Parse error at ${source.error.detail}`);
    return compliant();
  },
};
