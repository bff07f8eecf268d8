/**
 * Renders an `Explanation` as Markdown for a pull-request comment. Deterministic; every value taken from the plan
 * is put in a code span or escaped, so names in a plan cannot add HTML, links or table cells to the comment.
 * Order: an emergency (revocations) before everything else, the summary, trust changes, signing during a plan,
 * destructive changes, then the details.
 */
import type { CertificateFacts } from './certificate-facts';
import type { Explanation, Floors, RootView } from './explanation';
import { cell, code, message, plain, rootCell, v, verifierCell } from './private/markdown';
import { renderBundleSection, renderEmergency, renderSigningAlerts, renderTrust } from './private/render-bundle';

/** Options of `renderMarkdown`. */
export interface RenderOptions {
  /**
   * Shown after "Plan review" in the heading (for example the environment name).
   * @default - no title
   */
  readonly title?: string;
}

function latestNote(before: number | undefined, after: number | undefined): string {
  if (before === undefined || after === undefined) return '';
  if (before === after) return ' (no new version)';
  return after < before ? ' (goes down: see the warnings)' : '';
}

function floorsText(f: Floors | undefined): string {
  return f
    ? `min_decryption_version ${f.minDecryptionVersion}, min_encryption_version ${f.minEncryptionVersion}`
    : 'none';
}

/** Renders an explanation as Markdown for a pull-request comment. Deterministic. */
export function renderMarkdown(explanation: Explanation, options: RenderOptions = {}): string {
  const x = explanation;
  const out: string[] = [];
  out.push(`## Plan review${options.title ? `: ${plain(options.title)}` : ''}`, '');
  // An emergency comes before everything else, the summary included.
  out.push(...renderEmergency(x));
  out.push(`**${x.summary.text}**`, '');
  // Trust changes come first, then anything signed while planning, then destructive changes.
  out.push(...renderTrust(x), ...renderSigningAlerts(x));

  if (x.warnings.length) {
    out.push('## ⚠️ Destructive changes', '');
    out.push('WARNING: this plan deletes, replaces or lowers something. Read every line before approving.', '');
    for (const w of x.warnings) out.push(`- **WARNING (${w.kind})** ${code(w.subject)}: ${message(w.message)}`);
    out.push('');
  } else {
    out.push('No destructive changes: nothing is deleted or replaced, and no version goes down.', '');
  }

  if (x.keys.length) {
    out.push('### Task signing keys', '');
    for (const k of x.keys) {
      out.push(`#### ${code(k.key)} (${code(k.keyPath)})`, '');
      if (k.keyAction && k.keyAction !== 'no-op') out.push(`- Transit key: ${k.keyAction}`);
      const created = k.rotations.filter((r) => r.action === 'create' && !r.adopts);
      out.push(
        `- Latest key version: ${v(k.latestBefore)} → ${v(k.latestAfter)}${latestNote(k.latestBefore, k.latestAfter)}`,
      );
      for (const r of k.rotations) {
        const what =
          r.action === 'create' && r.adopts
            ? `adopts ${v(r.version)}, which Vault already has (an apply killed before saving state, or a rotation by hand): nothing rotates`
            : r.action === 'create'
              ? `creates ${v(r.version)} at apply (Vault generates it; the private key never leaves Vault)`
              : r.action === 'delete'
                ? `is destroyed (${v(r.version)} stays in Vault)`
                : `${r.action}`;
        out.push(`- Rotation ${code(r.address)}: ${what}`);
      }
      if (created.length > 1) out.push(`- ${created.length} rotations in one apply, oldest first`);
      if (k.floors) {
        const f = k.floors;
        const b = (n: number | undefined) => (n === undefined ? 'none' : String(n));
        const a = (n: number | undefined) =>
          n !== undefined ? String(n) : f.action === 'delete' ? 'removed' : 'known after apply';
        out.push(
          f.action === 'no-op'
            ? `- Floors (${code(f.address)}): unchanged, ${floorsText(f.before)}`
            : `- Floors (${code(f.address)}, ${f.action}): min_decryption_version ${b(f.before?.minDecryptionVersion)} → ${a(f.after?.minDecryptionVersion)}, min_encryption_version ${b(f.before?.minEncryptionVersion)} → ${a(f.after?.minEncryptionVersion)}`,
        );
      }
      if (k.signing) {
        const s = (xs: readonly number[]) => (xs.length ? xs.map((n) => `v${n}`).join(', ') : 'none');
        const same = s(k.signing.before) === s(k.signing.after);
        out.push(
          `- Control plane signs with (policy \`key_version\`): ${s(k.signing.before)} → ${s(k.signing.after)}${same ? ' (unchanged)' : ''}`,
        );
      }
      out.push('');
    }
  }

  if (x.verifierSets.length) {
    out.push('### Verifier set', '');
    for (const s of x.verifierSets) {
      out.push(`#### ${code(s.output)}${s.key ? ` (key ${code(s.key)})` : ''}`, '');
      if (s.afterSource === 'derived' && s.derivedFrom) {
        const f = s.derivedFrom.floors;
        out.push(
          `After: known after apply. Expected states, derived from the Floors and rotation resources (min_decryption_version ${f.minDecryptionVersion}, min_encryption_version ${f.minEncryptionVersion}, latest v${s.derivedFrom.latest}); grace end dates are set in code and appear after apply.`,
          '',
        );
      } else if (s.afterSource === 'schedule') {
        out.push('After: known after apply; states and end dates from the schedule output.', '');
      } else if (s.afterSource === 'none' && s.action !== 'delete') {
        out.push('After: known after apply.', '');
      }
      const versions = [...new Set([...(s.before ?? []), ...(s.after ?? [])].map((e) => e.version))].sort(
        (a, b) => a - b,
      );
      if (versions.length) {
        out.push('| Version | Before | After |', '| --- | --- | --- |');
        for (const ver of versions) {
          const b = s.before?.find((e) => e.version === ver);
          const a = s.after?.find((e) => e.version === ver);
          const afterCell = s.after ? verifierCell(a) : s.action === 'delete' ? 'removed' : 'known after apply';
          out.push(`| v${ver} | ${cell(verifierCell(b))} | ${cell(afterCell)} |`);
        }
        out.push('');
      }
    }
  }

  const ca = x.ca;
  if (ca.issuers.length || ca.defaultIssuers.length || ca.bundleRoots.length) {
    out.push('### Control-plane CA and pins', '');
    for (const i of ca.issuers) {
      const name = code(i.issuerName ?? '?');
      const where = i.backend ? ` in ${code(i.backend)}` : '';
      if (i.action === 'create' || i.action === 'replace') {
        const pin = i.after
          ? `pin ${code(i.after.pin)}, valid until ${i.after.notAfter}`
          : 'certificate and pin known after apply';
        out.push(
          `- ${i.action === 'create' ? 'New' : 'Replaced'} root issuer ${name}${where} (${code(i.address)}): ${i.keyType ? `key ${plain(i.keyType)}, ` : ''}generated inside Vault; ${pin}.`,
        );
      } else if (i.action === 'delete') {
        out.push(
          `- Root issuer ${name}${where} is deleted (${code(i.address)})${i.before ? `; its pin was ${code(i.before.pin)}` : ''}.`,
        );
      } else {
        out.push(`- Root issuer ${name}${where} (${code(i.address)}): ${i.action}.`);
      }
    }
    for (const d of ca.defaultIssuers) {
      const b = d.before !== undefined ? code(d.before) : 'none';
      const a = d.after !== undefined ? code(d.after) : d.action === 'delete' ? 'removed' : 'known after apply';
      out.push(`- Default issuer of ${code(d.backend ?? '?')} (${code(d.address)}, ${d.action}): ${b} → ${a}`);
    }
    if (ca.issuers.length || ca.defaultIssuers.length) out.push('');
    for (const r of ca.bundleRoots) {
      out.push(`Public HTTPS roots in ${code(r.output)}:`, '');
      if (!r.after) {
        out.push('- After: known after apply (a root created in this plan gets its certificate at apply).');
        for (const e of r.expected) out.push(`- Expected: ${message(e)}`);
        out.push('');
      }
      const rows: Array<{ key: string; facts?: CertificateFacts; before?: RootView; after?: RootView }> = [];
      const add = (view: RootView, side: 'before' | 'after', index: number) => {
        const key = view.facts?.pin ?? `${side}-${index}`;
        let row = rows.find((x2) => x2.key === key);
        if (!row) {
          row = { key, ...(view.facts ? { facts: view.facts } : {}) };
          rows.push(row);
        }
        row[side] = view;
      };
      (r.before ?? []).forEach((view, i) => add(view, 'before', i));
      (r.after ?? []).forEach((view, i) => add(view, 'after', i));
      if (rows.length) {
        out.push('| Root | Pin | Before | After |', '| --- | --- | --- | --- |');
        for (const row of rows) {
          const afterCell = r.after ? rootCell(row.after) : 'known after apply';
          out.push(
            `| ${cell(row.facts?.subject ?? 'unreadable certificate')} | ${row.facts ? code(row.facts.pin) : '?'} | ${cell(rootCell(row.before))} | ${cell(afterCell)} |`,
          );
        }
        out.push('');
        for (const row of rows) {
          const a = row.after;
          if (a?.until && row.facts) {
            out.push(
              `- Overlap: ${code(row.facts.subject)} stays trusted as \`${a.state}\` until ${a.until}; its certificate is valid until ${row.facts.notAfter}.`,
            );
          }
        }
        if (rows.some((row) => row.after?.until && row.facts)) out.push('');
      }
      // The node-cert CA chain (pins and subjects) is shown with the bundle's contents.
    }
  }

  if (x.policies.length) {
    out.push('### Policy changes', '');
    for (const p of x.policies) {
      const name = p.previousName ? `${code(p.previousName)} → ${code(p.name ?? '?')}` : code(p.name ?? '?');
      out.push(`#### ${name} (${code(p.address)}, ${p.action})`, '');
      if (p.problem) out.push(`- Not compared: ${code(p.problem)}`);
      else if (!p.paths.length) out.push('- No path changes (formatting only).');
      for (const d of p.paths) {
        const caps = (xs: readonly string[]) => plain(xs.join(', '));
        if (d.change === 'added') {
          out.push(
            `- added ${code(d.path)}: ${caps(d.capabilities)}${d.details.length ? `; ${d.details.map(code).join('; ')}` : ''}`,
          );
        } else if (d.change === 'removed') {
          out.push(`- removed ${code(d.path)}: ${caps(d.capabilities)}`);
        } else {
          const parts: string[] = [];
          if (d.capabilitiesAdded.length) parts.push(`capabilities added: ${caps(d.capabilitiesAdded)}`);
          if (d.capabilitiesRemoved.length) parts.push(`capabilities removed: ${caps(d.capabilitiesRemoved)}`);
          parts.push(...d.details.map(code));
          out.push(`- changed ${code(d.path)}: ${parts.join('; ')}`);
        }
      }
      out.push('');
    }
  }

  out.push(...renderBundleSection(x));

  if (x.resources.length) {
    out.push('### All resource changes', '');
    out.push('| Action | Resource | Why |', '| --- | --- | --- |');
    for (const r of x.resources) {
      const action =
        r.action === 'read' ? 'read at apply' : r.action === 'replace' ? 'replace (delete, then create)' : r.action;
      out.push(`| ${action} | ${code(r.address)} | ${cell(r.why ?? '')} |`);
    }
    out.push('');
  }
  if (x.outputs.length) {
    out.push('### Outputs', '');
    out.push('| Output | Change |', '| --- | --- |');
    for (const o of x.outputs)
      out.push(`| ${code(o.name)} | ${o.action}${o.afterKnown ? '' : ', known after apply'} |`);
    out.push('');
  }
  if (x.formatVersion || x.engineVersion) {
    out.push(`<sub>Plan format ${x.formatVersion ?? '?'}, engine ${x.engineVersion ?? '?'}.</sub>`, '');
  }
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
