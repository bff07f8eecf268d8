import { BUNDLE_KEYS_FORMAT_V1, PUBKEYS_FORMAT_V1, VerifierState } from '../../node/formats';
import { parseIsoUtc } from '../../kernel/iso-time';
import { stringsContaining } from '../strings';
import { CheckLevel, ElementRule, compliant, nonCompliant, notApplicable } from '../types';
import { isExpression } from '../values';

/** One verifier entry as written: each field undefined when it is not a literal. */
interface WrittenEntry {
  readonly version?: number;
  readonly state?: string;
  readonly until?: string;
}

const STATES: readonly VerifierState[] = ['active', 'next', 'grace'];

/**
 * The entries of a verifier set written in `text`: parsed when the text is the JSON itself, read field by field
 * from a `jsonencode({...})` expression otherwise (object entries separated by `}, {`; `"name" = value`).
 */
function entriesOf(text: string): WrittenEntry[] | undefined {
  if (!isExpression(text)) {
    try {
      const doc = JSON.parse(text) as { keys?: unknown };
      if (!Array.isArray(doc.keys)) return undefined;
      return doc.keys.map((k) => {
        const o = (k ?? {}) as Record<string, unknown>;
        return {
          ...(typeof o.version === 'number' ? { version: o.version } : {}),
          ...(typeof o.state === 'string' ? { state: o.state } : {}),
          ...(typeof o.until === 'string' ? { until: o.until } : {}),
        };
      });
    } catch {
      return undefined;
    }
  }
  const start = text.search(/"keys"\s*=\s*\[/);
  if (start < 0) return undefined;
  const list = text.slice(start);
  const field = (segment: string, name: string) =>
    new RegExp(`"${name}"\\s*=\\s*(?:"([^"]*)"|([0-9]+)(?![0-9.]))`).exec(segment);
  return list
    .split(/\}\s*,\s*\{/)
    .map((segment) => {
      const version = field(segment, 'version');
      const state = field(segment, 'state');
      const until = field(segment, 'until');
      return {
        ...(version?.[2] !== undefined ? { version: Number(version[2]) } : {}),
        ...(state?.[1] !== undefined ? { state: state[1] } : {}),
        ...(until?.[1] !== undefined ? { until: until[1] } : {}),
      };
    })
    .filter((e) => e.state !== undefined || e.version !== undefined);
}

/** What is wrong with a verifier set's entries; empty when it is explicit and consistent. */
export function verifierSetProblems(entries: readonly WrittenEntry[]): string[] {
  const problems: string[] = [];
  const label = (e: WrittenEntry, i: number) => (e.version !== undefined ? `version ${e.version}` : `entry ${i + 1}`);
  entries.forEach((e, i) => {
    if (e.state !== undefined && !(STATES as readonly string[]).includes(e.state)) {
      problems.push(`${label(e, i)} has state ${JSON.stringify(e.state)} (expected active, next or grace)`);
    }
    if (e.state === 'grace' && e.until === undefined) problems.push(`${label(e, i)} is in grace without an end date`);
    if (e.until !== undefined && parseIsoUtc(e.until) === undefined) {
      problems.push(`${label(e, i)} ends at ${JSON.stringify(e.until)}, not an ISO 8601 UTC time`);
    }
    if (e.until !== undefined && e.state !== undefined && e.state !== 'grace') {
      problems.push(`${label(e, i)} is ${e.state} but carries an end date (only grace entries end)`);
    }
  });
  const active = entries.filter((e) => e.state === 'active');
  if (active.length !== 1) problems.push(`${active.length} entries are active (exactly one must be)`);
  const next = entries.filter((e) => e.state === 'next');
  if (next.length > 1) problems.push(`${next.length} entries are next (at most one may be)`);
  const versions = entries.map((e) => e.version).filter((v): v is number => v !== undefined);
  const seen = new Set<number>();
  for (const v of versions) {
    if (seen.has(v)) problems.push(`version ${v} is listed twice`);
    seen.add(v);
  }
  if (versions.some((v, i) => i > 0 && v < versions[i - 1])) problems.push('the entries are not sorted by version');
  const activeVersion = active.length === 1 ? active[0].version : undefined;
  if (activeVersion !== undefined) {
    for (const e of entries) {
      if (e.version === undefined) continue;
      if (e.state === 'grace' && e.version > activeVersion) {
        problems.push(`version ${e.version} is in grace but newer than the active version ${activeVersion}`);
      }
      if (e.state === 'next' && e.version < activeVersion) {
        problems.push(`version ${e.version} is next but older than the active version ${activeVersion}`);
      }
    }
  }
  return problems;
}

/**
 * The verifier set is explicit (invariant 4): exactly one active version, at most one pre-published next version,
 * older versions in grace each with an ISO 8601 UTC end date, nothing else. Checks every key set written in the
 * stack, task verifier sets (format `gpuaas-task-signing-pubkeys/v1`) and bundle key sets (format
 * `cdktf-platform-trust/bundle-keys/v1`, same rules), the literal JSON or the `jsonencode` expression that
 * TaskSigningKey and BundleSigningKey render; an entry whose fields are expressions is not judged.
 */
export const VerifierSetExplicit: ElementRule = {
  id: 'PlatformTrust-VerifierSetExplicit',
  scope: 'element',
  level: CheckLevel.ERROR,
  description:
    'A task verifier set or bundle key set must list exactly one active version, at most one next version, and grace versions with explicit end dates',
  fix: 'Let TaskSigningKey and BundleSigningKey render the key sets from version, activeVersion and grace; when writing one by hand, give every grace entry an "until" in ISO 8601 UTC and keep one active entry.',
  check(element) {
    const sets = [
      ...stringsContaining(element.config, PUBKEYS_FORMAT_V1).map((s) => ({ ...s, kind: 'verifier set' })),
      ...stringsContaining(element.config, BUNDLE_KEYS_FORMAT_V1).map((s) => ({ ...s, kind: 'bundle key set' })),
    ];
    if (sets.length === 0) return notApplicable('no verifier set');
    const details: string[] = [];
    let read = 0;
    for (const { where, text, kind } of sets) {
      const entries = entriesOf(text);
      if (entries === undefined || entries.some((e) => e.state === undefined)) continue;
      read++;
      for (const p of verifierSetProblems(entries)) details.push(`the ${kind} in ${where}: ${p}`);
    }
    if (details.length > 0) return nonCompliant(...details);
    return read > 0 ? compliant() : notApplicable('the verifier set entries are only known at apply time');
  },
};
