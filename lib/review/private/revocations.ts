/**
 * Freshness and revocation in the review: what a bundle newly revokes compared with the published one (the
 * "Emergency" section and a trust change), revocations it stops listing, a change of its expiry or refresh hint, and
 * a rollout override in code. The new bundle's own `revoked` and `freshness` when it is known; while it is known only
 * after apply (an emergency rotates a key), the stack manifest's `bundle` member, which the code fills at plan time.
 * Internal to lib/review.
 */
import type { EmergencyReview, RevokedItem, TrustChange } from '../explanation';
import { TrustChangeKind } from '../explanation';
import { ElementRole, SigningKeyKind } from '../manifest';
import { attrs, wholeNumber } from '../plan-json';
import type { BundleFindings } from './bundle-contents';
import { rootViews } from './ca';
import { Context, tick } from './context';

/** What a bundle revokes, by kind. */
interface Revoked {
  readonly task: readonly number[];
  readonly bundle: readonly number[];
  readonly pins: readonly string[];
}

const numbers = (v: unknown) =>
  Array.isArray(v) ? v.map(wholeNumber).filter((n): n is number => n !== undefined) : [];
const pins = (v: unknown) =>
  Array.isArray(v) ? v.filter((p): p is string => typeof p === 'string').map((p) => p.toLowerCase()) : [];

/** The `revoked` member of a bundle (format v2); empty for a bundle without one (v1, or before the member existed). */
function revokedIn(bundle: Record<string, unknown> | undefined): Revoked {
  const r = attrs(bundle?.revoked);
  return { task: numbers(r?.task_key_versions), bundle: numbers(r?.bundle_key_versions), pins: pins(r?.root_pins) };
}

const keyNameIn = (bundle: Record<string, unknown> | undefined, place: 'task_verifiers' | 'bundle_keys') => {
  const key = attrs(attrs(bundle?.[place])?.set)?.key;
  return typeof key === 'string' ? key : undefined;
};

/** A key's name: from the new bundle, the old one, or the manifest's transit key entry. */
function keyName(ctx: Context, f: BundleFindings, kind: SigningKeyKind): string | undefined {
  const place = kind === SigningKeyKind.TASK ? 'task_verifiers' : 'bundle_keys';
  const a = f.after.state === 'known' ? keyNameIn(f.after.bundle, place) : undefined;
  const b = f.before.state === 'known' ? keyNameIn(f.before.bundle, place) : undefined;
  const m = Object.values(ctx.manifest?.resources ?? {}).find(
    (e) => e.role === ElementRole.TRANSIT_KEY && e.key === kind,
  );
  return a ?? b ?? m?.name;
}

/** The new bundle's revocations, and where they come from; undefined when the plan cannot tell. */
function revokedAfter(ctx: Context, f: BundleFindings): { revoked: Revoked; from: 'bundle' | 'manifest' } | undefined {
  if (f.after.state === 'known') return { revoked: revokedIn(f.after.bundle), from: 'bundle' };
  const m = ctx.manifest?.bundle?.revoked;
  if (f.after.state === 'unknown' && m) {
    return {
      revoked: {
        task: m.task_key_versions,
        bundle: m.bundle_key_versions,
        pins: m.root_pins.map((p) => p.toLowerCase()),
      },
      from: 'manifest',
    };
  }
  return undefined;
}

const minus = <T>(a: readonly T[], b: readonly T[]) => a.filter((x) => !b.includes(x));

function describe(items: readonly RevokedItem[]): string {
  return items
    .map((i) =>
      i.kind === 'root'
        ? `root ${tick(i.pin!)}${i.subject ? ` (${tick(i.subject)})` : ''}`
        : `${i.kind === 'task-key' ? 'task key' : 'bundle key'} ${tick(i.key ?? '?')} v${i.version}`,
    )
    .join(', ');
}

/** The items of `r` by kind, named. */
function items(ctx: Context, f: BundleFindings, r: Revoked): RevokedItem[] {
  const before = f.before.state === 'known' ? f.before.bundle : undefined;
  const subjects = new Map(
    (rootViews(before) ?? []).flatMap((v) => (v.facts ? [[v.facts.pin, v.facts.subject] as const] : [])),
  );
  const task = keyName(ctx, f, SigningKeyKind.TASK);
  const bundle = keyName(ctx, f, SigningKeyKind.BUNDLE);
  return [
    ...r.task.map((version) => ({ kind: 'task-key' as const, ...(task ? { key: task } : {}), version })),
    ...r.bundle.map((version) => ({ kind: 'bundle-key' as const, ...(bundle ? { key: bundle } : {}), version })),
    ...r.pins.map((pin) => ({
      kind: 'root' as const,
      pin,
      ...(subjects.has(pin) ? { subject: subjects.get(pin)! } : {}),
    })),
  ];
}

/** Revocations added and dropped, per bundle output: emergencies and trust changes. */
export function explainRevocations(
  ctx: Context,
  findings: readonly BundleFindings[],
): { emergencies: EmergencyReview[]; trustChanges: TrustChange[] } {
  const emergencies: EmergencyReview[] = [];
  const trustChanges: TrustChange[] = [];
  for (const f of findings) {
    const after = revokedAfter(ctx, f);
    if (!after) continue;
    const beforeBundle = f.before.state === 'known' ? f.before.bundle : undefined;
    const before = revokedIn(beforeBundle);
    const added = items(ctx, f, {
      task: minus(after.revoked.task, before.task),
      bundle: minus(after.revoked.bundle, before.bundle),
      pins: minus(after.revoked.pins, before.pins),
    });
    const dropped = items(ctx, f, {
      task: minus(before.task, after.revoked.task),
      bundle: minus(before.bundle, after.revoked.bundle),
      pins: minus(before.pins, after.revoked.pins),
    });
    const source =
      after.from === 'manifest' ? ' (from the stack manifest: the new bundle is known only after apply)' : '';
    if (added.length) {
      const afterBundle = f.after.state === 'known' ? f.after.bundle : undefined;
      const hint =
        wholeNumber(attrs(afterBundle?.freshness)?.refresh_hint_seconds) ??
        (after.from === 'manifest' ? ctx.manifest?.bundle?.refresh_hint_seconds : undefined);
      const expires = attrs(beforeBundle?.freshness)?.expires;
      emergencies.push({
        output: f.content.output,
        from: after.from,
        revoked: added,
        ...(hint !== undefined ? { refreshHintSeconds: hint } : {}),
        ...(typeof expires === 'string' ? { heldBundleExpires: expires } : {}),
      });
      trustChanges.push({
        kind: TrustChangeKind.REVOCATION,
        subject: f.content.output,
        confirmed: true,
        message: `the bundle revokes ${describe(added)}${source}: nodes drop them on their next refresh, even inside a grace window or an overlap (see "Emergency").`,
      });
    }
    if (dropped.length) {
      trustChanges.push({
        kind: TrustChangeKind.REVOCATION,
        subject: f.content.output,
        confirmed: true,
        message: `the bundle no longer lists ${describe(dropped)} as revoked${source}: nodes that take it forget the revocation, and a later bundle could trust them again. Drop a revocation only once every bundle that trusted it has expired: the plan fails before the retention end that the published bundle records for each (revoked:<item>).`,
      });
    }
  }
  return { emergencies, trustChanges };
}

const seconds = (n: number) => `${n} s`;

/** A change of the bundle's expiry or refresh hint, when both sides are known. */
export function explainFreshness(findings: readonly BundleFindings[]): TrustChange[] {
  const out: TrustChange[] = [];
  for (const f of findings) {
    if (f.after.state !== 'known') continue;
    const b = attrs(f.before.state === 'known' ? f.before.bundle.freshness : undefined);
    const a = attrs(f.after.bundle.freshness);
    if (!a) continue;
    const parts: string[] = [];
    if (!b) {
      parts.push(
        `the bundle now expires at ${tick(String(a.expires))}, refresh hint ${tick(seconds(Number(a.refresh_hint_seconds)))}`,
      );
    } else {
      if (b.expires !== a.expires) parts.push(`expiry ${tick(String(b.expires))} → ${tick(String(a.expires))}`);
      if (b.refresh_hint_seconds !== a.refresh_hint_seconds) {
        parts.push(
          `refresh hint ${tick(seconds(Number(b.refresh_hint_seconds)))} → ${tick(seconds(Number(a.refresh_hint_seconds)))}`,
        );
      }
    }
    if (!parts.length) continue;
    out.push({
      kind: TrustChangeKind.FRESHNESS,
      subject: f.content.output,
      confirmed: true,
      message: `freshness: ${parts.join('; ')}: nodes refuse the bundle from its expiry on (and every task while they hold it), and look for a newer one every refresh hint.`,
    });
  }
  return out;
}

/** A rollout override in code (the manifest's reason), shown whenever the plan publishes a bundle. */
export function explainRolloutOverride(ctx: Context, findings: readonly BundleFindings[]): TrustChange[] {
  const reason = ctx.manifest?.bundle?.rollout_override;
  const f = findings.find((x) => x.after.state !== 'absent');
  if (reason === undefined || !f) return [];
  return [
    {
      kind: TrustChangeKind.ROLLOUT_OVERRIDE,
      subject: f.content.output,
      confirmed: true,
      message: `the code skips the rollout window (\`freshness.rolloutOverride\`), with the reason ${tick(reason)}: a key version activated now may sign before every node has fetched it, and nodes that have not refreshed refuse what it signs until they do. Remove the override once the activation is applied.`,
    },
  ];
}
