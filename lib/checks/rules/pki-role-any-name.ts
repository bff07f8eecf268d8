import { CheckLevel, ElementRule, compliant, nonCompliant, notApplicable } from '../types';
import { EXPRESSION, readBoolean, show } from '../private/values';

/** A PKI role must not issue certificates for any name. */
export const PkiRoleAnyName: ElementRule = {
  id: 'PlatformTrust-PkiRoleAnyName',
  scope: 'element',
  supportedResources: ['vault_pki_secret_backend_role'],
  level: CheckLevel.ERROR,
  description:
    'A PKI role must not allow any name: whoever may issue on it gets a certificate for any host, the control plane included',
  fix: 'Set allow_any_name = false and list allowed_domains (with allow_subdomains or allow_bare_domains as needed), as NodeCertAuthority and ControlPlaneTrust do.',
  check(element) {
    if (element.kind !== 'resource' || element.type !== 'vault_pki_secret_backend_role')
      return notApplicable('not a PKI role');
    const value = readBoolean(element.config.allow_any_name);
    if (value === EXPRESSION) return notApplicable('allow_any_name is only known at apply time');
    if (value !== true) return compliant();
    return nonCompliant(`Role ${show(element.config.name)} sets allow_any_name = true`);
  },
};
