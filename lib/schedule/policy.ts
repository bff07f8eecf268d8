/**
 * The rotation policy: how often the platform rotates its signing keys, renews its bundle and replaces its
 * control-plane root. Written once per environment (`EnvironmentConfig.rotationPolicy`); the `rotation-status`
 * command compares it with what Vault holds and says what is due. Pure.
 */
import { conflictingConfig, invalidCount } from '../core/errors';

/** The schedule of one signing key (the task key or the bundle key). */
export interface KeyRotationPolicy {
  /**
   * Days a key version signs before the next version takes over, counted from the active version's
   * `creation_time` in Vault.
   * @default 90
   */
  readonly rotateEveryDays?: number;
  /**
   * Days before the rotation is due to pre-publish the next version (bump `version`, keep `activeVersion`), so
   * that every node holds it before it signs. Must be below `rotateEveryDays`.
   * @default 7
   */
  readonly prePublishDays?: number;
  /**
   * Days the old version stays accepted (a `grace` entry) after the new version is activated. At least the rollout
   * window (refresh hint x rollout refreshes + extra).
   * @default 14
   */
  readonly graceDays?: number;
}

/** What the platform rotates, and when. Every member is optional; see each default. */
export interface RotationPolicy {
  /**
   * The task signing key.
   * @default - { rotateEveryDays: 90, prePublishDays: 7, graceDays: 14 }
   */
  readonly taskKey?: KeyRotationPolicy;
  /**
   * The bundle signing key.
   * @default - { rotateEveryDays: 90, prePublishDays: 7, graceDays: 14 }
   */
  readonly bundleKey?: KeyRotationPolicy;
  /** The bootstrap bundle's expiry. */
  readonly bundle?: {
    /**
     * Report the bundle's `freshness.expires` as due this many days before it (it is overdue once the plan-time
     * expiry margin is reached: plans then fail).
     * @default 14
     */
    readonly renewBeforeDays?: number;
  };
  /** The control plane's public HTTPS root. */
  readonly controlPlaneRoot?: {
    /**
     * Report the current root as expiring this many days before its certificate's `not_after`.
     * @default 30
     */
    readonly warnBeforeDays?: number;
  };
  /**
   * Report an item as `soon` this many days before it is due (0: only what is due).
   * @default 7
   */
  readonly noticeDays?: number;
}

/** A key schedule with every default applied. */
export interface ResolvedKeyRotationPolicy {
  readonly rotateEveryDays: number;
  readonly prePublishDays: number;
  readonly graceDays: number;
}

/** The policy with every default applied. */
export interface ResolvedRotationPolicy {
  readonly taskKey: ResolvedKeyRotationPolicy;
  readonly bundleKey: ResolvedKeyRotationPolicy;
  readonly bundle: { readonly renewBeforeDays: number };
  readonly controlPlaneRoot: { readonly warnBeforeDays: number };
  readonly noticeDays: number;
}

/** The defaults of {@link RotationPolicy}. */
export const ROTATION_POLICY_DEFAULTS: ResolvedRotationPolicy = Object.freeze({
  taskKey: Object.freeze({ rotateEveryDays: 90, prePublishDays: 7, graceDays: 14 }),
  bundleKey: Object.freeze({ rotateEveryDays: 90, prePublishDays: 7, graceDays: 14 }),
  bundle: Object.freeze({ renewBeforeDays: 14 }),
  controlPlaneRoot: Object.freeze({ warnBeforeDays: 30 }),
  noticeDays: 7,
});

function days(name: string, value: unknown, min: number, max: number, fix: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidCount(`rotationPolicy.${name} must be a whole number of days from ${min} to ${max}.`, value, fix);
  }
  return value;
}

function keyPolicy(
  name: 'taskKey' | 'bundleKey',
  p: KeyRotationPolicy | undefined,
  rolloutWindowSeconds: number,
): ResolvedKeyRotationPolicy {
  const d = ROTATION_POLICY_DEFAULTS[name];
  const rotateEveryDays = days(
    `${name}.rotateEveryDays`,
    p?.rotateEveryDays ?? d.rotateEveryDays,
    1,
    3650,
    'rotate at least every ten years (90 days is the default).',
  );
  const prePublishDays = days(
    `${name}.prePublishDays`,
    p?.prePublishDays ?? d.prePublishDays,
    0,
    3650,
    'pre-publish a few days before the rotation is due (7 is the default).',
  );
  if (prePublishDays >= rotateEveryDays) {
    throw conflictingConfig(
      `rotationPolicy.${name}.prePublishDays (${prePublishDays}) is not below rotateEveryDays (${rotateEveryDays}): the next version would be pre-published before the current one starts signing.`,
      { rotateEveryDays, prePublishDays },
      'pre-publish fewer days ahead than the rotation period.',
    );
  }
  const graceDays = days(
    `${name}.graceDays`,
    p?.graceDays ?? d.graceDays,
    1,
    365,
    'keep the old version accepted for a few days after the activation (14 is the default).',
  );
  if (graceDays * 86_400 < rolloutWindowSeconds) {
    throw conflictingConfig(
      `rotationPolicy.${name}.graceDays (${graceDays}) is shorter than the rollout window (${rolloutWindowSeconds} s): the stack refuses a grace end that close.`,
      { graceDays, rolloutWindowSeconds },
      'give at least the rollout window (refresh hint x rollout refreshes + extra) of grace.',
    );
  }
  return { rotateEveryDays, prePublishDays, graceDays };
}

/**
 * The policy with its defaults, checked: whole numbers of days in range, pre-publish before the rotation, grace at
 * least the rollout window. Throws a PlatformTrustError (PT029 for a number out of range, PT025 for two settings
 * that contradict each other).
 */
export function resolveRotationPolicy(
  policy: RotationPolicy | undefined,
  rolloutWindowSeconds: number,
): ResolvedRotationPolicy {
  const p = policy ?? {};
  const d = ROTATION_POLICY_DEFAULTS;
  return {
    taskKey: keyPolicy('taskKey', p.taskKey, rolloutWindowSeconds),
    bundleKey: keyPolicy('bundleKey', p.bundleKey, rolloutWindowSeconds),
    bundle: {
      renewBeforeDays: days(
        'bundle.renewBeforeDays',
        p.bundle?.renewBeforeDays ?? d.bundle.renewBeforeDays,
        1,
        365,
        'renew the bundle a couple of weeks before it expires (14 is the default).',
      ),
    },
    controlPlaneRoot: {
      warnBeforeDays: days(
        'controlPlaneRoot.warnBeforeDays',
        p.controlPlaneRoot?.warnBeforeDays ?? d.controlPlaneRoot.warnBeforeDays,
        1,
        3650,
        'warn a month or more before the root expires (30 is the default).',
      ),
    },
    noticeDays: days('noticeDays', p.noticeDays ?? d.noticeDays, 0, 365, 'give a week of notice (7 is the default).'),
  };
}
