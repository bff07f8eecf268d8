/**
 * The bootstrap bundle's sequence before and after: from the published KV secret's custom metadata (known at plan
 * time), else from the bundle itself (the `bootstrap_bundle` output). Warns when it goes down. Internal to
 * lib/review.
 */
import type { BundleChange } from '../explanation';
import { WarningKind } from '../explanation';
import { actionKind, attrs, isUnknown, jsonValue, wholeNumber } from '../plan-json';
import {
  bundleOutputs,
  bundleSequence,
  bundleSide,
  inputsDigests,
  publishedMetadata,
  writtenMetadata,
} from './bundle-read';
import { ElementRole } from '../manifest';
import { Context, Entry } from './context';
import { entryAt } from './manifest-read';

const sequenceIn = (o: Record<string, unknown> | undefined, marker: string) =>
  o && marker in o ? wholeNumber(o.sequence) : undefined;
// The published sequence, as Vault holds it: the custom metadata read back by the refresh.
const publishedSeq = (v: Record<string, unknown> | undefined) => sequenceIn(publishedMetadata(v), 'inputs_sha256');
// The sequence the configuration writes: custom metadata (known at plan time), else the data itself.
const writtenSeq = (v: Record<string, unknown> | undefined, dataUnknown: boolean) =>
  sequenceIn(writtenMetadata(v), 'inputs_sha256') ??
  (dataUnknown ? undefined : sequenceIn(attrs(jsonValue(v?.data_json)), 'envelope')) ??
  sequenceIn(attrs(v?.data), 'envelope');
const seqOf = (v: Record<string, unknown> | undefined) => publishedSeq(v) ?? writtenSeq(v, false);

/**
 * The published bundle secrets, changed or not: those the stack manifest names. Without a manifest: KV v2 secrets
 * whose custom metadata holds `sequence` and `inputs_sha256` (or whose data holds `envelope` and `sequence`), or
 * whose data is unknown and whose address mentions `Bundle` (the fallback heuristic).
 */
export function bundleSecrets(ctx: Context): Entry[] {
  if (ctx.manifest) {
    return ctx.managed.filter((e) => entryAt(ctx.manifest, e.address)?.role === ElementRole.BUNDLE_SECRET);
  }
  return ctx.managed.filter(
    (e) =>
      e.type === 'vault_kv_secret_v2' &&
      (seqOf(e.before) !== undefined ||
        seqOf(e.after) !== undefined ||
        (!!e.rc && /Bundle/.test(e.address) && isUnknown(e.rc.change, 'data_json'))),
  );
}

/** The published bundle secret's sequence, before and after (one entry per changed secret, or the output). */
export function explainBundles(ctx: Context): BundleChange[] {
  const [bundleOutput] = bundleOutputs(ctx);
  // The sequence the bundle itself carries (there is no separate sequence output).
  const outSeq = (side: 'before' | 'after') =>
    bundleOutput ? bundleSequence(bundleSide(bundleOutput[1], side)) : undefined;
  // The inputs digest (known at plan time) changes whenever the code changes what the bundle says.
  const digestChanged = (e: Entry): boolean => {
    const { published, written } = inputsDigests(e);
    return published !== undefined && written !== undefined && published !== written;
  };
  const contentChanged = (): boolean | 'unknown' => {
    const b = bundleOutput ? bundleSide(bundleOutput[1], 'before') : undefined;
    const a = bundleOutput ? bundleSide(bundleOutput[1], 'after') : undefined;
    if (b?.state !== 'known' || a?.state !== 'known') return 'unknown';
    const withoutSequence = (x: Record<string, unknown>) => JSON.stringify({ ...x, sequence: 0 });
    return withoutSequence(b.bundle) !== withoutSequence(a.bundle);
  };

  const secrets = bundleSecrets(ctx);
  const single = secrets.length === 1;
  const bundles: BundleChange[] = [];
  for (const e of secrets.filter((x) => x.kind !== 'no-op')) {
    const unknownAfter = !!e.rc && isUnknown(e.rc.change, 'data_json');
    const before = seqOf(e.before) ?? (single ? outSeq('before') : undefined);
    const after = writtenSeq(e.after, unknownAfter) ?? (single ? outSeq('after') : undefined);
    bundles.push({
      subject: e.address,
      action: e.kind,
      ...(before !== undefined ? { sequenceBefore: before } : {}),
      ...(after !== undefined && e.kind !== 'delete' ? { sequenceAfter: after } : {}),
      contentChanged: digestChanged(e) || (single ? contentChanged() : 'unknown'),
    });
  }
  if (secrets.length === 0 && bundleOutput && actionKind(bundleOutput[1].actions) !== 'no-op') {
    const before = outSeq('before');
    const after = outSeq('after');
    bundles.push({
      subject: bundleOutput[0],
      action: actionKind(bundleOutput[1].actions),
      ...(before !== undefined ? { sequenceBefore: before } : {}),
      ...(after !== undefined ? { sequenceAfter: after } : {}),
      contentChanged: contentChanged(),
    });
  }
  for (const b of bundles) {
    if (b.sequenceBefore !== undefined && b.sequenceAfter !== undefined && b.sequenceAfter < b.sequenceBefore) {
      ctx.warnings.push({
        kind: WarningKind.SEQUENCE_DOWN,
        subject: b.subject,
        message: `the bootstrap bundle sequence goes down ${b.sequenceBefore} → ${b.sequenceAfter}: nodes refuse a bundle whose sequence does not go up. Set it to ${b.sequenceBefore + 1}.`,
      });
    }
  }
  return bundles;
}
