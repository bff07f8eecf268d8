/**
 * A reusable scan of synthesized Terraform JSON (or any JSON text) for secret material that must never
 * be there. Pure; no cdktf import. Findings never repeat the secret: excerpts are redacted. The patterns are the
 * kernel's (`lib/kernel/secret-patterns.ts`), limited to its CONFIGURATION_KINDS: private keys and tokens.
 */
import { pemPrivateKeyPattern, vaultTokenPattern } from '../kernel/secret-patterns';

/** What a finding is about. */
export enum SecretFindingRule {
  /** A PEM private key block ("-----BEGIN ... PRIVATE KEY-----"). */
  PEM_PRIVATE_KEY = 'pem-private-key',
  /** A Vault token: `hvs.`, `hvb.`, `hvr.` or legacy `s.`, `b.`, `r.` followed by a long base62 string. */
  VAULT_TOKEN = 'vault-token',
  /**
   * An AppRole secret id: a `secret_id` field holding a value, or a
   * `vault_approle_auth_backend_role_secret_id` resource (which writes a secret id into state).
   */
  APPROLE_SECRET_ID = 'approle-secret-id',
}

/** One thing the scan found. */
export interface SecretFinding {
  /** Which kind of secret was found. */
  readonly rule: SecretFindingRule;
  /** Where: a JSON path such as `resource.vault_kv_secret_v2.seed.data_json`, or "$" for unparsable text. */
  readonly location: string;
  /** What is wrong and what to do instead. */
  readonly message: string;
  /** The start of the match, redacted (never the whole secret). */
  readonly excerpt: string;
}

const PEM_PRIVATE_KEY_RE = pemPrivateKeyPattern('g');
const VAULT_TOKEN_RE = vaultTokenPattern('g');
const SECRET_ID_FIELD_RE = /^(secret_id|secretId|wrapped_secret_id)$/;
const SECRET_ID_RESOURCE = 'vault_approle_auth_backend_role_secret_id';
/** A value that is only a Terraform interpolation ("${var.x}") carries no literal secret. */
const PURE_INTERPOLATION_RE = /^\$\{[^{}]*\}$/;

/**
 * Scans `json` for PEM private keys, Vault tokens and AppRole secret ids. Parses it when it is JSON
 * (findings then carry a JSON path); otherwise scans it as text.
 * @returns findings, in document order; empty when clean
 */
export function scanForSecrets(json: string): SecretFinding[] {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return scanString(json, '$');
  }
  const findings: SecretFinding[] = [];
  walk(doc, '', findings);
  return findings;
}

function walk(value: unknown, location: string, out: SecretFinding[]): void {
  if (typeof value === 'string') {
    out.push(...scanString(value, location || '$'));
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, `${location}[${i}]`, out));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const here = location
      ? /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)
        ? `${location}.${key}`
        : `${location}[${JSON.stringify(key)}]`
      : key;
    if (key === SECRET_ID_RESOURCE && location.split('.').pop() === 'resource') {
      out.push({
        rule: SecretFindingRule.APPROLE_SECRET_ID,
        location: here,
        message:
          'A vault_approle_auth_backend_role_secret_id resource writes a secret id into Terraform state. Let the deploy tooling mint secret ids with a response-wrapped call instead.',
        excerpt: SECRET_ID_RESOURCE,
      });
    }
    if (SECRET_ID_FIELD_RE.test(key) && typeof v === 'string' && v.length > 0 && !PURE_INTERPOLATION_RE.test(v)) {
      out.push({
        rule: SecretFindingRule.APPROLE_SECRET_ID,
        location: here,
        message:
          'An AppRole secret_id has a literal value. Secret ids are minted at deploy time, response-wrapped, never written in configuration.',
        excerpt: redact(v),
      });
      continue;
    }
    walk(v, here, out);
  }
}

function scanString(text: string, location: string): SecretFinding[] {
  const out: SecretFinding[] = [];
  for (const m of text.matchAll(PEM_PRIVATE_KEY_RE)) {
    out.push({
      rule: SecretFindingRule.PEM_PRIVATE_KEY,
      location,
      message:
        'A PEM private key block is in the configuration. Keep private keys inside Vault (transit keys, PKI "internal" roots) or pass them as sensitive variables.',
      excerpt: m[0],
    });
  }
  for (const m of text.matchAll(VAULT_TOKEN_RE)) {
    out.push({
      rule: SecretFindingRule.VAULT_TOKEN,
      location,
      message:
        'A Vault token is in the configuration. The provider reads VAULT_TOKEN from the environment; never write a token in code.',
      excerpt: redact(m[1]),
    });
  }
  return out;
}

/** Keeps the recognisable prefix (up to the first "." plus 2 characters) and the length. */
function redact(value: string): string {
  const dot = value.indexOf('.');
  const keep = dot >= 0 && dot < 4 ? dot + 3 : Math.min(3, value.length);
  return `${value.slice(0, keep)}… (${value.length} chars)`;
}
