/**
 * The part of an environment config the rotation schedule reads (an `EnvironmentConfig` is one), the places in
 * Vault it reads facts from, and the read-only policy that allows exactly those reads. Pure.
 */
import {
  DEFAULT_EXPIRY_MARGIN_DAYS,
  DEFAULT_MAX_VALIDITY_DAYS,
  DEFAULT_REFRESH_HINT_SECONDS,
  DEFAULT_ROLLOUT_REFRESHES,
  ResolvedFreshness,
  rolloutWindowSeconds,
} from '../kernel/freshness';
import type { RotationPolicy } from './policy';

/** A signing key's schedule as written in code (`taskSigning`, `bundleSigning`). */
export interface KeyScheduleConfig {
  readonly keyName?: string;
  readonly version: number;
  readonly activeVersion?: number;
  readonly grace?: ReadonlyArray<{ readonly version: number; readonly until: string }>;
  readonly compromised?: readonly number[];
}

/** A root issuer generated inside Vault, as written in code (its other fields are kept as they are). */
export interface RootSpecConfig {
  readonly issuerName: string;
}

/** A CA rotation as written in code (`phase` is a `RootRotationPhase` value). */
export interface RootRotationConfig<T> {
  readonly next: T;
  readonly overlapUntil: string;
  readonly phase: string;
}

/** The environment config as the rotation schedule reads it: `EnvironmentConfig` satisfies it. */
export interface ScheduleConfig {
  readonly name: string;
  readonly taskSigning: KeyScheduleConfig;
  readonly bundleSigning?: KeyScheduleConfig;
  readonly controlPlaneTrust?: {
    readonly platformCa?: {
      readonly root: RootSpecConfig;
      readonly rotation?: RootRotationConfig<RootSpecConfig>;
      readonly retiredRoots?: readonly RootSpecConfig[];
      readonly asOf?: string;
    };
    readonly existingCa?: {
      readonly current: { readonly name: string; readonly pem: string };
      readonly rotation?: RootRotationConfig<{ readonly name: string; readonly pem: string }>;
      readonly asOf: string;
    };
  };
  readonly bundle: {
    readonly sequence: number;
    readonly freshness: {
      readonly expires: string;
      readonly refreshHintSeconds?: number;
      readonly expiryMarginDays?: number;
      readonly maxValidityDays?: number;
      readonly rolloutRefreshes?: number;
      readonly rolloutExtraSeconds?: number;
      readonly rolloutOverride?: { readonly reason: string };
    };
    readonly revokedRootPins?: readonly string[];
  };
  readonly rotationPolicy?: RotationPolicy;
}

/** Default transit key name of the task signing key (as `PlatformTrustStack` names it). */
export const DEFAULT_TASK_KEY_NAME = 'node-task-signer';
/** Default transit key name of the bundle signing key. */
export const DEFAULT_BUNDLE_KEY_NAME = 'bundle-signer';
/** Name of the published bundle's KV v2 secret (`BootstrapBundle`'s default `secretName`). */
export const DEFAULT_BUNDLE_SECRET = 'bootstrap/bundle';
/** Publication records live under `<bundle secret>` + this suffix, one secret per `<key>/v<n>`. */
export const PUBLICATION_RECORD_SUFFIX = '-published';

/** The freshness settings with the kernel's defaults. */
export interface ScheduleFreshness extends ResolvedFreshness {
  /** Seconds a new key version or root must have been published before it is used. */
  readonly rolloutWindowSeconds: number;
}

/** The bundle's freshness settings from code, with the same defaults as `BootstrapBundle`. */
export function scheduleFreshness(config: ScheduleConfig): ScheduleFreshness {
  const f = config.bundle.freshness;
  const refreshHintSeconds = f.refreshHintSeconds ?? DEFAULT_REFRESH_HINT_SECONDS;
  const rolloutRefreshes = f.rolloutRefreshes ?? DEFAULT_ROLLOUT_REFRESHES;
  const rolloutExtraSeconds = f.rolloutExtraSeconds ?? 0;
  return {
    expires: f.expires,
    refreshHintSeconds,
    expiryMarginDays: f.expiryMarginDays ?? DEFAULT_EXPIRY_MARGIN_DAYS,
    maxValidityDays: f.maxValidityDays ?? DEFAULT_MAX_VALIDITY_DAYS,
    rolloutRefreshes,
    rolloutExtraSeconds,
    ...(f.rolloutOverride ? { rolloutOverrideReason: f.rolloutOverride.reason } : {}),
    rolloutWindowSeconds: rolloutWindowSeconds(refreshHintSeconds, rolloutRefreshes, rolloutExtraSeconds),
  };
}

/** Where the facts are in Vault, for one environment. */
export interface ScheduleLocations {
  readonly transitMount: string;
  readonly kvMount: string;
  readonly taskKeyName: string;
  readonly bundleKeyName: string;
  readonly bundleSecret: string;
  /** `<bundle secret>-published`: the folder of the publication records. */
  readonly recordPrefix: string;
}

/** The locations of an environment whose mounts are resolved (`resolveMounts` of the stacks). */
export function scheduleLocations(
  config: ScheduleConfig,
  mounts: { readonly transit: string; readonly kv: string },
): ScheduleLocations {
  return {
    transitMount: mounts.transit,
    kvMount: mounts.kv,
    taskKeyName: config.taskSigning.keyName ?? DEFAULT_TASK_KEY_NAME,
    bundleKeyName: config.bundleSigning?.keyName ?? DEFAULT_BUNDLE_KEY_NAME,
    bundleSecret: DEFAULT_BUNDLE_SECRET,
    recordPrefix: `${DEFAULT_BUNDLE_SECRET}${PUBLICATION_RECORD_SUFFIX}`,
  };
}

/** The API paths the schedule reads (relative to `/v1/`). */
export const readPaths = {
  /** A transit key: its versions' `creation_time` and public keys (the key is not exportable). */
  key: (loc: ScheduleLocations, name: string) => `${loc.transitMount}/keys/${name}`,
  /** The published bundle's metadata: `custom_metadata.sequence` and each version's `created_time`. */
  bundleMetadata: (loc: ScheduleLocations) => `${loc.kvMount}/metadata/${loc.bundleSecret}`,
  /** One version of the published bundle (the signed envelope nodes are served; nothing secret). */
  bundleData: (loc: ScheduleLocations) => `${loc.kvMount}/data/${loc.bundleSecret}`,
  /** The metadata of a version's publication record (`created_time`: when nodes could first fetch it). */
  record: (loc: ScheduleLocations, keyName: string, version: number) =>
    `${loc.kvMount}/metadata/${loc.recordPrefix}/${keyName}/v${version}`,
};

/**
 * The Vault policy (HCL) of a token for `rotation-status`: `read` on exactly the paths it reads, nothing else (no
 * list, no write, no sign, no secret outside the published bundle).
 */
export function readOnlyPolicy(loc: ScheduleLocations): string {
  const paths = [
    readPaths.key(loc, loc.taskKeyName),
    readPaths.key(loc, loc.bundleKeyName),
    readPaths.bundleMetadata(loc),
    readPaths.bundleData(loc),
    `${loc.kvMount}/metadata/${loc.recordPrefix}/*`,
  ];
  return `${paths.map((p) => `path "${p}" {\n  capabilities = ["read"]\n}`).join('\n\n')}\n`;
}
