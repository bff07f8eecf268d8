export type { IBundleSigningKey, ITaskSigningKey } from './types';
export { acceptedAt, checkScheduleChange, planVerifierSet } from './verifier-set';
export type { GraceEntry, ScheduledVersion, SigningSchedule, VerifierPlan } from './verifier-set';
export { TransitMount } from './transit-mount';
export type { ITransitMount, TransitMountProps } from './transit-mount';
export { SigningKeyType, TaskSigningKey } from './task-signing-key';
export type { TaskSigningKeyGrant, TaskSigningKeyProps } from './task-signing-key';
export { BUNDLE_SIGNING_KEY_TYPE, BundleSigningKey } from './bundle-signing-key';
export type { BundleSigningKeyGrant, BundleSigningKeyProps } from './bundle-signing-key';
