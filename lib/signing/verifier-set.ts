/**
 * Pure model of the task verifier set: a signing schedule from code -> which key versions nodes accept.
 * No cdktf here; the construct translates the result into Vault floors and the rendered set.
 */
import {
  PlatformTrustError,
  invalidActiveVersion,
  invalidDate,
  invalidGrace,
  invalidRevocation,
  invalidVersion,
} from '../core/errors';
import { isToken, parseIsoUtc, validateVersion } from '../core/validation';
import { VerifierState } from '../kernel/formats';
import { KeySetProblem, graceEndProblems, keySetProblems } from '../kernel/key-set';
import { Problem } from '../kernel/problems';

/** An older key version still accepted by nodes until an explicit end. */
export interface GraceEntry {
  /** Key version (older than the active one). */
  readonly version: number;
  /** End of acceptance, ISO 8601 UTC ("2026-12-31T00:00:00Z"), exclusive. */
  readonly until: string;
}

/** The schedule as written in code. */
export interface SigningSchedule {
  /** Latest key version that must exist in Vault. */
  readonly version: number;
  /** Version the control plane signs with. @default - `version` */
  readonly activeVersion?: number;
  /** Older versions still accepted, sorted by version ascending. @default - none */
  readonly grace?: readonly GraceEntry[];
  /**
   * Versions whose private key may be known to someone else (an emergency). Each is revoked: left out of the set even
   * inside its grace, listed in the bundle's revocations, and refused by nodes as soon as they take the bundle. When
   * the active version (by default `version`) is compromised, the key rotates to the version after the highest
   * compromised one and activates it in the same apply, without the pre-publish wait (nodes that have not refreshed
   * refuse tasks until they do: at most one refresh hint). Keep the entries until the last bundle that trusted them
   * has expired.
   * @default - none
   */
  readonly compromised?: readonly number[];
}

/** One accepted version with its state (public key comes from Vault at apply time). */
export interface ScheduledVersion {
  /** Transit key version. */
  readonly version: number;
  /** `next` (pre-published), `active` (signing) or `grace` (accepted until `until`). */
  readonly state: VerifierState;
  /** End of acceptance (ISO 8601 UTC, exclusive) of a `grace` version; absent otherwise. */
  readonly until?: string;
}

/** The verifier set derived from a schedule, plus the Vault floors that follow it. */
export interface VerifierPlan {
  /** Accepted versions sorted ascending: grace..., active, then next (if pre-published). */
  readonly versions: readonly ScheduledVersion[];
  /** The version that signs. */
  readonly activeVersion: number;
  /** Latest version that must exist in Vault. */
  readonly latestVersion: number;
  /** Vault `min_decryption_version`: the oldest accepted version, so Vault refuses retired ones too. */
  readonly minDecryptionVersion: number;
  /** Vault `min_encryption_version`: the active version (signing floor). */
  readonly minEncryptionVersion: number;
  /** Revoked versions, ascending (empty when nothing is compromised). */
  readonly compromised: readonly number[];
  /**
   * The version an emergency activates without the pre-publish wait: the one after the highest compromised version,
   * when it is the active version. Undefined otherwise.
   */
  readonly emergencyVersion?: number;
  /** True when the active version was compromised, so this schedule rotates to a new version and activates it. */
  readonly emergencyRotation: boolean;
}

/**
 * Validates a schedule and derives the verifier set. Throws a PlatformTrustError for:
 * non-integer or < 1 versions, `activeVersion` above `version`, grace entries above `version`, and whatever the
 * kernel's key set rules (`lib/kernel/key-set.ts`) find in the derived set: grace entries at or above the active
 * version, duplicate or unsorted grace entries, malformed dates, and grace dates out of order (an older version
 * may not outlive a newer one).
 */
export function planVerifierSet(schedule: SigningSchedule): VerifierPlan {
  const written = validateVersion('version', schedule.version);
  const compromised = checkCompromised(schedule.compromised ?? [], written);
  const highestCompromised = compromised.length > 0 ? compromised[compromised.length - 1] : 0;
  // The emergency: a compromised active version makes the key rotate past the compromised versions.
  const activeWritten = schedule.activeVersion ?? written;
  if (schedule.activeVersion !== undefined && compromised.includes(schedule.activeVersion)) {
    throw invalidRevocation(
      `activeVersion ${schedule.activeVersion} is listed as compromised: the control plane would keep signing with a revoked key.`,
      { activeVersion: schedule.activeVersion, compromised },
      `remove activeVersion: with version ${written} compromised the key rotates to version ${Math.max(written, highestCompromised) + 1} and activates it in the same apply (or set activeVersion to an accepted version that is not compromised).`,
    );
  }
  const emergency = compromised.includes(activeWritten);
  const version = emergency ? Math.max(written, highestCompromised + 1) : written;
  const active = emergency ? version : activeWritten;
  validateVersion('activeVersion', active);
  if (active > version) {
    throw invalidActiveVersion(
      `activeVersion (${active}) is above version (${version}): the control plane can only sign with a version that exists in Vault.`,
      active,
      `pre-publish first: set version to ${active} and keep activeVersion at ${version} for one apply, then raise activeVersion.`,
    );
  }
  const grace = schedule.grace ?? [];
  for (const entry of grace) {
    if (typeof entry !== 'object' || entry === null) {
      throw invalidGrace(
        'A grace entry must be an object { version, until }.',
        entry,
        'write { version: 1, until: "2026-12-31T00:00:00Z" }.',
      );
    }
    validateVersion('grace version', entry.version);
    if (entry.version > version) {
      throw invalidGrace(
        `Grace entry for version ${entry.version} is above version (${version}): that version does not exist in Vault.`,
        entry,
        `remove the entry, or grace only versions below activeVersion (${active}).`,
      );
    }
  }

  const versions: ScheduledVersion[] = [
    ...grace
      .filter((g) => !compromised.includes(g.version))
      .map((g) => ({ version: g.version, state: 'grace' as const, until: g.until })),
    { version: active, state: 'active' as const },
  ];
  if (version > active) versions.push({ version, state: 'next' });
  // The set's rules are the kernel's (the node and the rule pack apply the same), plus grace ends in order.
  const problems = [...keySetProblems(versions, 'grace'), ...graceEndProblems(versions, 'grace')];
  if (problems.length > 0) throw scheduleError(problems[0], versions, grace, active);
  return {
    versions,
    activeVersion: active,
    latestVersion: version,
    minDecryptionVersion: versions[0].version,
    minEncryptionVersion: active,
    compromised,
    emergencyRotation: emergency,
    ...(active === highestCompromised + 1 && compromised.length > 0 ? { emergencyVersion: active } : {}),
  };
}

/** Validates a compromised list: literal versions that exist in Vault (at most `version`), ascending, each once. */
function checkCompromised(list: readonly number[], version: number): number[] {
  if (!Array.isArray(list)) {
    throw invalidRevocation('compromised must be a list of key versions.', list, 'write for example compromised: [2].');
  }
  list.forEach((v, i) => {
    if (isToken(v) || !Number.isInteger(v) || v < 1) {
      throw invalidRevocation(`compromised[${i}] is not a key version.`, v, 'list whole numbers of at least 1.');
    }
    if (v > version) {
      throw invalidRevocation(
        `compromised version ${v} is above version (${version}): that version does not exist in Vault.`,
        list,
        `list only versions up to ${version}.`,
      );
    }
    if (i > 0 && v <= list[i - 1]) {
      throw invalidRevocation(
        'compromised versions are not ascending, or one is listed twice.',
        list,
        'list each version once, oldest first.',
      );
    }
  });
  return [...list];
}

/**
 * Checks a change from one schedule to the next, as a reviewer would: the latest version never goes
 * down. (At plan time the construct also compares with Vault's real latest version.)
 */
export function checkScheduleChange(before: SigningSchedule, after: SigningSchedule): void {
  if (isToken(before.version) || isToken(after.version)) return;
  if (after.version < before.version) {
    throw invalidVersion(
      `version went down from ${before.version} to ${after.version}: key versions only move forward, nothing is "un-rotated".`,
      after.version,
      `restore version to ${before.version}; to roll back, set activeVersion to an older version that is still in the verifier set.`,
    );
  }
}

/** Versions that are valid (accepted) at `nowMs`: active, next, and grace entries whose end is after now. */
export function acceptedAt(plan: VerifierPlan, nowMs: number): number[] {
  return plan.versions
    .filter((v) => v.state !== 'grace' || parseIsoUtc('until', v.until!) > nowMs)
    .map((v) => v.version);
}

/** The construct error, with its fix, for a kernel problem of the verifier set derived from a schedule. */
function scheduleError(
  p: Problem,
  versions: readonly ScheduledVersion[],
  grace: readonly GraceEntry[],
  active: number,
): PlatformTrustError {
  const entry = versions[Number(/^grace\[(\d+)\]/.exec(p.path)?.[1] ?? -1)];
  if (p.code === KeySetProblem.UNTIL_TIME || p.code === KeySetProblem.UNTIL_MISSING) {
    return invalidDate(`grace end for version ${entry?.version}`, entry?.until);
  }
  // The kernel decides; the message speaks of the schedule as written in code.
  // The grace entry as written in code (the derived entry carries a state too).
  const written = grace.find((g) => g.version === entry?.version);
  const notOlder = () =>
    invalidGrace(
      `Grace entry for version ${entry?.version} is not older than activeVersion (${active}): grace is for versions the control plane no longer signs with.`,
      written,
      `grace only versions below ${active}; the active version and a pre-published next version need no grace entry.`,
    );
  switch (p.code) {
    case KeySetProblem.GRACE_NEWER:
      return notOlder();
    case KeySetProblem.DUPLICATE:
      if (entry?.version === active) return notOlder();
      return invalidGrace(`Duplicate grace entry for version ${entry?.version}.`, grace, 'keep one entry per version.');
    case KeySetProblem.ORDER:
      return invalidGrace(
        'Grace entries are not sorted by version.',
        grace.map((g) => g.version),
        'list grace entries from the oldest version to the newest.',
      );
    case KeySetProblem.GRACE_ENDS: {
      const older = grace.filter((g) => g.version < (entry?.version ?? 0)).pop();
      return invalidGrace(
        `Grace for version ${entry?.version} ends before grace for the older version ${older?.version}: an older version may not outlive a newer one.`,
        grace,
        `end version ${older?.version} no later than version ${entry?.version} (${entry?.until}).`,
      );
    }
    default:
      return invalidGrace(
        `${p.message}.`,
        grace,
        'write grace as { version, until } entries below activeVersion, oldest first.',
      );
  }
}
