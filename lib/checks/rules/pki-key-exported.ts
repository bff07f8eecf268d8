import { CheckLevel, ElementRule, compliant, nonCompliant, notApplicable } from '../types';
import { EXPRESSION, readString, show } from '../private/values';

const CA_KEY_TYPES = [
  'vault_pki_secret_backend_root_cert',
  'vault_pki_secret_backend_intermediate_cert_request',
  'vault_pki_secret_backend_key',
];

/** CA keys are generated inside Vault (`type = "internal"`), never exported into Terraform state. */
export const PkiKeyExported: ElementRule = {
  id: 'PlatformTrust-PkiKeyExported',
  scope: 'element',
  supportedResources: CA_KEY_TYPES,
  suppressible: false,
  level: CheckLevel.ERROR,
  description:
    'A CA key must be generated inside Vault: with type "exported" the private key is returned and lands in Terraform state',
  fix: 'Set type = "internal" (a new key: the resource is replaced). Treat a key that was exported as compromised.',
  check(element) {
    if (element.kind !== 'resource' || !CA_KEY_TYPES.includes(element.type)) return notApplicable('not a PKI CA key');
    const type = readString(element.config.type);
    if (type === EXPRESSION) return notApplicable('type is only known at apply time');
    if (type !== 'exported') return compliant();
    return nonCompliant(
      `${element.type} ${show(element.config.common_name ?? element.config.key_name)} sets type = "exported"`,
    );
  },
};
