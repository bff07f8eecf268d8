/**
 * Trust changes: what changes in what nodes trust (the control-plane URL, the public HTTPS roots, the node-cert CA
 * chain, the bundle keys, the bundle format), read from the bundle's old and new JSON, or, when the new bundle is
 * unknown, from the planned resources; and what cannot be ruled out until apply. Internal to lib/review.
 */
import type { ChainCertificate, RootView, TrustChange } from '../explanation';
import { TrustChangeKind } from '../explanation';
import { actionKind, wholeNumber } from '../plan-json';
import type { BundleFindings } from './bundle-contents';
import { OutputRole } from '../manifest';
import { Context, byString, outputName, outputSide, tick } from './context';
import { explainFreshness, explainRolloutOverride } from './revocations';
import { keySetDiff } from './verifier-sets';

const short = (digest: string) => `${digest.slice(0, 12)}…`;
const stateText = (v: { state: string; until?: string }) => `${v.state}${v.until ? ` until ${v.until}` : ''}`;

/** Per-root differences, keyed by pin: added, removed, state or end date changed. */
function rootDiff(before: readonly RootView[] = [], after: readonly RootView[] = []): string[] {
  const name = (r: RootView) =>
    r.facts ? `${tick(r.facts.subject)} (${tick(r.facts.pin)})` : 'an unreadable certificate';
  const key = (r: RootView, i: number, side: string) => r.facts?.pin ?? `${side}-${i}`;
  const b = new Map(before.map((r, i) => [key(r, i, 'before'), r]));
  const a = new Map(after.map((r, i) => [key(r, i, 'after'), r]));
  const out: string[] = [];
  for (const [k, r] of a) {
    const old = b.get(k);
    if (!old) out.push(`${name(r)} added as ${tick(stateText(r))}`);
    else if (stateText(old) !== stateText(r)) out.push(`${name(r)} ${tick(stateText(old))} → ${tick(stateText(r))}`);
  }
  for (const [k, r] of b) if (!a.has(k)) out.push(`${name(r)} removed (was ${tick(stateText(r))})`);
  return out;
}

/** Certificates that join or leave the node-cert chain (by pin; an order change alone is no trust change). */
function chainDiff(before: readonly ChainCertificate[] = [], after: readonly ChainCertificate[] = []): string[] {
  const name = (c: ChainCertificate) => `${tick(c.subject)} (${tick(c.pin)})`;
  const pins = (xs: readonly ChainCertificate[]) => new Set(xs.map((c) => c.pin));
  const pb = pins(before);
  const pa = pins(after);
  return [
    ...after.filter((c) => !pb.has(c.pin)).map((c) => `${name(c)} added`),
    ...before.filter((c) => !pa.has(c.pin)).map((c) => `${name(c)} removed`),
  ];
}

/**
 * Trust changes of every bundle output: confirmed ones first, then what cannot be ruled out until apply. `more` are
 * trust changes found by other steps (revocations).
 */
export function explainTrust(
  ctx: Context,
  findings: readonly BundleFindings[],
  more: readonly TrustChange[] = [],
): TrustChange[] {
  const out: TrustChange[] = [...explainFreshness(findings), ...more, ...explainRolloutOverride(ctx, findings)];
  for (const f of findings) {
    const c = f.content;
    const subject = c.output;
    const push = (kind: TrustChangeKind, message: string, confirmed = true) =>
      out.push({ kind, subject, message, confirmed });
    if (f.after.state === 'absent') continue;

    if (f.after.state === 'known') {
      if (c.format) {
        push(
          TrustChangeKind.BUNDLE_FORMAT,
          `the bundle format changes ${c.format.before ?? 'none'} → ${c.format.after ?? 'none'}${c.format.after === 'v2' ? ': the bundle now carries the bundle keys nodes verify the next bundle under' : ''}.`,
        );
      }
      const url = c.fields.find((x) => x.field === 'control_plane.url');
      if (url) {
        push(
          TrustChangeKind.CONTROL_PLANE_URL,
          url.before === undefined
            ? `the control-plane URL is set to ${tick(url.after ?? 'none')}.`
            : `the control-plane URL changes ${tick(url.before)} → ${tick(url.after ?? 'none')}: nodes connect to the new URL and check its certificate against the public HTTPS roots.`,
        );
      }
      if (c.roots) {
        const lines = rootDiff(c.roots.before, c.roots.after);
        if (lines.length) push(TrustChangeKind.PUBLIC_HTTPS_ROOTS, `public HTTPS roots: ${lines.join('; ')}.`);
      }
      if (c.nodeCertChain) {
        const lines = chainDiff(c.nodeCertChain.before, c.nodeCertChain.after);
        if (lines.length) push(TrustChangeKind.NODE_CERT_CA_CHAIN, `node-cert CA chain: ${lines.join('; ')}.`);
      }
      if (c.bundleKeys) {
        const k = c.bundleKeys;
        const lines = keySetDiff(k.before, k.after);
        if (k.keyBefore !== k.keyAfter)
          lines.unshift(`key ${tick(k.keyBefore ?? 'none')} → ${tick(k.keyAfter ?? 'none')}`);
        if (lines.length) push(TrustChangeKind.BUNDLE_KEYS, `bundle keys: ${lines.join('; ')}.`);
      }
      continue;
    }

    // The new bundle is unknown until apply: what the planned resources show, then what they cannot rule out.
    const cfg = f.config!;
    if (cfg.roots) push(TrustChangeKind.PUBLIC_HTTPS_ROOTS, `public HTTPS roots change at apply: ${cfg.roots}.`);
    if (cfg.nodeCertChain) push(TrustChangeKind.NODE_CERT_CA_CHAIN, `node-cert CA chain: ${cfg.nodeCertChain}.`);
    if (cfg.bundleKeys) push(TrustChangeKind.BUNDLE_KEYS, cfg.bundleKeys);
    if (cfg.newTransitKeys?.length) {
      push(
        TrustChangeKind.BUNDLE_KEYS,
        `the old bundle carries no bundle keys and this plan creates the transit key ${cfg.newTransitKeys.map(tick).join(', ')}: if it signs bundles, the bundle format and bundle keys change; the new bundle is known after apply.`,
        false,
      );
    }
    if (cfg.digest !== 'unchanged') {
      const open = [
        'the control-plane URL',
        ...(cfg.roots ? [] : ['the public HTTPS roots']),
        ...(cfg.nodeCertChain ? [] : ['the node-cert CA chain']),
        'the bundle format',
        'the expiry',
        'the refresh hint',
        // The stack manifest states the revocations when there are any.
        ...(ctx.manifest?.bundle?.revoked ? [] : ['the revocations']),
      ];
      const list = `${open.slice(0, -1).join(', ')} and ${open[open.length - 1]}`;
      const why =
        cfg.digest === 'changed'
          ? `the code changes what it states for it (inputs digest ${tick(short(cfg.digests!.published!))} → ${tick(short(cfg.digests!.written!))})`
          : 'the plan carries no inputs digest to compare';
      push(
        TrustChangeKind.BUNDLE_INPUTS,
        `the new bundle is known only after apply, and ${why}: ${list} cannot be confirmed from this plan.${cfg.digest === 'changed' ? activeVersionNote(ctx) : ''} Review the code change, or the bundle after apply.`,
        false,
      );
    }
  }
  return out.sort((a, b) => Number(b.confirmed) - Number(a.confirmed) || byString(a.subject, b.subject));
}

/** When the active signing version (task key or bundle key) changes too (it alone changes the digest), say so. */
function activeVersionNote(ctx: Context): string {
  const notes: string[] = [];
  for (const [name, what] of [
    [outputName(ctx, OutputRole.TASK_ACTIVE_VERSION), 'task signing'],
    [outputName(ctx, OutputRole.BUNDLE_KEY_ACTIVE_VERSION), 'bundle signing'],
  ] as const) {
    const c = ctx.outputs.find(([n]) => n === name)?.[1];
    if (!c || actionKind(c.actions) !== 'update') continue;
    const b = wholeNumber(outputSide(c, 'before'));
    const a = wholeNumber(outputSide(c, 'after'));
    if (b !== undefined && a !== undefined) notes.push(`the active ${what} version also changes (v${b} → v${a})`);
  }
  if (!notes.length) return '';
  const text = notes.join(', and ');
  return ` ${text[0].toUpperCase()}${text.slice(1)}, which alone changes the digest.`;
}
