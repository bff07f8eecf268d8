/**
 * Finds secret material in something rendered for nodes (invariant 6: nothing rendered for nodes
 * holds a Vault address, a token, an AppRole id or secret, or any private key).
 *
 * Looks at every object key and string value of a parsed JSON value, and at the raw text:
 * - PEM private key blocks (`-----BEGIN ... PRIVATE KEY-----`: PKCS#8, RSA, EC, DSA, OpenSSH, encrypted);
 * - Vault tokens: `hvs.`, `hvb.`, `hvr.` followed by 20 or more token characters, and the legacy
 *   `s.`, `b.`, `r.` followed by 24 or more base62 characters;
 * - Vault client settings (`VAULT_ADDR`, `VAULT_TOKEN`, any `VAULT_*` name) as a key or inside a value;
 * - UUIDs (AppRole role ids and secret ids) and Vault API addresses (`https://host/v1/`);
 * - fields that only hold credentials: `secret_id`, `role_id`, `secret_id_accessor`, `client_token`,
 *   `token`, `wrapping_token`, `private_key`, `password`, `secret`, any `vault_*`.
 * The patterns are defined once in `lib/kernel/secret-patterns.ts`. Findings are described without quoting the secret.
 */
import { findSecretInText, isCredentialField, secretPattern } from '../kernel/secret-patterns';

const VAULT_ENV_RE = secretPattern('vault-setting');

/** Describes the first secret found in `value` or `rawText`, or returns undefined. */
export function findSecretMaterial(value: unknown, rawText?: string): string | undefined {
  if (rawText !== undefined) {
    const inText = scanText(rawText);
    if (inText) return `${inText} in the rendered text`;
  }
  return scanValue(value, 'value', 0);
}

function scanValue(value: unknown, where: string, depth: number): string | undefined {
  if (depth > 64) return undefined;
  if (typeof value === 'string') {
    const found = scanText(value);
    return found ? `${found} at ${where}` : undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = scanValue(value[i], `${where}[${i}]`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (isCredentialField(k) || VAULT_ENV_RE.test(k)) return `a credential field "${k}" at ${where}`;
      const keyFound = scanText(k);
      if (keyFound) return `${keyFound} in a field name at ${where}`;
      const found = scanValue(v, `${where}.${k}`, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

function scanText(text: string): string | undefined {
  return findSecretInText(text)?.what;
}
