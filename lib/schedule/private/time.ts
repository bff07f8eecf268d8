/**
 * Times of the rotation schedule: Vault's timestamps (RFC 3339 with up to nine fraction digits, in UTC or with an
 * offset) read into milliseconds, and the dates the proposals write (ISO 8601 UTC to the second). Pure.
 */
import { parseIsoUtc } from '../../kernel/iso-time';

/** One day in milliseconds. */
export const DAY_MS = 86_400_000;

const RFC3339_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Milliseconds since the epoch of a timestamp as Vault writes it (`creation_time` of a transit key version,
 * `created_time` of a KV v2 version): `2026-12-02T05:23:08.708204388Z`, or with an offset such as `+02:00` when the
 * server runs in another time zone. Undefined for anything else.
 */
export function parseVaultTime(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = RFC3339_RE.exec(text);
  if (!m) return undefined;
  const fraction = m[2] ? `.${m[2].slice(0, 9)}` : '';
  const utc = parseIsoUtc(`${m[1]}${fraction}Z`);
  if (utc === undefined) return undefined;
  const zone = m[3].toUpperCase();
  if (zone === 'Z') return utc;
  const sign = zone.startsWith('-') ? -1 : 1;
  const [hours, minutes] = zone.slice(1).split(':').map(Number);
  if (hours > 23 || minutes > 59) return undefined;
  return utc - sign * (hours * 60 + minutes) * 60_000;
}

/** ISO 8601 UTC to the second (`2026-12-02T05:23:08Z`), the form dates take in code. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The first midnight (UTC) at or after `ms`. */
export function ceilDay(ms: number): number {
  return Math.ceil(ms / DAY_MS) * DAY_MS;
}

/** The midnight (UTC) at or before `ms`. */
export function floorDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** Whole days from `fromMs` to `toMs` (rounded down; negative when `toMs` is earlier). */
export function daysBetween(fromMs: number, toMs: number): number {
  return Math.floor((toMs - fromMs) / DAY_MS);
}
