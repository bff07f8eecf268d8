import { ALL_ELEMENTS } from '../applies-to';
import { BUNDLE_KEYS_FORMAT_V1, PUBKEYS_FORMAT_V1 } from '../../kernel/formats';
import { KeySetEntryFacts, keySetProblems } from '../../kernel/key-set';
import { stringsContaining } from '../private/strings';
import { CheckLevel, ElementRule, compliant, nonCompliant, notApplicable } from '../types';
import { isExpression } from '../private/values';

/** One verifier entry as written: each field undefined when it is not a literal. */
interface WrittenEntry {
  readonly version?: number;
  readonly state?: string;
  readonly until?: string;
}

/**
 * The entries of a verifier set written in `text`: parsed when the text is the JSON itself, read from a
 * `jsonencode({...})` expression otherwise (see {@link hclListEntries}).
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
  const start = /"keys"\s*=\s*\[/.exec(text);
  if (!start) return undefined;
  return hclListEntries(text, start.index + start[0].length)
    .map((fields) => {
      const version = fields.get('version');
      const state = fields.get('state');
      const until = fields.get('until');
      return {
        ...(version !== undefined && /^[0-9]+$/.test(version) ? { version: Number(version) } : {}),
        ...(state !== undefined && isQuoted(state) ? { state: unquote(state) } : {}),
        ...(until !== undefined && isQuoted(until) ? { until: unquote(until) } : {}),
      };
    })
    .filter((e) => e.state !== undefined || e.version !== undefined);
}

const isQuoted = (v: string) => /^"[^"\\$%]*"$/.test(v);
const unquote = (v: string) => v.slice(1, -1);

/**
 * Reads the objects of an HCL list starting at `from` (just after its `[`): for each top-level `{...}` object, its
 * top-level `"name" = value` pairs with the value's text trimmed. Quotes, escapes and nesting (`{}`, `[]`, `()`)
 * are followed, so a value holding `}, {` does not split an object; reading stops at the list's `]`.
 */
function hclListEntries(text: string, from: number): Map<string, string>[] {
  const objects: Map<string, string>[] = [];
  let depth = 0;
  let current: Map<string, string> | undefined;
  let pairStart = -1;
  const closePair = (end: number) => {
    if (current && pairStart >= 0) {
      const m = /^\s*"([^"]+)"\s*=\s*([\s\S]*?)\s*$/.exec(text.slice(pairStart, end));
      if (m) current.set(m[1], m[2]);
    }
    pairStart = -1;
  };
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      continue;
    }
    if (c === '{' || c === '[' || c === '(') {
      depth++;
      if (depth === 1 && c === '{') {
        current = new Map();
        pairStart = i + 1;
      }
      continue;
    }
    if (c === '}' || c === ']' || c === ')') {
      if (depth === 0) break;
      if (depth === 1 && c === '}' && current) {
        closePair(i);
        objects.push(current);
        current = undefined;
      }
      depth--;
      continue;
    }
    if (depth === 1 && current && (c === ',' || c === '\n')) {
      closePair(i);
      pairStart = i + 1;
    }
  }
  return objects;
}

/**
 * What is wrong with a verifier set's entries; empty when it is explicit and consistent. The rules are the
 * kernel's (`lib/kernel/key-set.ts`), the same the node applies when it parses a set.
 */
export function verifierSetProblems(entries: readonly WrittenEntry[]): string[] {
  return keySetProblems(entries as readonly KeySetEntryFacts[]).map((p) => p.message);
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
  supportedResources: ALL_ELEMENTS,
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
