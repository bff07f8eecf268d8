/**
 * The renderer's bundle sections: "Trust changes" (first in the comment), "Signing during a plan", and the
 * bootstrap bundle's contents field by field. Internal to lib/review.
 */
import type {
  BundleContentChange,
  BundleKeySetChange,
  ChainCertificate,
  EmergencyReview,
  EnvelopeChange,
  Explanation,
  RevokedItem,
  VerifierView,
} from '../explanation';
import { cell, code, message, verifierCell } from './markdown';

export const EMERGENCY_HEAD = '## 🛑 Emergency: trust is revoked';
export const TRUST_HEAD = '## 🔐 Trust changes';
export const SIGNING_HEAD = '## 🚨 Signing during a plan';
export const NO_TRUST_CHANGE =
  'No trust change: the control-plane URL, public HTTPS roots, node-cert CA chain, bundle keys, bundle format, expiry, refresh hint and revocations stay as they are.';

/** `3600 s (1 h)`: seconds, and the largest whole unit when there is one. */
export function duration(seconds: number): string {
  const units: Array<[number, string]> = [
    [86400, 'd'],
    [3600, 'h'],
    [60, 'min'],
  ];
  const unit = units.find(([n]) => seconds >= n && seconds % n === 0);
  return unit ? `${seconds} s (${seconds / unit[0]} ${unit[1]})` : `${seconds} s`;
}

function refusal(i: RevokedItem): string {
  switch (i.kind) {
    case 'task-key':
      return `tasks signed by task key ${code(i.key ?? '?')} version ${i.version}`;
    case 'bundle-key':
      return `bundle updates signed by bundle key ${code(i.key ?? '?')} version ${i.version}`;
    default:
      return `TLS to a control plane whose certificate chains to the root ${i.subject ? `${code(i.subject)}, ` : ''}pin ${code(i.pin ?? '?')}`;
  }
}

function emergencyLines(e: EmergencyReview): string[] {
  const out = [
    `EMERGENCY: this plan revokes trust that the published bundle (${code(e.output)}) still gives. After their next refresh, nodes refuse:`,
    '',
    ...e.revoked.map((i) => `- ${refusal(i)}`),
    '',
  ];
  if (e.from === 'manifest') {
    out.push('The revocations come from the code (the stack manifest): the new bundle is known only after apply.', '');
  }
  out.push(
    e.refreshHintSeconds !== undefined
      ? `Every online node refuses them at most ${duration(e.refreshHintSeconds)} after the apply publishes the bundle: the bundle's refresh hint.`
      : "Every online node refuses them at most one refresh hint after the apply publishes the bundle (the plan does not show the bundle's refresh hint).",
    '',
    `Exposure window: until its next refresh, a node still accepts them; a node that takes no update (offline, or cut off by someone who blocks its traffic) accepts them until the bundle it holds expires${e.heldBundleExpires ? ` (${code(e.heldBundleExpires)})` : ''}.`,
    '',
  );
  return out;
}

/** The "Emergency" section, first in the comment, when a plan revokes what the published bundle does not. */
export function renderEmergency(x: Explanation): string[] {
  if (!x.emergencies.length) return [];
  return [EMERGENCY_HEAD, '', ...x.emergencies.flatMap(emergencyLines)];
}

/** The trust section (confirmed changes, then what cannot be ruled out), or the all-clear when a bundle changes. */
export function renderTrust(x: Explanation): string[] {
  const out: string[] = [];
  const confirmed = x.trustChanges.filter((t) => t.confirmed);
  const open = x.trustChanges.filter((t) => !t.confirmed);
  if (!confirmed.length && !open.length) {
    return x.bundleContents.length ? [NO_TRUST_CHANGE, ''] : [];
  }
  out.push(TRUST_HEAD, '');
  out.push(
    confirmed.length
      ? 'TRUST CHANGE: this plan changes what nodes trust. Check every line against the change request before approving.'
      : 'TRUST CHANGE POSSIBLE: this plan may change what nodes trust, and the plan cannot show it. Check the code change before approving.',
    '',
  );
  for (const t of confirmed) out.push(`- **TRUST CHANGE (${t.kind})** ${code(t.subject)}: ${message(t.message)}`);
  if (confirmed.length) out.push('');
  if (open.length) {
    if (confirmed.length) out.push('Cannot be ruled out until apply:', '');
    for (const t of open) out.push(`- **UNCONFIRMED (${t.kind})** ${code(t.subject)}: ${message(t.message)}`);
    out.push('');
  }
  return out;
}

/** Signing during a plan: loud, right after the trust section. */
export function renderSigningAlerts(x: Explanation): string[] {
  if (!x.signing.alerts.length) return [];
  const out = [SIGNING_HEAD, ''];
  out.push('WARNING: nothing may be signed before review; signatures are made during apply. Read every line.', '');
  for (const w of x.signing.alerts) out.push(`- **WARNING (${w.kind})** ${code(w.subject)}: ${message(w.message)}`);
  out.push('');
  return out;
}

function envelopeLine(e: EnvelopeChange): string {
  const what =
    e.signed === 'apply'
      ? 'signed during apply (the plan holds no signature)'
      : e.signed === 'removed'
        ? 'removed'
        : 'known in the plan with its signatures: signed while planning (see "Signing during a plan")';
  return `- Envelope (${code(e.output)}, ${e.action}): ${what}`;
}

const stateCell = (view: VerifierView | undefined, known: boolean) =>
  known ? verifierCell(view) : 'known after apply';

function kidCell(b: VerifierView | undefined, a: VerifierView | undefined): string {
  if (b?.kid && a?.kid && b.kid !== a.kid) return `${code(b.kid)} → ${code(a.kid)}`;
  const kid = a?.kid ?? b?.kid;
  return kid ? code(kid) : '';
}

function keySetTable(title: string, place: string, k: BundleKeySetChange): string[] {
  const key =
    k.keyBefore !== undefined && k.keyAfter !== undefined && k.keyBefore !== k.keyAfter
      ? `${code(k.keyBefore)} → ${code(k.keyAfter)}`
      : code(k.keyAfter ?? k.keyBefore ?? '?');
  const out = [`${title} (${code(place)}, key ${key}):`, ''];
  if (k.afterFrom === 'derived') {
    out.push(
      '- The new states are derived from the floors and rotation resources of the key; the set itself is known after apply.',
      '',
    );
  } else if (k.afterFrom === 'schedule') {
    out.push('- The new states and end dates come from the schedule output; the set itself is known after apply.', '');
  } else if (!k.after) {
    out.push('- The new set is known only after apply.', '');
  }
  const versions = [...new Set([...(k.before ?? []), ...(k.after ?? [])].map((e) => e.version))].sort((a, b) => a - b);
  if (versions.length) {
    out.push('| Version | Before | After | Kid |', '| --- | --- | --- | --- |');
    for (const ver of versions) {
      const b = k.before?.find((e) => e.version === ver);
      const a = k.after?.find((e) => e.version === ver);
      out.push(`| v${ver} | ${cell(verifierCell(b))} | ${cell(stateCell(a, !!k.after))} | ${kidCell(b, a)} |`);
    }
    out.push('');
  }
  return out;
}

function chainTable(before: readonly ChainCertificate[] = [], after: readonly ChainCertificate[] = []): string[] {
  const rows = new Map<string, ChainCertificate>();
  for (const c of [...before, ...after]) if (!rows.has(c.pin)) rows.set(c.pin, c);
  const out = ['Node-cert CA chain (`node_cert_trust.pems`):', ''];
  out.push('| Certificate | Pin | Before | After |', '| --- | --- | --- | --- |');
  for (const [pin, c] of rows) {
    const at = (xs: readonly ChainCertificate[]) => {
      const i = xs.findIndex((x) => x.pin === pin);
      return i < 0 ? '—' : `in the chain (${i + 1} of ${xs.length})`;
    };
    out.push(`| ${cell(c.subject)} | ${pin === '?' ? '?' : code(pin)} | ${at(before)} | ${at(after)} |`);
  }
  out.push('');
  return out;
}

function contentLines(c: BundleContentChange): string[] {
  const out = [`#### ${code(c.output)} (${c.action})`, ''];
  if (c.action === 'delete') return [...out, '- The bundle output is removed.', ''];
  if (c.format) out.push(`- Format: ${c.format.before ?? 'none'} → ${c.format.after ?? 'known after apply'}`, '');
  if (!c.afterKnown) {
    out.push(
      'The new bundle is known only after apply. What the configuration (the planned resources) says about it:',
      '',
    );
    for (const k of c.knownFromConfig) out.push(`- ${message(k)}`);
    out.push('', 'The rest of the bundle is known after apply.', '');
  }
  if (c.fields.length) {
    out.push('| Field | Before | After |', '| --- | --- | --- |');
    for (const f of c.fields) {
      out.push(
        `| ${code(f.field)} | ${f.before !== undefined ? code(f.before) : '—'} | ${f.after !== undefined ? code(f.after) : '—'} |`,
      );
    }
    out.push('');
  }
  if (c.roots) out.push('- Public HTTPS roots change: see the table under "Control-plane CA and pins".', '');
  if (c.nodeCertChain) out.push(...chainTable(c.nodeCertChain.before, c.nodeCertChain.after));
  // For a bundle known only after apply, the task verifiers are under "Verifier set" already.
  if (c.taskVerifiers && c.afterKnown) {
    out.push(...keySetTable('Task verifiers', 'task_verifiers.set', c.taskVerifiers));
  }
  if (c.bundleKeys) out.push(...keySetTable('Bundle keys', 'bundle_keys.set', c.bundleKeys));
  const nothing =
    c.afterKnown && !c.format && !c.fields.length && !c.roots && !c.nodeCertChain && !c.taskVerifiers && !c.bundleKeys;
  if (nothing) out.push('- Only the sequence changes.', '');
  return out;
}

/** The "Bootstrap bundle" section: sequence, envelope, then each bundle output field by field. */
export function renderBundleSection(x: Explanation): string[] {
  const s = x.signing;
  if (!x.bundles.length && !x.bundleContents.length && !s.envelopes.length && !s.signatures.length) return [];
  const out = ['### Bootstrap bundle', ''];
  for (const b of x.bundles) {
    const before = b.sequenceBefore ?? 'none';
    const after =
      b.sequenceAfter ??
      (b.action === 'delete' ? 'removed' : 'known after apply (the signed envelope is computed at apply)');
    out.push(`- Sequence (${code(b.subject)}, ${b.action}): ${before} → ${after}`);
    if (b.contentChanged === true && b.sequenceBefore !== undefined && b.sequenceBefore === b.sequenceAfter) {
      out.push('- The bundle changes but its sequence does not: nodes will refuse it. Bump the sequence.');
    }
  }
  for (const e of x.signing.envelopes) out.push(envelopeLine(e));
  for (const g of x.signing.signatures) {
    const what =
      g.action === 'replace'
        ? `signs again during apply with ${code(g.keyPath)}, as what it signs changes (the replacement deletes nothing in Vault)`
        : g.action === 'delete'
          ? `no longer signs (with ${code(g.keyPath)})`
          : `signs during apply with ${code(g.keyPath)}`;
    out.push(`- Signature (${code(g.address)}, ${g.action}): ${what}`);
  }
  out.push('');
  for (const c of x.bundleContents) out.push(...contentLines(c));
  return out;
}
