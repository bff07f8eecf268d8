import { ALL_ELEMENTS } from '../applies-to';
import { SECRET_PATTERNS, credentialAssignmentPattern, findSecretInText } from '../../kernel/secret-patterns';
import { bundleTexts } from '../private/bundle-signing';
import { CheckLevel, ElementRule, compliant, nonCompliant, notApplicable } from '../types';

const CREDENTIAL_ASSIGNMENT_RE = credentialAssignmentPattern();
const AppRoleReference =
  /\bvault_approle_auth_backend_role(?:_secret_id)?\.[A-Za-z0-9_-]+\.(role_id|secret_id|wrapping_token)\b/;

/**
 * What in a bundle would let a node reach Vault, in literal JSON or an expression: the kernel's secret patterns
 * for what is rendered for nodes, a credential field, or a reference to an AppRole credential (an expression
 * only). A match is quoted only when it is not itself a secret.
 */
function accessIn(text: string): string[] {
  const found: string[] = [];
  for (const p of SECRET_PATTERNS) {
    const m = findSecretInText(text, [p.kind]);
    if (m) found.push(m.quotable !== undefined ? `${m.noun} (${JSON.stringify(m.quotable)})` : m.what);
  }
  const field = CREDENTIAL_ASSIGNMENT_RE.exec(text);
  if (field) found.push(`a credential field (${JSON.stringify(field[1])})`);
  const ref = AppRoleReference.exec(text);
  if (ref) found.push(`a reference to an AppRole credential (${JSON.stringify(ref[1])})`);
  return found;
}

/**
 * Nodes never talk to Vault (invariant 6 and the delivery model): a bootstrap bundle holds trust roots and the
 * verifier set, never a Vault address, a `VAULT_*` setting, a token, a private key, or an AppRole role or secret id. Checks every
 * element that writes a bundle (schema `cdktf-platform-trust/bootstrap-bundle/v1` or `/v2`), literal or expression.
 */
export const BundleVaultAccess: ElementRule = {
  id: 'PlatformTrust-BundleVaultAccess',
  scope: 'element',
  supportedResources: ALL_ELEMENTS,
  level: CheckLevel.ERROR,
  description:
    'A bootstrap bundle must not tell nodes how to reach Vault: no Vault address, VAULT_* setting, token or AppRole credential',
  fix: 'Keep Vault access on the control plane: nodes get the bundle from the control plane and need only the trust roots and the verifier set in it. Remove the field from the bundle.',
  check(element) {
    const texts = bundleTexts(element.config);
    if (texts.length === 0) return notApplicable('no bootstrap bundle');
    const details: string[] = [];
    for (const { where, text } of texts) {
      for (const what of accessIn(text)) details.push(`the bundle in ${where} holds ${what}`);
    }
    return details.length > 0 ? nonCompliant(...details) : compliant();
  },
};
