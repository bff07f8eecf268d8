/**
 * Vault policy path patterns as the checks reason about them. Vault matches a policy path literally, except that
 * a "+" segment matches any one segment and a trailing "*" matches any suffix (a prefix match). Pure.
 */
import { KnownMount, PolicyStanza } from '../types';
import { isExpression, trimSlashes } from './values';

/** A parsed policy path. */
export interface PathPattern {
  readonly raw: string;
  /**
   * Segments before the glob. With a trailing "*", the last element is the partial segment before the "*"
   * (possibly empty): "kv/data/a*" gives ["kv", "data", "a"].
   */
  readonly segments: readonly string[];
  /** Ends with "*". */
  readonly glob: boolean;
  /** Holds a Terraform expression: the checks cannot read it. */
  readonly expression: boolean;
}

/** Parses a policy path (a leading "/" is ignored, as Vault does). */
export function parsePathPattern(raw: string): PathPattern {
  const expression = isExpression(raw);
  const path = raw.replace(/^\/+/, '');
  const glob = path.endsWith('*');
  const body = glob ? path.slice(0, -1) : path;
  return { raw, segments: body.split('/'), glob, expression };
}

/** True when the pattern holds a wildcard ("+" segment or trailing "*"). */
export function hasWildcard(p: PathPattern): boolean {
  return p.glob || p.segments.includes('+');
}

/** Matches any non-empty segment. */
export const ANY_SEGMENT = Symbol('any-segment');
/** Where a transit key name goes in a probe; matches any segment unless a key name is given. */
export const KEY_SEGMENT = Symbol('key-segment');

/** A segment of a probe path: a literal, any literal, or one of a few literals. */
export type ProbeSegment = string | { readonly anyOf: readonly string[] } | typeof ANY_SEGMENT | typeof KEY_SEGMENT;

/**
 * True when some concrete path is matched by both the pattern and the probe, that is, when the policy path
 * grants something on a path of the probe's shape.
 */
export function patternMeets(pattern: PathPattern, probe: readonly ProbeSegment[]): boolean {
  if (pattern.expression) return false;
  const segs = pattern.segments;
  if (!pattern.glob) {
    return segs.length === probe.length && segs.every((s, i) => segmentMeets(s, probe[i], false));
  }
  // With a glob, the last pattern segment is a prefix of a probe segment and anything may follow it.
  const full = segs.length - 1;
  if (probe.length < segs.length) return false;
  for (let i = 0; i < full; i++) if (!segmentMeets(segs[i], probe[i], false)) return false;
  return segmentMeets(segs[full], probe[full], true);
}

function segmentMeets(pattern: string, probe: ProbeSegment, prefixOnly: boolean): boolean {
  if (pattern === '+' && !prefixOnly) return true;
  if (probe === ANY_SEGMENT || probe === KEY_SEGMENT) return true;
  const candidates = typeof probe === 'string' ? [probe] : probe.anyOf;
  return candidates.some((c) => (prefixOnly ? c.startsWith(pattern) : c === pattern));
}

/** Splits a literal mount path into segments. */
export function mountSegments(path: string): string[] {
  return trimSlashes(path).split('/');
}

/** Capabilities that grant something (everything but "deny"). */
export function grantingCapabilities(stanza: PolicyStanza): string[] {
  if (stanza.capabilities.includes('deny')) return [];
  return stanza.capabilities.filter((c) => c !== 'deny');
}

// ---------------------------------------------------------------------------------------------------------
// Globs over secrets mounts

/** KV v2 API segments that address secrets. */
const KV2_APIS = ['data', 'metadata', 'delete', 'undelete', 'destroy', 'subkeys'];

/** How far a wildcard reaches. */
export type GlobReach =
  | { readonly kind: 'none' }
  /** It covers a whole mount, a whole KV API tree, or every path. */
  | { readonly kind: 'broad'; readonly what: string }
  /** It covers a folder inside a KV mount's data or metadata tree. */
  | { readonly kind: 'kv-subtree'; readonly what: string };

/**
 * Classifies a wildcard policy path against the mounts declared in the stack:
 * - broad: "*" (every path), a glob above or at the root of a mount ("dev/*", "dev/transit/*"), a glob over a
 *   KV mount's whole data/metadata tree ("kv/data/*", "kv/*");
 * - kv-subtree: a glob below a folder of a KV data/metadata tree ("kv/data/apps/billing/*");
 * - none: no wildcard, or a wildcard deeper inside a non-KV mount ("pki/issue/+", "transit/sign/*").
 * A path with a `data` or `metadata` segment counts as KV v2 even when its mount is not declared in the stack.
 */
export function globReach(pattern: PathPattern, mounts: readonly KnownMount[]): GlobReach {
  if (pattern.expression || !hasWildcard(pattern)) return { kind: 'none' };
  const segs = pattern.segments;
  // Index of the first wildcard segment: a "+" segment or the partial segment before "*".
  const plus = segs.indexOf('+');
  const wild = plus >= 0 && (!pattern.glob || plus < segs.length - 1) ? plus : segs.length - 1;
  const literal = segs.slice(0, wild);
  const partial = pattern.glob && wild === segs.length - 1 ? segs[wild] : '';
  if (literal.length === 0) return { kind: 'broad', what: 'every path in Vault' };

  for (const m of mounts) {
    const ms = mountSegments(m.path);
    // The literal part stops above (or inside the name of) the mount: the glob covers the whole mount.
    if (literal.length < ms.length && literal.every((s, i) => s === ms[i]) && ms[literal.length].startsWith(partial)) {
      return { kind: 'broad', what: `the whole ${m.type} mount "${m.path}"` };
    }
  }
  for (const m of mounts) {
    const ms = mountSegments(m.path);
    if (literal.length < ms.length || !ms.every((s, i) => s === literal[i])) continue;
    const rest = literal.slice(ms.length);
    if (rest.length === 0) return { kind: 'broad', what: `the whole ${m.type} mount "${m.path}"` };
    if (m.type !== 'kv') return { kind: 'none' };
    if (m.kvVersion === 2) {
      if (!KV2_APIS.includes(rest[0])) return { kind: 'none' };
      return rest.length === 1
        ? { kind: 'broad', what: `the whole ${rest[0]}/ tree of KV mount "${m.path}"` }
        : { kind: 'kv-subtree', what: `the folder "${rest.slice(1).join('/')}/" of KV mount "${m.path}"` };
    }
    return { kind: 'kv-subtree', what: `the folder "${rest.join('/')}/" of KV mount "${m.path}"` };
  }
  // A mount declared elsewhere: recognise the KV v2 shape by its API segment.
  const api = literal.findIndex((s, i) => i > 0 && (s === 'data' || s === 'metadata'));
  if (api < 0) return { kind: 'none' };
  const mount = literal.slice(0, api).join('/');
  return api === literal.length - 1
    ? { kind: 'broad', what: `the whole ${literal[api]}/ tree of the KV mount "${mount}"` }
    : { kind: 'kv-subtree', what: `the folder "${literal.slice(api + 1).join('/')}/" of the KV mount "${mount}"` };
}

// ---------------------------------------------------------------------------------------------------------
// Transit endpoints that expose or destroy key material

/** A transit endpoint a stanza may reach. */
export interface TransitEndpoint {
  /** What reaching it means, for the finding. */
  readonly what: string;
  /** Segments after the mount. */
  readonly probe: readonly ProbeSegment[];
  /** Capabilities that call it. */
  readonly capabilities: readonly string[];
  /** The shape is specific to transit: recognised under any mount, not only one named like transit. */
  readonly specific: boolean;
}

const PRIVATE_EXPORT_TYPES = { anyOf: ['encryption-key', 'signing-key', 'hmac-key'] };

/** Endpoints that hand out private key material or destroy key versions. */
export const TRANSIT_MATERIAL_ENDPOINTS: readonly TransitEndpoint[] = [
  {
    what: 'exports private key material',
    probe: ['export', PRIVATE_EXPORT_TYPES, KEY_SEGMENT],
    capabilities: ['read'],
    specific: true,
  },
  {
    what: 'exports private key material of one version',
    probe: ['export', PRIVATE_EXPORT_TYPES, KEY_SEGMENT, ANY_SEGMENT],
    capabilities: ['read'],
    specific: true,
  },
  { what: 'takes a key backup', probe: ['backup', KEY_SEGMENT], capabilities: ['read'], specific: false },
  {
    what: 'trims (permanently deletes) old key versions',
    probe: ['keys', KEY_SEGMENT, 'trim'],
    capabilities: ['create', 'update'],
    specific: true,
  },
  { what: 'deletes a key', probe: ['keys', KEY_SEGMENT], capabilities: ['delete'], specific: false },
];

/** The key configuration endpoint (it can turn on export, plaintext backup and deletion). */
export const TRANSIT_CONFIG_ENDPOINT: TransitEndpoint = {
  what: 'changes the key configuration',
  probe: ['keys', KEY_SEGMENT, 'config'],
  capabilities: ['create', 'update'],
  specific: true,
};

/** Signing, verification and HMAC endpoints: a stanza that reaches them uses the key to sign or verify. */
export const TRANSIT_SIGNER_ENDPOINTS: readonly TransitEndpoint[] = ['sign', 'verify', 'hmac'].flatMap((api) => [
  { what: `${api}s with the key`, probe: [api, KEY_SEGMENT], capabilities: ['create', 'update'], specific: true },
  {
    what: `${api}s with the key`,
    probe: [api, KEY_SEGMENT, ANY_SEGMENT],
    capabilities: ['create', 'update'],
    specific: true,
  },
]);

/** The sign endpoint only (`sign/<key>` and `sign/<key>/<hash algorithm>`). */
export const TRANSIT_SIGN_ENDPOINTS: readonly TransitEndpoint[] = TRANSIT_SIGNER_ENDPOINTS.filter(
  (e) => e.probe[0] === 'sign',
);

/** The rotate endpoint: who may rotate a key (the Terraform runner's apply identity). */
export const TRANSIT_ROTATE_ENDPOINT: TransitEndpoint = {
  what: 'rotates the key',
  probe: ['keys', KEY_SEGMENT, 'rotate'],
  capabilities: ['create', 'update'],
  specific: true,
};

/** A transit endpoint a stanza reaches under a mount. */
export interface TransitReach {
  readonly mount: string;
  readonly endpoint: TransitEndpoint;
}

/**
 * The endpoints of `endpoints` that the stanza grants on, under transit mounts declared in the stack and under
 * the mount its own path names (when that mount's last segment contains "transit", or for endpoints whose shape
 * only transit has). `keyName` narrows the probe to one key.
 */
export function transitReach(
  stanza: PolicyStanza,
  endpoints: readonly TransitEndpoint[],
  mounts: readonly KnownMount[],
  keyName?: string,
  onlyMount?: string,
): TransitReach[] {
  const pattern = parsePathPattern(stanza.path);
  if (pattern.expression) return [];
  const caps = grantingCapabilities(stanza);
  if (caps.length === 0) return [];
  const known = mounts.filter((m) => m.type === 'transit').map((m) => trimSlashes(m.path));
  const inferred = inferredMounts(pattern);
  const out: TransitReach[] = [];
  for (const endpoint of endpoints) {
    if (!endpoint.capabilities.some((c) => caps.includes(c))) continue;
    const candidates = new Set<string>(known);
    for (const m of inferred) {
      const last = m.split('/').pop() ?? '';
      if (endpoint.specific || last.includes('transit')) candidates.add(m);
    }
    for (const mount of candidates) {
      if (onlyMount !== undefined && mount !== onlyMount) continue;
      const probe = [...mountSegments(mount), ...endpoint.probe].map((s) =>
        s === KEY_SEGMENT && keyName !== undefined ? keyName : s,
      );
      if (patternMeets(pattern, probe)) out.push({ mount, endpoint });
    }
  }
  return dedupe(out);
}

/** Mount paths a policy path names before a transit API segment ("export", "backup", "keys", "sign", ...). */
function inferredMounts(pattern: PathPattern): string[] {
  const segs = pattern.glob ? pattern.segments.slice(0, -1) : pattern.segments;
  const out: string[] = [];
  segs.forEach((s, i) => {
    if (i === 0 || !['export', 'backup', 'keys', 'sign', 'verify', 'hmac'].includes(s)) return;
    const mount = segs.slice(0, i);
    if (mount.every((m) => m !== '+' && m !== '')) out.push(mount.join('/'));
  });
  // "transit/*": a glob right below a mount named like transit covers all of it.
  if (pattern.glob && segs.length > 0 && (segs[segs.length - 1] ?? '').includes('transit')) {
    if (segs.every((m) => m !== '+' && m !== '')) out.push(segs.join('/'));
  }
  return out;
}

function dedupe(reaches: TransitReach[]): TransitReach[] {
  const seen = new Set<string>();
  return reaches.filter((r) => {
    const k = `${r.mount}\u0000${r.endpoint.what}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
