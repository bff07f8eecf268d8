/**
 * What changes inside the bootstrap bundle, field by field, from the `bootstrap_bundle` output's old and new JSON
 * (format v1 or v2; either side may be absent, and the new side unknown until apply). When the new bundle is
 * unknown, it says what the configuration (the planned resources) tells about it instead. Internal to lib/review.
 */
import { bundleFacts } from '../certificate-facts';
import type {
  BundleChange,
  BundleContentChange,
  BundleFieldChange,
  BundleKeySetChange,
  CaChanges,
  KeyRotation,
  VerifierSetChange,
} from '../explanation';
import { actionKind, attrs, jsonValue } from '../plan-json';
import { ConfigEvidence, unknownAfter } from './bundle-config';
import { BundleSide, bundleOutputs, bundleSide, chain, formatName, keySet } from './bundle-read';
import { rootViews } from './ca';
import { Context, byString } from './context';
import { verifierViews } from './verifier-sets';

/** One bundle output with its sides, for the trust review. */
export interface BundleFindings {
  readonly content: BundleContentChange;
  readonly before: BundleSide;
  readonly after: BundleSide;
  /** Set when the new bundle is unknown. */
  readonly config?: ConfigEvidence;
}

/** Fields with their own view (or line), left out of the text fields. */
const STRUCTURED = new Set([
  'schema',
  'sequence',
  'public_https_trust.roots',
  'node_cert_trust.pems',
  'task_verifiers.set',
  'bundle_keys.set',
]);

/** Fields in the order a reviewer reads them; any other field follows, sorted. */
const FIELD_ORDER = [
  'environment',
  'control_plane.url',
  'public_https_trust.path',
  'node_cert_trust.path',
  'task_verifiers.path',
  'env.GPUAAS_CA_BUNDLE_PATH',
  'env.GPUAAS_NODE_CERT_CA_BUNDLE_PATH',
  'env.GPUAAS_TASK_SIGNING_PUBKEYS',
];

const MAX_TEXT = 200;

/** Leaves of a bundle by dotted path; objects are walked, arrays and scalars are leaves. */
function leaves(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  const o = attrs(value);
  if (!o) {
    if (prefix) out.set(prefix, value);
    return out;
  }
  for (const [k, v] of Object.entries(o)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (!STRUCTURED.has(path)) leaves(v, path, out);
  }
  return out;
}

/** A value as one line of text, never a PEM body: certificates are named by subject and pin. */
function fieldText(field: string, value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (field === 'env.GPUAAS_TASK_SIGNING_PUBKEYS') {
    const set = attrs(jsonValue(text));
    if (set && Array.isArray(set.keys)) return `${keySetText(set)} (compact JSON of the verifier set)`;
  }
  if (/-----BEGIN /.test(text)) {
    if (/-----BEGIN (?!CERTIFICATE-----)/.test(text)) return 'PEM data (not shown)';
    const facts = bundleFacts(text);
    return facts.length ? facts.map((f) => `certificate ${f.subject} (${f.pin})`).join('; ') : 'PEM data (not shown)';
  }
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}… (${text.length} characters)` : text;
}

/** `<key>: v1 active, v2 grace until …` */
function keySetText(set: Record<string, unknown>): string {
  const views = verifierViews(set as { keys: unknown[] });
  const states = views.map((v) => `v${v.version} ${v.state}${v.until ? ` until ${v.until}` : ''}`).join(', ');
  return `${typeof set.key === 'string' ? set.key : '?'}: ${states || 'no versions'}`;
}

function fieldChanges(before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined) {
  const b = leaves(before);
  const a = leaves(after);
  const rank = (f: string) => (FIELD_ORDER.includes(f) ? FIELD_ORDER.indexOf(f) : FIELD_ORDER.length);
  const fields = [...new Set([...b.keys(), ...a.keys()])].sort((x, y) => rank(x) - rank(y) || byString(x, y));
  const out: BundleFieldChange[] = [];
  for (const field of fields) {
    if (JSON.stringify(b.get(field)) === JSON.stringify(a.get(field))) continue;
    out.push({
      field,
      ...(b.has(field) ? { before: fieldText(field, b.get(field)) } : {}),
      ...(a.has(field) ? { after: fieldText(field, a.get(field)) } : {}),
    });
  }
  return out;
}

function keySetChange(
  b: ReturnType<typeof keySet>,
  a: ReturnType<typeof keySet>,
  afterKnown: boolean,
): BundleKeySetChange | undefined {
  if (afterKnown && JSON.stringify(b) === JSON.stringify(a)) return undefined;
  if (!b && !a) return undefined;
  return {
    ...(b?.key !== undefined ? { keyBefore: b.key } : {}),
    ...(a?.key !== undefined ? { keyAfter: a.key } : {}),
    ...(b ? { before: b.views } : {}),
    ...(a ? { after: a.views, afterFrom: 'bundle' as const } : {}),
  };
}

export interface Inputs {
  readonly ca: CaChanges;
  /** Every transit key, changed or not. */
  readonly keys: readonly KeyRotation[];
  readonly verifierSets: readonly VerifierSetChange[];
  readonly bundles: readonly BundleChange[];
}

/** Every bundle output that changes, field by field. */
export function explainBundleContents(ctx: Context, inputs: Inputs): BundleFindings[] {
  const out: BundleFindings[] = [];
  for (const [output, change] of bundleOutputs(ctx)) {
    const action = actionKind(change.actions);
    if (action === 'no-op') continue;
    const before = bundleSide(change, 'before');
    const after = bundleSide(change, 'after');
    if (before.state !== 'known' && after.state !== 'known' && after.state !== 'unknown') continue;
    const b = before.state === 'known' ? before.bundle : undefined;
    const a = after.state === 'known' ? after.bundle : undefined;
    if (after.state === 'absent') {
      out.push({
        content: { output, action, afterKnown: true, fields: [], knownFromConfig: [] },
        before,
        after,
      });
      continue;
    }
    if (after.state === 'unknown') {
      out.push(unknownAfter(ctx, inputs, output, action, before, after, b));
      continue;
    }
    const rb = b ? rootViews(b) : undefined;
    const ra = rootViews(a);
    const cb = chain(b);
    const ca = chain(a);
    const tv = keySetChange(keySet(b, 'task_verifiers'), keySet(a, 'task_verifiers'), true);
    const bk = keySetChange(keySet(b, 'bundle_keys'), keySet(a, 'bundle_keys'), true);
    const content: BundleContentChange = {
      output,
      action,
      afterKnown: true,
      ...(b?.schema !== a?.schema
        ? { format: { ...(b ? { before: formatName(b.schema) } : {}), after: formatName(a?.schema) } }
        : {}),
      fields: fieldChanges(b, a),
      ...(JSON.stringify(rb) !== JSON.stringify(ra)
        ? { roots: { ...(rb ? { before: rb } : {}), ...(ra ? { after: ra } : {}) } }
        : {}),
      ...(JSON.stringify(cb) !== JSON.stringify(ca)
        ? { nodeCertChain: { ...(cb ? { before: cb } : {}), ...(ca ? { after: ca } : {}) } }
        : {}),
      ...(tv ? { taskVerifiers: tv } : {}),
      ...(bk ? { bundleKeys: bk } : {}),
      knownFromConfig: [],
    };
    out.push({ content, before, after });
  }
  return out;
}
