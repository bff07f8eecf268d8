// The PlatformTrust guardrail pack. Re-exports only.
export * from './types';
export * from './platform-trust-checks';
export * from './rules';
export { PolicyParseError, parsePolicyText } from './policy-text';
export { buildStackContext } from './context';
export { viewsOfFragment } from './element-view';
export {
  MIN_SUPPRESSION_REASON_LENGTH,
  RuleSuppression,
  SUPPRESSIONS_JSON_KEY,
  SUPPRESSION_METADATA_TYPE,
  SuppressionTarget,
} from './suppressions';
export { ALL_ELEMENTS, ANY_DATA_SOURCE, ANY_RESOURCE, LOCALS, OUTPUTS, selectorOf, selects } from './applies-to';
export { JsonCheckFinding, JsonCheckOptions, checkTerraformJson } from './json-checks';
