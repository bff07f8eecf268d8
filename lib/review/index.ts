// Plan review tools (no cdktf import): explain a `tofu show -json` plan for a pull request. Re-exports only.
export * from './plan-explainer';
export type { ActionKind, PlanChange, PlanJson, PlanResourceChange } from './plan-json';
export { actionKind } from './plan-json';
export * from './certificate-facts';
export type { ManifestBundle, ManifestEntry, StackManifest } from './manifest';
export {
  ElementRole,
  MANIFEST_FORMAT_V1,
  MANIFEST_OUTPUT,
  OutputRole,
  STACK_OUTPUT_NAMES,
  SigningKeyKind,
  TrustKind,
  parseManifest,
} from './manifest';
