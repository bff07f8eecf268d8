/**
 * Where a plan holds the bootstrap bundle, and how to read it: the bundle output (`bootstrap_bundle`, compact
 * JSON of a bundle of format v1 or v2), the envelope output (`bootstrap_envelope`), and the published KV v2
 * secret whose custom metadata carries `sequence` and `inputs_sha256`. Internal to lib/review.
 */
import { BUNDLE_KEYS_FORMAT_V1, BUNDLE_SCHEMA_V1, BUNDLE_SCHEMA_V2 } from '../../node/formats';
import { certificateFacts } from '../certificate-facts';
import type { ChainCertificate } from '../explanation';
import { PlanChange, actionKind, attrs, isUnknown, jsonValue, wholeNumber } from '../plan-json';
import { OutputRole, STACK_OUTPUT_NAMES } from '../manifest';
import { Context, Entry, outputName, outputSide } from './context';
import { OUTPUT_ROLES_READ } from './manifest-read';
import { verifierViews } from './verifier-sets';

/**
 * Every output the explainer reads by name, as a plan without a manifest names them (with a manifest, the names
 * it lists for `OUTPUT_ROLES_READ`); a test checks that the stack emits each of them.
 */
export const OUTPUTS_READ: readonly string[] = OUTPUT_ROLES_READ.map((role) => STACK_OUTPUT_NAMES[role]);

/** Bundle formats this explainer reads, by schema id. */
const FORMATS: ReadonlyArray<[string, string]> = [
  [BUNDLE_SCHEMA_V1, 'v1'],
  [BUNDLE_SCHEMA_V2, 'v2'],
];

/** A bootstrap bundle of a known format (by its schema id). */
export function isBundle(v: unknown): v is Record<string, unknown> {
  const o = attrs(v);
  return !!o && FORMATS.some(([schema]) => o.schema === schema);
}

/** `v1`/`v2` for a known schema id, else the id itself (or `none`). */
export function formatName(schema: unknown): string {
  const known = FORMATS.find(([s]) => s === schema);
  if (known) return known[1];
  return typeof schema === 'string' ? schema : 'none';
}

/** Outputs that hold a bootstrap bundle (by schema id, or the stack's output name). */
export function bundleOutputs(ctx: Context): Array<[string, PlanChange]> {
  const named = outputName(ctx, OutputRole.BUNDLE);
  return ctx.outputs.filter(
    ([name, c]) => isBundle(outputSide(c, 'before')) || isBundle(outputSide(c, 'after')) || name === named,
  );
}

/** One side of a bundle output: absent (created or removed), unknown until apply, or a bundle. */
export type BundleSide =
  | { readonly state: 'absent' }
  | { readonly state: 'unknown' }
  | { readonly state: 'known'; readonly bundle: Record<string, unknown> };

/** Reads one side of a bundle output. A value that is not a bundle of a known format reads as absent. */
export function bundleSide(change: PlanChange, side: 'before' | 'after'): BundleSide {
  if (side === 'after' && actionKind(change.actions) === 'delete') return { state: 'absent' };
  if (side === 'after' && isUnknown(change)) return { state: 'unknown' };
  const value = outputSide(change, side);
  return isBundle(value) ? { state: 'known', bundle: value } : { state: 'absent' };
}

/** The bundle's own sequence. */
export function bundleSequence(side: BundleSide): number | undefined {
  return side.state === 'known' ? wholeNumber(side.bundle.sequence) : undefined;
}

/** Custom metadata as Vault holds it (the computed `metadata.custom_metadata`, refreshed before the plan). */
export function publishedMetadata(v: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return attrs(jsonValue(attrs(v?.metadata)?.custom_metadata));
}

/** Custom metadata the configuration writes (`custom_metadata[0].data`, known at plan time). */
export function writtenMetadata(v: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return Array.isArray(v?.custom_metadata) ? attrs(attrs(v!.custom_metadata[0])?.data) : undefined;
}

/** `inputs_sha256` of a metadata object: a digest of what the code says the bundle holds. */
export function digestOf(o: Record<string, unknown> | undefined): string | undefined {
  return o && typeof o.inputs_sha256 === 'string' ? o.inputs_sha256 : undefined;
}

/** The inputs digest of a bundle secret, as published and as the configuration writes it. */
export function inputsDigests(e: Entry): { readonly published?: string; readonly written?: string } {
  const published = digestOf(publishedMetadata(e.before));
  const written = e.kind === 'delete' ? undefined : digestOf(writtenMetadata(e.after));
  return { ...(published !== undefined ? { published } : {}), ...(written !== undefined ? { written } : {}) };
}

/** The node-cert CA chain of a bundle, certificate by certificate. */
export function chain(bundle: Record<string, unknown> | undefined): ChainCertificate[] | undefined {
  if (!bundle) return undefined;
  const pems = attrs(bundle.node_cert_trust)?.pems;
  return (Array.isArray(pems) ? pems : []).map((p) => {
    const f = certificateFacts(p);
    return f
      ? { pin: f.pin, subject: f.subject, notAfter: f.notAfter }
      : { pin: '?', subject: 'unreadable certificate' };
  });
}

/** A key set (`{ key, keys }`) at a place in the bundle. */
export function keySet(bundle: Record<string, unknown> | undefined, place: 'task_verifiers' | 'bundle_keys') {
  return keySetOf(attrs(bundle?.[place])?.set);
}

/** A bundle key set (format `cdktf-platform-trust/bundle-keys/v1`), as the v2 stack also emits it on its own. */
export function isBundleKeySet(v: unknown): boolean {
  const o = attrs(v);
  return !!o && o.format === BUNDLE_KEYS_FORMAT_V1 && Array.isArray(o.keys);
}

/** A key set value (`{ key, keys }`) as its key name and views. */
export function keySetOf(value: unknown) {
  const set = attrs(value);
  if (!set || !Array.isArray(set.keys)) return undefined;
  return { key: typeof set.key === 'string' ? set.key : undefined, views: verifierViews(set as { keys: unknown[] }) };
}
