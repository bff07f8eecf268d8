import { ALL_ELEMENTS } from '../applies-to';
import { SecretFindingRule, scanForSecrets } from '../../secrets/secret-scan';
import { CheckLevel, StackRule } from '../types';

const WHAT: Record<SecretFindingRule, string> = {
  [SecretFindingRule.PEM_PRIVATE_KEY]: 'a PEM private key',
  [SecretFindingRule.VAULT_TOKEN]: 'a Vault token',
  [SecretFindingRule.APPROLE_SECRET_ID]: 'an AppRole secret id',
};

/**
 * Scans the whole synthesized stack (every block, "//" metadata included) for literal secrets with `scanForSecrets`
 * (invariant 6 and the secrets rule of STYLE.md). Each finding is reported on the construct that renders it.
 */
export const SecretInConfig: StackRule = {
  id: 'PlatformTrust-SecretInConfig',
  scope: 'stack',
  supportedResources: ALL_ELEMENTS,
  suppressible: false,
  level: CheckLevel.ERROR,
  description:
    'The synthesized configuration must hold no literal Vault token, PEM private key or AppRole secret id: cdk.tf.json is committed, logged and shared',
  fix: 'Pass secrets as sensitive variables, read them from the runner environment (VAULT_TOKEN) or let Vault generate them at apply time; then revoke or rotate the one that was written down.',
  check(stack) {
    return scanForSecrets(JSON.stringify(stack.json)).map((f) => ({
      location: f.location,
      detail: `Found ${WHAT[f.rule]} at ${f.location} (${f.excerpt})`,
    }));
  },
};
