/**
 * The one definition of what secret material, or a way to reach Vault, looks like in text. Used by the node-side
 * check of rendered bundles (`findSecretMaterial`), the construct's check of bundle literals (`findSecretLike`),
 * the PEM checks of lib/pki, the BundleVaultAccess rule and the scan of synthesized configuration
 * (`scanForSecrets`). Pure; no imports.
 *
 * Everything the stack legitimately renders for nodes passes every pattern: PEM certificates (base64 bodies, no
 * "-"), raw Ed25519 keys in standard base64 (no "-", no "."), kids `<name>:v<N>:<16 hex>`, `sha256:<64 hex>` pins,
 * environment names, file paths under /etc and the https URL of the control plane.
 */

/** The kinds of secret-looking text. */
export type SecretKind = 'pem-private-key' | 'vault-token' | 'vault-setting' | 'approle-id' | 'vault-api-address';

/** One pattern: what it finds, and whether the match itself may be quoted in a message. */
export interface SecretPattern {
  readonly kind: SecretKind;
  /** Reads as "holds <what>". */
  readonly what: string;
  /** A short form, to which a caller appends the quoted match (for patterns whose match is not secret). */
  readonly noun: string;
  /** The regular expression source; group 1, when present, is the part to report. */
  readonly source: string;
  /** True when the match is itself a secret and must never be repeated in a message. */
  readonly secret: boolean;
}

/** A PEM private key block header: PKCS#8, RSA, EC, DSA, OpenSSH, encrypted, and `... PRIVATE KEY BLOCK` (PGP). */
const PEM_PRIVATE_KEY = String.raw`-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----`;

/**
 * A Vault token: `hvs.`, `hvb.`, `hvr.` followed by 20 or more token characters, or the legacy `s.`, `b.`, `r.`
 * followed by 24 or more base62 characters. Not preceded by an identifier character, `.` or `$`, so references
 * such as `vault_mount.s.path` do not match; not followed by a base62 character. Group 1 is the token.
 * (The bundle model once matched legacy tokens of exactly 24 characters and no `r.` prefix: this is the stricter.)
 */
const VAULT_TOKEN = String.raw`(?<![A-Za-z0-9_.$-])(hv[sbr]\.[A-Za-z0-9_-]{20,}|[sbr]\.[A-Za-z0-9]{24,})(?![A-Za-z0-9])`;

/** A Vault client setting (`VAULT_ADDR`, `VAULT_TOKEN`, any `VAULT_*` name). */
const VAULT_SETTING = String.raw`\bVAULT_[A-Z_]+\b`;

/**
 * A UUID. AppRole role ids and secret ids (and Vault accessors) are UUIDs, and nothing rendered for nodes is
 * UUID-shaped: PEM bodies and base64 keys hold no "-", kids end in 16 hex digits, pins are 64 hex digits without
 * "-", and environment names are at most 32 characters. So the rule is in for what is rendered for nodes. It is
 * not applied to a whole synthesized stack (`scanForSecrets`), where UUIDs are ordinary ids (namespaces, entities).
 */
const APPROLE_ID = String.raw`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`;

/** A Vault API address: an http(s) URL whose path starts with `/v1/`. */
const VAULT_API_ADDRESS = String.raw`https?:\/\/[^\s"'/]+(?::\d+)?\/v1\/`;

/** Every pattern, in the order they are tried. */
export const SECRET_PATTERNS: readonly SecretPattern[] = [
  {
    kind: 'pem-private-key',
    what: 'a PEM private key block',
    noun: 'a PEM private key block',
    source: PEM_PRIVATE_KEY,
    secret: true,
  },
  { kind: 'vault-token', what: 'a Vault token', noun: 'a Vault token', source: VAULT_TOKEN, secret: true },
  {
    kind: 'vault-setting',
    what: 'a Vault client setting (VAULT_*)',
    noun: 'a Vault client setting',
    source: VAULT_SETTING,
    secret: false,
  },
  {
    kind: 'approle-id',
    what: 'a UUID (AppRole role_id and secret_id look like this)',
    noun: 'a UUID (AppRole role_id and secret_id look like this)',
    source: APPROLE_ID,
    secret: true,
  },
  {
    kind: 'vault-api-address',
    what: 'a Vault API address',
    noun: 'a Vault API address',
    source: VAULT_API_ADDRESS,
    secret: false,
  },
];

/** The kinds checked in everything rendered for nodes (a bundle, its literals, its expressions): all of them. */
export const NODE_RENDERED_KINDS: readonly SecretKind[] = SECRET_PATTERNS.map((p) => p.kind);

/** The kinds checked in a whole synthesized stack: private keys and tokens (see the UUID rule's comment). */
export const CONFIGURATION_KINDS: readonly SecretKind[] = ['pem-private-key', 'vault-token'];

/**
 * Fields that only ever hold credentials (compared case-insensitively), and any `vault_*` field. A bundle, or
 * anything rendered for nodes, never has one.
 */
export const CREDENTIAL_FIELDS: readonly string[] = [
  'secret_id',
  'secret_id_accessor',
  'role_id',
  'client_token',
  'token',
  'wrapping_token',
  'private_key',
  'password',
  'secret',
];

const CREDENTIAL_FIELD_RE = new RegExp(`^(?:vault_[a-z_]*|${CREDENTIAL_FIELDS.join('|')})$`, 'i');

/** True when `name` is a credential field (see {@link CREDENTIAL_FIELDS}). */
export function isCredentialField(name: string): boolean {
  return CREDENTIAL_FIELD_RE.test(name);
}

/**
 * A credential field assigned in JSON or HCL text (`"secret_id": ...`, `role_id = ...`); group 1 is the name.
 * For expressions, where {@link isCredentialField} cannot see object keys. Names as written on the wire (lower
 * case): `VAULT_ADDR = ...` is a Vault client setting, not a field.
 */
export function credentialAssignmentPattern(flags = ''): RegExp {
  return new RegExp(String.raw`["']?\b(vault_[a-z_]*|${CREDENTIAL_FIELDS.join('|')})\b["']?\s*(?::|=(?!=))`, flags);
}

/** A new matcher for one kind; `flags` as for `RegExp` (for example `g` to find every match). */
export function secretPattern(kind: SecretKind, flags = ''): RegExp {
  const p = SECRET_PATTERNS.find((s) => s.kind === kind);
  if (!p) throw new TypeError(`unknown secret kind ${JSON.stringify(kind)}`);
  return new RegExp(p.source, flags);
}

/** A new PEM private key matcher. */
export function pemPrivateKeyPattern(flags = ''): RegExp {
  return secretPattern('pem-private-key', flags);
}

/** A new Vault token matcher; group 1 is the token. */
export function vaultTokenPattern(flags = ''): RegExp {
  return secretPattern('vault-token', flags);
}

/** What {@link findSecretInText} found. */
export interface SecretMatch {
  readonly kind: SecretKind;
  readonly what: string;
  readonly noun: string;
  /** The matched text, or undefined when it is itself secret (never repeat it). */
  readonly quotable?: string;
}

const COMPILED = new Map(SECRET_PATTERNS.map((p) => [p.kind, { pattern: p, re: new RegExp(p.source) }]));

/** The first pattern of `kinds` (all patterns by default) that matches `text`, or undefined. */
export function findSecretInText(
  text: string,
  kinds: readonly SecretKind[] = NODE_RENDERED_KINDS,
): SecretMatch | undefined {
  if (typeof text !== 'string') return undefined;
  for (const p of SECRET_PATTERNS) {
    if (!kinds.includes(p.kind)) continue;
    const m = COMPILED.get(p.kind)!.re.exec(text);
    if (m) return { kind: p.kind, what: p.what, noun: p.noun, ...(p.secret ? {} : { quotable: m[0] }) };
  }
  return undefined;
}
