import { CheckLevel, ElementRule, compliant, nonCompliant, notApplicable } from '../types';
import { EXPRESSION, readDurationSeconds, show } from '../private/values';

/** A PKI role must bound certificate lifetimes itself. */
export const PkiRoleTtlBounds: ElementRule = {
  id: 'PlatformTrust-PkiRoleTtlBounds',
  scope: 'element',
  supportedResources: ['vault_pki_secret_backend_role'],
  level: CheckLevel.ERROR,
  description:
    'A PKI role must set ttl and max_ttl: without them certificates live as long as the mount (or the system) allows',
  fix: 'Set ttl and max_ttl on the role (in seconds, ttl <= max_ttl), for example ttl = "86400" and max_ttl = "259200" as NodeCertAuthority does.',
  check(element) {
    if (element.kind !== 'resource' || element.type !== 'vault_pki_secret_backend_role')
      return notApplicable('not a PKI role');
    const role = show(element.config.name);
    const problems: string[] = [];
    const ttl = readDurationSeconds(element.config.ttl);
    const maxTtl = readDurationSeconds(element.config.max_ttl);
    for (const [attr, value, raw] of [
      ['ttl', ttl, element.config.ttl],
      ['max_ttl', maxTtl, element.config.max_ttl],
    ] as const) {
      if (value === undefined) problems.push(`Role ${role} does not set ${attr}`);
      else if (value !== EXPRESSION && Number.isNaN(value))
        problems.push(`Role ${role} sets ${attr} = ${show(raw)}, which is not a duration`);
      else if (value === 0) problems.push(`Role ${role} sets ${attr} = ${show(raw)}, which means no bound`);
    }
    if (problems.length === 0 && typeof ttl === 'number' && typeof maxTtl === 'number' && ttl > maxTtl) {
      problems.push(`Role ${role} sets ttl (${ttl} s) above max_ttl (${maxTtl} s)`);
    }
    if (problems.length > 0) return nonCompliant(problems.join('; '));
    if (ttl === EXPRESSION || maxTtl === EXPRESSION) return notApplicable('ttl or max_ttl is only known at apply time');
    return compliant();
  },
};
