// The PlatformTrust guardrail pack. Re-exports only.
export { CheckLevel, CheckStatus, compliant, EMPTY_CONTEXT, nonCompliant, notApplicable } from './types';
export type {
  AddressedStanza,
  CheckedElement,
  CheckedStack,
  CheckResult,
  CheckRuleInfo,
  ElementKind,
  ElementRule,
  KeyRef,
  KnownMount,
  KnownTransitKey,
  PlatformTrustRule,
  PolicyStanza,
  SignWrite,
  StackContext,
  StackFinding,
  StackRule,
  TransitSigner,
} from './types';
export { PlatformTrustChecks } from './platform-trust-checks';
export type { PlatformTrustChecksProps, PlatformTrustFinding } from './platform-trust-checks';
export {
  BundleFreshnessBounded,
  BundleKeySignApplyOnly,
  BundleSamePath,
  BundleSignedByBundleKey,
  BundleSignedWithVerifiers,
  BundleVaultAccess,
  CaRootPreventDestroy,
  NonDeterministicValue,
  NoPlanTimeSigning,
  NoPushToNodes,
  PkiKeyExported,
  PkiRoleAnyName,
  PkiRoleServerAndClient,
  PkiRoleTtlBounds,
  PLATFORM_TRUST_RULE_IDS,
  PLATFORM_TRUST_RULES,
  PLATFORM_TRUST_UNSUPPRESSIBLE_RULE_IDS,
  PolicyBroadGlob,
  PolicyKvGlob,
  PolicySudo,
  PolicyTransitKeyConfig,
  PolicyTransitKeyMaterial,
  PolicyUnparsable,
  SecretInConfig,
  SigningKeyPreventDestroy,
  TransitKeyAutoRotate,
  TransitKeyDeletable,
  TransitKeyExportable,
  TransitKeyPlaintextBackup,
  TransitKeySymmetric,
  TransitKeySymmetricSigner,
  VerifierSetExplicit,
} from './rules';
export { viewsOfFragment } from './element-view';
export { MIN_SUPPRESSION_REASON_LENGTH, SUPPRESSIONS_JSON_KEY } from './suppression-match';
export type { RuleSuppression, SuppressionTarget } from './suppression-match';
export { ALL_ELEMENTS, ANY_DATA_SOURCE, ANY_RESOURCE, LOCALS, OUTPUTS, selectorOf, selects } from './applies-to';
export { checkTerraformJson } from './json-checks';
export type { JsonCheckFinding, JsonCheckOptions } from './json-checks';
