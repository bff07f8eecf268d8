import { CheckLevel, ElementRule, compliant, nonCompliant, notApplicable } from '../types';
import { EXPRESSION, readBoolean, show } from '../private/values';

/**
 * A PKI role issues either server or client certificates. The provider defaults both flags to true, so a role
 * that sets neither is flagged.
 */
export const PkiRoleServerAndClient: ElementRule = {
  id: 'PlatformTrust-PkiRoleServerAndClient',
  scope: 'element',
  supportedResources: ['vault_pki_secret_backend_role'],
  level: CheckLevel.ERROR,
  description:
    'A PKI role must not issue certificates that are both server and client certificates: a node certificate could then serve TLS as a server',
  fix: 'Set server_flag = false on node (client-auth) roles and client_flag = false on server roles; both default to true in the provider.',
  check(element) {
    if (element.kind !== 'resource' || element.type !== 'vault_pki_secret_backend_role')
      return notApplicable('not a PKI role');
    const server = readBoolean(element.config.server_flag) ?? true;
    const client = readBoolean(element.config.client_flag) ?? true;
    if (server === EXPRESSION || client === EXPRESSION)
      return notApplicable('server_flag or client_flag is only known at apply time');
    if (!(server && client)) return compliant();
    const unset = ['server_flag', 'client_flag'].filter((k) => element.config[k] === undefined);
    const note = unset.length > 0 ? ` (${unset.join(' and ')} unset: the provider defaults to true)` : '';
    return nonCompliant(`Role ${show(element.config.name)} has server_flag and client_flag both true${note}`);
  },
};
