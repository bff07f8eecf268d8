/**
 * The schedule rules of a versioned key set, defined once for both kinds (task verifier sets and bundle key sets)
 * and every layer: the node's parser, the VerifierSetExplicit rule, and the constructs' schedule model. Pure.
 *
 * A set is explicit (invariant 4): exactly one `active` entry, at most one `next` entry (newer than the active
 * one, so the highest version), `grace` entries older than the active one, each with an ISO 8601 UTC `until`, and
 * nothing else; versions are integers from 1 to 2^31-1, unique and ascending. Schedules written in code also keep
 * grace ends in version order ({@link graceEndProblems}).
 */
import { KEY_STATES } from './formats';
import { parseIsoUtc } from './iso-time';
import { Problem, problem } from './problems';

/** Highest key version (Vault key versions are 32-bit integers). */
export const MAX_KEY_VERSION = 2147483647;

/**
 * One entry as far as it is known. `version` undefined means not known (an expression): version rules skip it.
 * `until` undefined means absent.
 */
export interface KeySetEntryFacts {
  readonly version?: unknown;
  readonly state?: unknown;
  readonly until?: unknown;
}

/** Problem codes of key sets. */
export const KeySetProblem = {
  VERSION: 'key-set-version',
  STATE: 'key-set-state',
  UNTIL_MISSING: 'key-set-until-missing',
  UNTIL_NOT_GRACE: 'key-set-until-not-grace',
  UNTIL_TIME: 'iso-time',
  ACTIVE: 'key-set-active',
  NEXT: 'key-set-next',
  GRACE_NEWER: 'key-set-grace-newer',
  NEXT_OLDER: 'key-set-next-older',
  DUPLICATE: 'key-set-duplicate',
  ORDER: 'key-set-order',
  GRACE_ENDS: 'key-set-grace-ends',
} as const;

const P = KeySetProblem;

function isVersion(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_KEY_VERSION;
}

function label(e: KeySetEntryFacts, i: number): string {
  return isVersion(e.version) ? `version ${e.version}` : `entry ${i + 1}`;
}

/** The problems of one entry (`path` names it, for example `keys[2]`; `index` is its position). */
export function keySetEntryProblems(e: KeySetEntryFacts, index: number, path: string): Problem[] {
  const out: Problem[] = [];
  const name = label(e, index);
  if (e.version !== undefined && !isVersion(e.version)) {
    out.push(problem(P.VERSION, `${path}.version`, `${name} is not an integer from 1 to ${MAX_KEY_VERSION}`));
  }
  if (!(KEY_STATES as readonly unknown[]).includes(e.state)) {
    out.push(
      problem(
        P.STATE,
        `${path}.state`,
        `${name} has state ${JSON.stringify(e.state)} (expected active, next or grace)`,
      ),
    );
  }
  if (e.state === 'grace' && e.until === undefined) {
    out.push(problem(P.UNTIL_MISSING, `${path}.until`, `${name} is in grace without an end date`));
  }
  if (e.until !== undefined && e.state !== undefined && e.state !== 'grace') {
    out.push(
      problem(
        P.UNTIL_NOT_GRACE,
        `${path}.until`,
        `${name} is ${typeof e.state === 'string' ? e.state : JSON.stringify(e.state)} but carries an end date (only grace entries end)`,
      ),
    );
  }
  if (e.until !== undefined && parseIsoUtc(e.until) === undefined) {
    out.push(
      problem(P.UNTIL_TIME, `${path}.until`, `${name} ends at ${JSON.stringify(e.until)}, not an ISO 8601 UTC time`),
    );
  }
  return out;
}

/** The problems of the set as a whole (states counted, versions compared), without the per-entry ones. */
export function keySetOrderProblems(entries: readonly KeySetEntryFacts[], path: string): Problem[] {
  const out: Problem[] = [];
  const active = entries.filter((e) => e.state === 'active');
  if (active.length !== 1)
    out.push(problem(P.ACTIVE, path, `${active.length} entries are active (exactly one must be)`));
  const next = entries.filter((e) => e.state === 'next');
  if (next.length > 1) out.push(problem(P.NEXT, path, `${next.length} entries are next (at most one may be)`));
  const activeVersion = active.length === 1 && isVersion(active[0].version) ? active[0].version : undefined;
  if (activeVersion !== undefined) {
    entries.forEach((e, i) => {
      if (!isVersion(e.version)) return;
      if (e.state === 'grace' && e.version > activeVersion) {
        out.push(
          problem(
            P.GRACE_NEWER,
            `${path}[${i}].version`,
            `version ${e.version} is in grace but newer than the active version ${activeVersion}`,
          ),
        );
      }
      if (e.state === 'next' && e.version < activeVersion) {
        out.push(
          problem(
            P.NEXT_OLDER,
            `${path}[${i}].version`,
            `version ${e.version} is next but older than the active version ${activeVersion}`,
          ),
        );
      }
    });
  }
  const known = entries
    .map((e, i) => ({ v: e.version, i }))
    .filter((x): x is { v: number; i: number } => isVersion(x.v));
  const seen = new Set<number>();
  for (const { v, i } of known) {
    if (seen.has(v)) out.push(problem(P.DUPLICATE, `${path}[${i}].version`, `version ${v} is listed twice`));
    seen.add(v);
  }
  const unsorted = known.findIndex((x, k) => k > 0 && x.v < known[k - 1].v);
  if (unsorted > 0) {
    out.push(problem(P.ORDER, `${path}[${known[unsorted].i}].version`, 'the entries are not sorted by version'));
  }
  return out;
}

/**
 * Grace ends in version order: a grace entry does not leave grace before an older one (code `key-set-grace-ends`).
 * A rule of schedules written in code (the constructs refuse such a schedule), not of the wire format: each entry's
 * own `until` is what a node enforces, so nodes and the rule pack do not refuse a set for it.
 */
export function graceEndProblems(entries: readonly KeySetEntryFacts[], path: string): Problem[] {
  const out: Problem[] = [];
  let previous: { version: number; until: number } | undefined;
  entries.forEach((e, i) => {
    if (e.state !== 'grace' || !isVersion(e.version)) return;
    const until = parseIsoUtc(e.until);
    if (until === undefined) return;
    if (previous && previous.version < e.version && until < previous.until) {
      out.push(
        problem(
          P.GRACE_ENDS,
          `${path}[${i}].until`,
          `version ${e.version} leaves grace before the older version ${previous.version}: an older version may not outlive a newer one`,
        ),
      );
    }
    if (!previous || e.version > previous.version) previous = { version: e.version, until };
  });
  return out;
}

/** Every problem of a key set's entries: each entry's, then the set's. Empty when the set is explicit. */
export function keySetProblems(entries: readonly KeySetEntryFacts[], path = 'keys'): Problem[] {
  return [
    ...entries.flatMap((e, i) => keySetEntryProblems(e, i, `${path}[${i}]`)),
    ...keySetOrderProblems(entries, path),
  ];
}
