/**
 * Transit keys as the checks see them: key type classes, the custody settings a resource sets on a key (the
 * key resource itself, or a raw `vault_generic_endpoint` / `vault_generic_secret` writing the key's API), and
 * the evidence that a key signs. Pure.
 */
import {
  CheckResult,
  CheckedElement,
  KnownMount,
  StackContext,
  compliant,
  nonCompliant,
  notApplicable,
} from '../types';
import { TRANSIT_SIGNER_ENDPOINTS, transitReach } from './vault-paths';
import { EXPRESSION, Expression, isExpression, readBoolean, readObject, readString, trimSlashes } from './values';

/** Asymmetric transit key types: a node can verify their signatures without holding a secret. */
export const ASYMMETRIC_TRANSIT_TYPES: readonly string[] = [
  'ed25519',
  'ecdsa-p256',
  'ecdsa-p384',
  'ecdsa-p521',
  'rsa-2048',
  'rsa-3072',
  'rsa-4096',
  'ml-dsa',
  'slh-dsa',
  'hybrid',
];

/** Symmetric and HMAC/CMAC transit key types: whoever verifies holds the secret that signs. */
export const SYMMETRIC_TRANSIT_TYPES: readonly string[] = [
  'aes128-gcm96',
  'aes256-gcm96',
  'chacha20-poly1305',
  'xchacha20-poly1305',
  'hmac',
  'aes128-cmac',
  'aes192-cmac',
  'aes256-cmac',
];

/** The key type the provider creates when `type` is unset. */
export const DEFAULT_TRANSIT_KEY_TYPE = 'aes256-gcm96';

/** Transit key type classes. */
export type KeyClass = 'asymmetric' | 'symmetric' | 'unknown';

export function classifyKeyType(keyType: string): KeyClass {
  const t = keyType.toLowerCase();
  if (ASYMMETRIC_TRANSIT_TYPES.includes(t)) return 'asymmetric';
  if (SYMMETRIC_TRANSIT_TYPES.includes(t)) return 'symmetric';
  return 'unknown';
}

/** The custody settings one element sets on one transit key. */
export interface TransitKeySettings {
  /** `key`: a `vault_transit_secret_backend_key`; `endpoint`: a raw write to the key's API. */
  readonly source: 'key' | 'endpoint';
  /** Literal mount path, when known. */
  readonly mount?: string;
  /** Literal key name, when known. */
  readonly name?: string;
  /** The key type (resource default applied), `EXPRESSION`, or undefined when the element does not set it. */
  readonly keyType?: string | Expression;
  /** The settings as written (`exportable`, `allow_plaintext_backup`, `deletion_allowed`, `auto_rotate_period`). */
  readonly values: Readonly<Record<string, unknown>> | Expression;
  /** "the transit key <mount>/<name>", for details. */
  readonly label: string;
}

const KEY_API_RE = /^(.+)\/keys\/([^/]+?)(\/config)?$/;

/**
 * The settings `element` sets on a transit key, or undefined when it sets none: a key resource, or a
 * `vault_generic_endpoint` / `vault_generic_secret` whose `path` is `<mount>/keys/<name>` or
 * `<mount>/keys/<name>/config`.
 */
export function transitKeySettings(
  element: CheckedElement,
  mounts: readonly KnownMount[] = [],
): TransitKeySettings | undefined {
  if (element.kind !== 'resource') return undefined;
  const c = element.config;
  if (element.type === 'vault_transit_secret_backend_key') {
    const mount = literalMount(c.backend, mounts);
    const name = readString(c.name);
    const type = readString(c.type);
    return {
      source: 'key',
      mount,
      name: typeof name === 'string' ? name : undefined,
      keyType: type === undefined ? DEFAULT_TRANSIT_KEY_TYPE : type,
      values: c,
      label: label(mount, typeof name === 'string' ? name : undefined),
    };
  }
  if (element.type !== 'vault_generic_endpoint' && element.type !== 'vault_generic_secret') return undefined;
  const rawPath = readString(c.path);
  if (typeof rawPath !== 'string') return undefined;
  const m = KEY_API_RE.exec(trimSlashes(rawPath));
  if (!m) return undefined;
  const mount = trimSlashes(m[1]);
  const name = m[2];
  const data = c.data_json;
  if (typeof data !== 'string' || isExpression(data)) {
    return { source: 'endpoint', mount, name, values: EXPRESSION, label: label(mount, name) };
  }
  let values: Readonly<Record<string, unknown>> | undefined;
  try {
    values = readObject(JSON.parse(data));
  } catch {
    values = undefined;
  }
  if (!values) return undefined;
  const type = m[3] ? undefined : readString(values.type);
  return { source: 'endpoint', mount, name, keyType: type, values, label: label(mount, name) };
}

function label(mount: string | undefined, name: string | undefined): string {
  return `transit key ${JSON.stringify(`${mount ?? '<mount known at apply time>'}/keys/${name ?? '<name known at apply time>'}`)}`;
}

/**
 * A literal mount path from an attribute: the literal itself, or the path of a mount the stack declares when the
 * attribute is exactly a reference to it (`${vault_mount.<id>.path}`).
 */
export function literalMount(value: unknown, mounts: readonly KnownMount[]): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (!isExpression(value)) return trimSlashes(value);
  const ref = /^\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)\.path\}$/.exec(value);
  if (!ref) return undefined;
  return mounts.find((m) => m.address === ref[1])?.path;
}

/** The effective key type of the key that `settings` configure: its own, or the key resource's in the stack. */
export function effectiveKeyType(settings: TransitKeySettings, context: StackContext): string | Expression | undefined {
  if (settings.keyType !== undefined) return settings.keyType;
  if (settings.mount === undefined || settings.name === undefined) return undefined;
  const key = context.transitKeys.find((k) => k.mount === settings.mount && k.name === settings.name);
  return key ? (key.keyType ?? EXPRESSION) : undefined;
}

const SIGNING_WORDS = ['sign', 'sig'];
const SIGNING_STEMS = ['signer', 'signing', 'signature', 'verif'];

/**
 * Why the key `<mount>/keys/<name>` counts as a signing key, or an empty list:
 * - its name says so: a word "sign" or "sig", or "signer", "signing", "signature", "verif..." anywhere in it;
 * - a `vault_transit_sign` or `vault_transit_verify` data source in the stack uses it;
 * - a policy in the stack grants `sign/`, `verify/` or `hmac/` on it (globs included).
 */
export function signingEvidence(mount: string | undefined, name: string | undefined, context: StackContext): string[] {
  const out: string[] = [];
  if (name !== undefined) {
    const lower = name.toLowerCase();
    const words = lower.split(/[^a-z0-9]+/);
    if (words.some((w) => SIGNING_WORDS.includes(w)) || SIGNING_STEMS.some((s) => lower.includes(s))) {
      out.push(`its name ${JSON.stringify(name)} says it signs`);
    }
  }
  if (mount === undefined || name === undefined) return out;
  for (const s of context.transitSigners) {
    if (s.mount === mount && s.key === name) out.push(`${s.address} uses it`);
  }
  for (const { address, stanza } of context.policyStanzas) {
    const reach = transitReach(stanza, TRANSIT_SIGNER_ENDPOINTS, context.mounts, name, mount);
    if (reach.length > 0) out.push(`${address} grants ${JSON.stringify(stanza.path)} (${reach[0].endpoint.what})`);
  }
  return out;
}

/**
 * Checks that a boolean custody setting is not turned on. Not applicable when the settings are only known at
 * apply time; compliant when the setting is unset (the provider and Vault default to false).
 */
export function checkSettingOff(
  settings: TransitKeySettings,
  attribute: string,
  via: string,
  consequence: string,
): CheckResult {
  if (settings.values === EXPRESSION)
    return notApplicable(`the settings of the ${settings.label} are only known at apply time`);
  const value = readBoolean(settings.values[attribute]);
  if (value === EXPRESSION) return notApplicable(`${attribute} of the ${settings.label} is only known at apply time`);
  if (value !== true) return compliant();
  const through = settings.source === 'endpoint' ? ` through ${via}` : '';
  return nonCompliant(`The ${settings.label} sets ${attribute} = true${through}: ${consequence}`);
}

/**
 * A transit key element whose literal type is HMAC or symmetric, with its settings; or the result that ends the
 * check (not a transit key, type unknown or from an expression, or asymmetric = compliant). Shared by
 * TransitKeySymmetricSigner and TransitKeySymmetric.
 */
export function symmetricTransitKey(
  element: CheckedElement,
  mounts: readonly KnownMount[],
): { readonly settings: TransitKeySettings & { readonly keyType: string } } | { readonly result: CheckResult } {
  const settings = transitKeySettings(element, mounts);
  if (!settings) return { result: notApplicable('not a transit key') };
  const keyType = settings.keyType;
  if (keyType === undefined) return { result: notApplicable('the element does not set a key type') };
  if (keyType === EXPRESSION) return { result: notApplicable('the key type is only known at apply time') };
  const keyClass = classifyKeyType(keyType);
  if (keyClass === 'unknown') {
    return { result: notApplicable(`key type "${keyType}" is neither known symmetric nor asymmetric`) };
  }
  if (keyClass === 'asymmetric') return { result: compliant() };
  return { settings: { ...settings, keyType } };
}
