/**
 * The one definition of what secret material looks like in text, shared by the node-side check of
 * rendered artifacts (`findSecretMaterial`) and the scan of synthesized configuration (`scanForSecrets`).
 * Pure; no imports.
 */

/** A PEM private key block header: PKCS#8, RSA, EC, DSA, OpenSSH, encrypted, and `... PRIVATE KEY BLOCK`. */
const PEM_PRIVATE_KEY = String.raw`-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----`;

/**
 * A Vault token: `hvs.`, `hvb.`, `hvr.` followed by 20 or more token characters, or the legacy `s.`, `b.`,
 * `r.` followed by 24 or more base62 characters. Not preceded by an identifier character, `.` or `$`, so
 * references such as `vault_mount.s.path` do not match; not followed by a base62 character.
 */
const VAULT_TOKEN = String.raw`(?<![A-Za-z0-9_.$-])(hv[sbr]\.[A-Za-z0-9_-]{20,}|[sbr]\.[A-Za-z0-9]{24,})(?![A-Za-z0-9])`;

/** A new PEM private key matcher; `flags` as for `RegExp` (for example `g` to find every match). */
export function pemPrivateKeyPattern(flags = ''): RegExp {
  return new RegExp(PEM_PRIVATE_KEY, flags);
}

/** A new Vault token matcher; group 1 is the token. */
export function vaultTokenPattern(flags = ''): RegExp {
  return new RegExp(VAULT_TOKEN, flags);
}
