/**
 * The one grammar of timestamps in code and on the wire: ISO 8601 UTC `YYYY-MM-DDTHH:MM:SSZ`, optionally with a
 * fraction of a second of 1 to 9 digits (kept to the millisecond; the bundle schemas allow 9). The offset is `Z`;
 * the date must exist (no 2026-02-30, no hour 24, no leap second); years 1970 to 9999. Pure.
 */
import { Problem, problem } from './problems';

/** The text grammar (the same as the `isoUtc` definition of the bundle JSON Schemas). */
export const ISO_UTC_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

/** Milliseconds since the epoch, or undefined when the value is not an ISO 8601 UTC timestamp of this grammar. */
export function parseIsoUtc(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = ISO_UTC_RE.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const millis = m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0;
  if (year < 1970 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const d = new Date(ms);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return ms;
}

/** A problem (code `iso-time`) when `value` is not an ISO 8601 UTC timestamp; empty otherwise. */
export function isoUtcProblems(value: unknown, path: string): Problem[] {
  return parseIsoUtc(value) === undefined
    ? [problem('iso-time', path, 'must be ISO 8601 UTC like "2026-01-31T00:00:00Z" (years 1970-9999)')]
    : [];
}
