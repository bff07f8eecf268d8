/**
 * Freshness and revocation of a bundle v2, defined once for the constructs (what may be rendered), the rule pack
 * and the node side (what is accepted). Pure: no clock is read here; every time is given.
 */
import { BundleFreshness, BundleRevocations, MAX_REFRESH_HINT_SECONDS } from './formats';
import { parseIsoUtc, isoUtcProblems } from './iso-time';
import { MAX_KEY_VERSION } from './key-set';
import { SPKI_PIN_RE } from './pins';
import { Problem, problem } from './problems';

/** A plan fails when the bundle expires within this many days of the plan (default of `expiryMarginDays`). */
export const DEFAULT_EXPIRY_MARGIN_DAYS = 5;
/** Longest validity the rule pack allows by default: `expires` at most this many days after the plan. */
export const DEFAULT_MAX_VALIDITY_DAYS = 90;
/**
 * Refresh intervals a pre-published key or root must have been published for before it is used (default of
 * `rolloutRefreshes`). SPIFFE federation publishes new keys 3 to 5 refresh intervals before use.
 */
export const DEFAULT_ROLLOUT_REFRESHES = 3;
/** Default refresh hint of a bundle: one hour. */
export const DEFAULT_REFRESH_HINT_SECONDS = 3600;

/** The freshness settings with defaults applied (the constructs' and the rotation schedule's view of them). */
export interface ResolvedFreshness {
  /** End of the bundle's validity (ISO 8601 UTC), as written in code. */
  readonly expires: string;
  /** Seconds between a node's checks for a newer bundle. Default: 3600. */
  readonly refreshHintSeconds: number;
  /** Days before `expires` from which a plan fails. Default: 5. */
  readonly expiryMarginDays: number;
  /** Most days `expires` may lie after the plan's time. Default: 90. */
  readonly maxValidityDays: number;
  /** Refresh hints a new key version must have been published for before it signs. Default: 3. */
  readonly rolloutRefreshes: number;
  /** Extra seconds on top of the rollout window. Default: 0. */
  readonly rolloutExtraSeconds: number;
  /** The reason given to skip the rollout window check; absent when the window is checked. */
  readonly rolloutOverrideReason?: string;
}

/** Problem codes of freshness and revocation. */
export const FreshnessProblem = {
  EXPIRES: 'iso-time',
  REFRESH_HINT: 'freshness-refresh-hint',
  REVOKED_VERSION: 'revoked-version',
  REVOKED_ORDER: 'revoked-order',
  REVOKED_PIN: 'spki-pin',
  REVOKED_LISTED: 'revoked-listed',
} as const;

const P = FreshnessProblem;

/** The problems of a freshness object as far as it is known (an undefined member is not known yet: skipped). */
export function freshnessProblems(value: Partial<Record<keyof BundleFreshness, unknown>>, path: string): Problem[] {
  const out: Problem[] = [];
  if (value.expires !== undefined) out.push(...isoUtcProblems(value.expires, `${path}.expires`));
  const hint = value.refresh_hint_seconds;
  if (
    hint !== undefined &&
    !(Number.isInteger(hint) && (hint as number) >= 1 && (hint as number) <= MAX_REFRESH_HINT_SECONDS)
  ) {
    out.push(
      problem(
        P.REFRESH_HINT,
        `${path}.refresh_hint_seconds`,
        `must be a whole number of seconds from 1 to ${MAX_REFRESH_HINT_SECONDS} (one week)`,
      ),
    );
  }
  return out;
}

/** True from the instant `expires` is reached (validity is exclusive of its end). */
export function isExpired(freshness: Pick<BundleFreshness, 'expires'>, nowMs: number): boolean {
  const expires = parseIsoUtc(freshness.expires);
  return expires === undefined || nowMs >= expires;
}

function versionListProblems(value: unknown, path: string): Problem[] {
  if (!Array.isArray(value)) return [problem(P.REVOKED_VERSION, path, 'must be a list of key versions')];
  const out: Problem[] = [];
  value.forEach((v, i) => {
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_KEY_VERSION)) {
      out.push(problem(P.REVOKED_VERSION, `${path}[${i}]`, `is not a key version from 1 to ${MAX_KEY_VERSION}`));
    } else if (i > 0 && typeof value[i - 1] === 'number' && v <= value[i - 1]) {
      out.push(problem(P.REVOKED_ORDER, `${path}[${i}]`, 'versions must be ascending and unique'));
    }
  });
  return out;
}

/** The problems of a revocation object: ascending unique versions, sorted unique lower-case SPKI pins. */
export function revocationProblems(value: Partial<Record<keyof BundleRevocations, unknown>>, path: string): Problem[] {
  const out = [
    ...versionListProblems(value.task_key_versions, `${path}.task_key_versions`),
    ...versionListProblems(value.bundle_key_versions, `${path}.bundle_key_versions`),
  ];
  const pins = value.root_pins;
  if (!Array.isArray(pins)) {
    out.push(problem(P.REVOKED_PIN, `${path}.root_pins`, 'must be a list of SPKI pins'));
    return out;
  }
  pins.forEach((pin, i) => {
    if (typeof pin !== 'string' || !SPKI_PIN_RE.test(pin) || pin !== pin.toLowerCase()) {
      out.push(
        problem(P.REVOKED_PIN, `${path}.root_pins[${i}]`, 'must be a pin: "sha256:" and 64 lower-case hex digits'),
      );
    } else if (i > 0 && typeof pins[i - 1] === 'string' && pin <= pins[i - 1]) {
      out.push(problem(P.REVOKED_ORDER, `${path}.root_pins[${i}]`, 'pins must be sorted and unique'));
    }
  });
  return out;
}

/** What a bundle still trusts, for {@link revokedListedProblems}. */
export interface TrustedItems {
  readonly taskKeyVersions: readonly number[];
  readonly bundleKeyVersions: readonly number[];
  readonly rootPins: readonly string[];
}

/** Problems (code `revoked-listed`) for each revoked item that the same bundle still trusts. */
export function revokedListedProblems(revoked: BundleRevocations, trusted: TrustedItems, path: string): Problem[] {
  const out: Problem[] = [];
  for (const v of revoked.task_key_versions) {
    if (trusted.taskKeyVersions.includes(v)) {
      out.push(
        problem(
          P.REVOKED_LISTED,
          `${path}.task_key_versions`,
          `task key version ${v} is revoked but still in the task verifier set`,
        ),
      );
    }
  }
  for (const v of revoked.bundle_key_versions) {
    if (trusted.bundleKeyVersions.includes(v)) {
      out.push(
        problem(
          P.REVOKED_LISTED,
          `${path}.bundle_key_versions`,
          `bundle key version ${v} is revoked but still in the bundle key set`,
        ),
      );
    }
  }
  const pins = new Set(trusted.rootPins.map((p) => p.toLowerCase()));
  for (const pin of revoked.root_pins) {
    if (pins.has(pin))
      out.push(problem(P.REVOKED_LISTED, `${path}.root_pins`, `root ${pin} is revoked but still a public HTTPS root`));
  }
  return out;
}

/**
 * Seconds a pre-published key version or root must have been published before it is used: `refreshes` refresh
 * intervals plus `extraSeconds` (for nodes offline for maintenance).
 */
export function rolloutWindowSeconds(refreshHintSeconds: number, refreshes: number, extraSeconds = 0): number {
  return refreshHintSeconds * refreshes + extraSeconds;
}

/**
 * Revocation retention, defined once. A revoked item (task or bundle key version, root pin) must stay listed until
 * every bundle that trusted it has expired. Every such bundle was published before the revocation, and its plan
 * bounded its expiry to `maxValidityDays` after the plan; so the revocation, published at `revokedAt`, may be dropped
 * once `revokedAt + maxValidityDays` has passed. The hours are frozen when the revocation is first published.
 */
export function revocationRetentionHours(maxValidityDays: number): number {
  return maxValidityDays * 24;
}

/** Prefix of the published bundle's custom metadata keys that hold each revoked item's retention end. */
export const REVOCATION_METADATA_PREFIX = 'revoked:';

/** The custom metadata key of a revoked task or bundle key version, or of a revoked root pin. */
export function revocationMetadataKey(
  item: { kind: 'task-key' | 'bundle-key'; version: number } | { kind: 'root'; pin: string },
): string {
  return item.kind === 'root'
    ? `${REVOCATION_METADATA_PREFIX}root:${item.pin.toLowerCase()}`
    : `${REVOCATION_METADATA_PREFIX}${item.kind}:v${item.version}`;
}
