export {
  conflictingConfig,
  duplicate,
  ErrorCode,
  expectedReference,
  invalidActiveVersion,
  invalidCapability,
  invalidCount,
  invalidDate,
  invalidFilePath,
  invalidFreshnessSetting,
  invalidGrace,
  invalidKeyType,
  invalidMountPath,
  invalidName,
  invalidOption,
  invalidPolicyPath,
  invalidPolicyRule,
  invalidProp,
  invalidRevocation,
  invalidSequence,
  invalidTtl,
  invalidUrl,
  invalidVersion,
  missingConfig,
  missingGrantee,
  pathOutsideMount,
  PlatformTrustError,
  quote,
  RETIRED_ERROR_CODES,
  sameBundlePath,
  secretInConfig,
  unsafeText,
} from './errors';
export {
  isToken,
  MAX_MOUNT_PATH_LENGTH,
  MAX_NAME_LENGTH,
  parseIsoUtc,
  validateDistinctMountPaths,
  validateHttpsUrl,
  validateMountPath,
  validateName,
  validateSeconds,
  validateVersion,
} from './validation';
export { Capability, PolicyDocument, validatePolicyPath } from './policy-document';
export type { PolicyParameterValue, PolicyRule } from './policy-document';
export { Grant, VaultPolicy } from './grant';
export type { IGrantable, VaultPolicyProps } from './grant';
export { joinPath, policyName, scopedName } from './naming';
export { acceptVaultProvider5x, VAULT_PROVIDER_CONSTRAINT } from './providers';
export { diffPolicies, paramsText, parsePolicy, PolicyTextError, ruleDetails, sortCapabilities } from './policy-hcl';
export type { ParameterMap, ParsedPolicy, PolicyPathDiff, PolicyPathRule } from './policy-hcl';
export { BundleSignatureRole, DECLARATIONS_JSON_KEY, declareElement } from './declarations';
export type { ElementDeclarations } from './declarations';
