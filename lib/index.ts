// cdktf-platform-trust: constructs for a platform's security lifecycle. Re-exports only.
// The public API is this list: every name is exported on purpose (api/main.api.md is the reviewed report;
// `npm run api:check` fails when it differs). Internals (error factories, validators, rule objects, the checks
// engine's parts, the bundle model's builders) stay in their modules; the repository's tests import them by path.
// Node-side verification lives in the separate entry point `cdktf-platform-trust/node`.

/** Policy documents, grants, errors with a code per failure family, the policy reader. */
export {
  acceptVaultProvider5x,
  Capability,
  diffPolicies,
  ErrorCode,
  Grant,
  parsePolicy,
  PlatformTrustError,
  PolicyDocument,
  PolicyTextError,
  VAULT_PROVIDER_CONSTRAINT,
  VaultPolicy,
} from './core';
export type {
  IGrantable,
  ParameterMap,
  ParsedPolicy,
  PolicyParameterValue,
  PolicyPathDiff,
  PolicyPathRule,
  PolicyRule,
  VaultPolicyProps,
} from './core';

/** Signing keys: task and bundle signing keys in Vault transit, the verifier-set model. */
export {
  BUNDLE_SIGNING_KEY_TYPE,
  BundleSigningKey,
  planVerifierSet,
  SigningKeyType,
  TaskSigningKey,
  TransitMount,
} from './signing';
export type {
  BundleSigningKeyGrant,
  BundleSigningKeyProps,
  GraceEntry,
  IBundleSigningKey,
  ITaskSigningKey,
  ITransitMount,
  ScheduledVersion,
  SigningSchedule,
  TaskSigningKeyGrant,
  TaskSigningKeyProps,
  TransitMountProps,
  VerifierPlan,
} from './signing';

/** Platform secrets (KV v2), AppRole consumers, audit devices, key custody, the secret scan. */
export {
  AppRoleAuthBackend,
  AppRoleConsumer,
  auditDeviceSpec,
  AuditDeviceType,
  CategoryShape,
  CustodyKind,
  KmsProvider,
  KvOperation,
  MAX_APPROLE_TTL_SECONDS,
  MAX_SECRET_PATH_LENGTH,
  PathKind,
  PlatformAudit,
  PlatformSecrets,
  PlatformSecretsBase,
  renderAuditStanza,
  scanForSecrets,
  SecretCategory,
  SecretFindingRule,
  SecretPath,
  SigningCustody,
  TokenType,
} from './secrets';
export type {
  AppRoleAuthBackendProps,
  AppRoleConsumerProps,
  AuditDeviceOptions,
  AuditDeviceSpec,
  HsmCustodyOptions,
  IAppRoleAuthBackend,
  IPlatformSecrets,
  KmsCustodyOptions,
  KvGrantOptions,
  PlatformAuditProps,
  PlatformSecretsProps,
  SecretFinding,
  SeedSecretOptions,
  SigningMetadataOptions,
  SigningMetadataSource,
  ValidatedSecretPath,
} from './secrets';

/**
 * Node-certificate CA and control-plane trust roots. `spkiPin` is the node entry's function (`sha256:<hex>` of the
 * certificate's SubjectPublicKeyInfo): one meaning in both entries.
 */
export {
  CertificatePemTrust,
  CONTROL_PLANE_TRUST_DEFAULTS,
  ControlPlaneTrust,
  ControlPlaneTrustSource,
  NODE_CERT_DEFAULTS,
  NodeCertAuthority,
  PkiKeyType,
  RootRotationPhase,
  rootSchedule,
  spkiPin,
} from './pki';
export type {
  ControlPlaneTrustFromPemProps,
  ControlPlaneTrustProps,
  IControlPlaneTrust,
  INodeCertTrust,
  NodeCertAuthorityProps,
  PemRoot,
  RootCertificateFacts,
  RootIssuerSpec,
  RootRotation,
  RootSchedule,
  RootScheduleInput,
  ScheduledRoot,
} from './pki';

/** The bootstrap bundle (format v2, signed during apply). */
export { BootstrapBundle } from './bootstrap';
export type {
  ApplyTimeSignature,
  BootstrapBundleProps,
  BundleFreshnessProps,
  BundleInput,
  BundleInputFacts,
  BundleInputV2,
  BundlePaths,
  EnvelopeSignature,
  KeyFacts,
  SigningKeyRef,
} from './bootstrap';

/** The PlatformTrust guardrail pack: the Aspect, the JSON check, what a custom rule needs. */
export {
  ALL_ELEMENTS,
  ANY_DATA_SOURCE,
  ANY_RESOURCE,
  CheckLevel,
  CheckStatus,
  checkTerraformJson,
  compliant,
  LOCALS,
  MIN_SUPPRESSION_REASON_LENGTH,
  nonCompliant,
  notApplicable,
  OUTPUTS,
  PLATFORM_TRUST_RULE_IDS,
  PLATFORM_TRUST_RULES,
  PLATFORM_TRUST_UNSUPPRESSIBLE_RULE_IDS,
  PlatformTrustChecks,
  SUPPRESSIONS_JSON_KEY,
} from './checks';
export type {
  AddressedStanza,
  CheckedElement,
  CheckedStack,
  CheckResult,
  CheckRuleInfo,
  ElementKind,
  ElementRule,
  JsonCheckFinding,
  JsonCheckOptions,
  KeyRef,
  KnownMount,
  KnownTransitKey,
  PlatformTrustChecksProps,
  PlatformTrustFinding,
  PlatformTrustRule,
  PolicyStanza,
  RuleSuppression,
  SignWrite,
  StackContext,
  StackFinding,
  StackRule,
  SuppressionTarget,
  TransitSigner,
} from './checks';

/** Plan review (also the entry cdktf-platform-trust/review). */
export {
  actionKind,
  bundleFacts,
  certificateFacts,
  ElementRole,
  EXIT_DESTRUCTIVE,
  EXIT_TRUST_CHANGE,
  exitDecision,
  explainPlan,
  MANIFEST_FORMAT_V1,
  MANIFEST_OUTPUT,
  OutputRole,
  parseManifest,
  renderMarkdown,
  SigningKeyKind,
  STACK_OUTPUT_NAMES,
  TrustChangeKind,
  TrustKind,
  WarningKind,
} from './review';
export type {
  ActionKind,
  ApplyTimeSignatureChange,
  BundleChange,
  BundleContentChange,
  BundleFieldChange,
  BundleKeySetChange,
  BundleRootsChange,
  CaChanges,
  CertificateFacts,
  ChainCertificate,
  DefaultIssuerChange,
  EmergencyReview,
  EnvelopeChange,
  ExitDecision,
  ExitOptions,
  Explanation,
  Floors,
  IssuerChange,
  KeyRotation,
  ManifestBundle,
  ManifestEntry,
  OutputLine,
  PlanChange,
  PlanJson,
  PlanResourceChange,
  PlanSummary,
  PlanWarning,
  PolicyChange,
  RenderOptions,
  ResourceLine,
  RevokedItem,
  RootView,
  RotationStep,
  SigningReview,
  StateModule,
  StateResource,
  StackManifest,
  TrustChange,
  VerifierSetChange,
  VerifierView,
} from './review';

/** The CI runner identity. */
export {
  GITHUB_ACTIONS_CLAIMS,
  GITHUB_ACTIONS_ISSUER,
  GITHUB_ACTIONS_JWKS_URL,
  RunnerAccess,
  RunnerIdentity,
} from './ci';
export type {
  ElementAccess,
  ElementConfig,
  RunnerClaims,
  RunnerEnvironment,
  RunnerEnvironmentOptions,
  RunnerIdentityProps,
} from './ci';

/** State encryption. */
export { StateEncryption, StateEncryptionKey } from './state';
export type { IStateEncryptionKeyRef, OpenBaoStateEncryptionProps, StateEncryptionKeyProps } from './state';

export { buildApp } from '../stacks/app';
export type { BuildAppOptions } from '../stacks/app';

export { CiIdentityStack } from '../stacks/ci-identity-stack';
export type { CiIdentityStackProps } from '../stacks/ci-identity-stack';

export { resolveMounts } from '../stacks/environment';
export type {
  BundleSigningConfig,
  ControlPlaneTrustConfig,
  EnvironmentConfig,
  MountPaths,
  TaskSigningConfig,
  VaultConnection,
} from '../stacks/environment';

export { PlatformTrustStack } from '../stacks/platform-trust-stack';
export type { PlatformTrustStackProps } from '../stacks/platform-trust-stack';

export { StateKeyStack } from '../stacks/state-key-stack';
export type { StateKeyStackProps } from '../stacks/state-key-stack';

/** Types the public constructs' props and attributes use. */
export { PlanClock } from './core/plan-clock';
export { TerraformData } from './core/terraform-data';
export type { TerraformDataConfig } from './core/terraform-data';
export type { ResolvedFreshness } from './kernel/freshness';
export type { KeyRotationPolicy, RotationPolicy } from './schedule/policy';
/** Wire formats the constructs' attributes carry (the node entry exports the same types). */
export { BUNDLE_KEYS_FORMAT_V1, BUNDLE_SCHEMA_V1, BUNDLE_SCHEMA_V2, PUBKEYS_FORMAT_V1 } from './kernel/formats';
export type {
  BootstrapBundleV1,
  BootstrapBundleV2,
  BundleFreshness,
  BundleKeySetV1,
  BundleRevocations,
  RootState,
  TrustRoot,
  VerifierEntry,
  VerifierSetV1,
  VerifierState,
} from './kernel/formats';
