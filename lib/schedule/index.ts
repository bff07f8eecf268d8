// Rotation scheduling (no cdktf import, no network): the rotation policy, the facts read from Vault, and the planner
// that says what is due. The `rotation-status` command (scripts/rotation-status.ts) reads Vault and prints it.
export {
  DEFAULT_BUNDLE_KEY_NAME,
  DEFAULT_BUNDLE_SECRET,
  DEFAULT_TASK_KEY_NAME,
  PUBLICATION_RECORD_SUFFIX,
  readOnlyPolicy,
  readPaths,
  scheduleFreshness,
  scheduleLocations,
} from './config';
export type {
  KeyScheduleConfig,
  RootRotationConfig,
  RootSpecConfig,
  ScheduleConfig,
  ScheduleFreshness,
  ScheduleLocations,
} from './config';
export {
  bundleFactsFromReads,
  bundleOfData,
  factTime,
  keyFactsFromRead,
  missingBundle,
  missingKey,
  publishedVersionFromData,
  readableVersions,
  recordCreatedTime,
} from './facts';
export type { BundleFacts, KeyFacts, PublishedBundleVersion, PublishedRoot, VaultFacts } from './facts';
export {
  effectiveKeySchedule,
  EXIT_DUE,
  EXIT_NOTHING_DUE,
  EXIT_SOON,
  planRotations,
  statusExitCode,
  tsLiteral,
} from './planner';
export type {
  ConfigEdit,
  DueItem,
  DueKind,
  DueSubject,
  EffectiveKeySchedule,
  PlanRotationsInput,
  ProposedChange,
  RotationStatus,
  Severity,
} from './planner';
export { resolveRotationPolicy, ROTATION_POLICY_DEFAULTS } from './policy';
export type { KeyRotationPolicy, ResolvedKeyRotationPolicy, ResolvedRotationPolicy, RotationPolicy } from './policy';
