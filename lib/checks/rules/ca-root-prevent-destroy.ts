import { CheckLevel, ElementRule, compliant, nonCompliant, notApplicable } from '../types';
import { preventsDestroy, show, trimSlashes } from '../private/values';

/**
 * CA roots must be protected from `terraform destroy`: the root certificate resource, and the PKI mount that holds
 * a root declared in the same stack (destroying the mount destroys the root with it).
 */
export const CaRootPreventDestroy: ElementRule = {
  id: 'PlatformTrust-CaRootPreventDestroy',
  scope: 'element',
  supportedResources: ['vault_pki_secret_backend_root_cert', 'vault_mount'],
  level: CheckLevel.ERROR,
  description:
    'A CA root, and the PKI mount that holds it, must be protected from destroy: a destroy or a replacement deletes the root key every chain ends in',
  fix: 'Set lifecycle { prevent_destroy = true } on the root and on its mount (NodeCertAuthority and ControlPlaneTrust do unless protectFromDestroy is false). For a throw-away server, suppress this rule with the reason.',
  check(element, context) {
    if (element.kind !== 'resource') return notApplicable('not a resource');
    if (element.type === 'vault_pki_secret_backend_root_cert') {
      if (preventsDestroy(element.config)) return compliant();
      const name = element.config.issuer_name ?? element.config.common_name;
      return nonCompliant(`Root ${show(name)} has no lifecycle.prevent_destroy = true`);
    }
    if (element.type === 'vault_mount' && element.config.type === 'pki') {
      const path = typeof element.config.path === 'string' ? trimSlashes(element.config.path) : undefined;
      const holdsRoot =
        context.pkiRootBackends.includes(element.address) ||
        (path !== undefined && context.pkiRootBackends.includes(path));
      if (!holdsRoot) return notApplicable('a PKI mount with no root declared in this stack');
      if (preventsDestroy(element.config)) return compliant();
      return nonCompliant(
        `PKI mount ${show(element.config.path)} holds a root and has no lifecycle.prevent_destroy = true`,
      );
    }
    return notApplicable('not a CA root or PKI mount');
  },
};
