import { bundleTexts } from '../bundle-signing';
import { CheckLevel, ElementRule, compliant, nonCompliant, notApplicable } from '../types';

/** What in a bundle would let a node reach Vault, and how to recognise it in literal JSON or an expression. */
const ACCESS: ReadonlyArray<{ what: string; re: RegExp }> = [
  { what: 'a Vault client setting', re: /\bVAULT_[A-Z_]+\b/ },
  {
    what: 'a credential field',
    re: /["']?\b(role_id|secret_id|secret_id_accessor|client_token|wrapping_token|token)\b["']?\s*(?::|=(?!=))/,
  },
  {
    what: 'a reference to an AppRole credential',
    re: /\bvault_approle_auth_backend_role(?:_secret_id)?\.[A-Za-z0-9_-]+\.(role_id|secret_id|wrapping_token)\b/,
  },
  { what: 'a Vault API address', re: /https?:\/\/[^\s"'/]+(?::\d+)?\/v1\// },
];

/**
 * Nodes never talk to Vault (invariant 6 and the delivery model): a bootstrap bundle holds trust roots and the
 * verifier set, never a Vault address, a `VAULT_*` setting, a token, or an AppRole role or secret id. Checks every
 * element that writes a bundle (schema `cdktf-platform-trust/bootstrap-bundle/v1` or `/v2`), literal or expression.
 */
export const BundleVaultAccess: ElementRule = {
  id: 'PlatformTrust-BundleVaultAccess',
  scope: 'element',
  level: CheckLevel.ERROR,
  description:
    'A bootstrap bundle must not tell nodes how to reach Vault: no Vault address, VAULT_* setting, token or AppRole credential',
  fix: 'Keep Vault access on the control plane: nodes get the bundle from the control plane and need only the trust roots and the verifier set in it. Remove the field from the bundle.',
  check(element) {
    const texts = bundleTexts(element.config);
    if (texts.length === 0) return notApplicable('no bootstrap bundle');
    const details: string[] = [];
    for (const { where, text } of texts) {
      for (const { what, re } of ACCESS) {
        const m = re.exec(text);
        if (m) details.push(`the bundle in ${where} holds ${what} (${JSON.stringify(m[1] ?? m[0])})`);
      }
    }
    return details.length > 0 ? nonCompliant(...details) : compliant();
  },
};
