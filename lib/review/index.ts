// Plan review tools (no cdktf import): explain a `tofu show -json` plan for a pull request. Re-exports only: the
// public API of the entry `cdktf-platform-trust/review` is this list (api/review.api.md).
export {
  EXIT_DESTRUCTIVE,
  EXIT_TRUST_CHANGE,
  WarningKind,
  TrustChangeKind,
  exitDecision,
  explainPlan,
  renderMarkdown,
} from './plan-explainer';
export type {
  ApplyTimeSignatureChange,
  BundleChange,
  BundleContentChange,
  BundleFieldChange,
  BundleKeySetChange,
  BundleRootsChange,
  CaChanges,
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
  OutputLine,
  PlanSummary,
  PlanWarning,
  PolicyChange,
  RenderOptions,
  ResourceLine,
  RevokedItem,
  RootView,
  RotationStep,
  SigningReview,
  TrustChange,
  VerifierSetChange,
  VerifierView,
} from './plan-explainer';
export type { ActionKind, PlanChange, PlanJson, PlanResourceChange, StateModule, StateResource } from './plan-json';
/** One policy path's change, as the explanation lists it. */
export type { ParameterMap, PolicyPathDiff, PolicyPathRule } from '../core/policy-hcl';
export { actionKind } from './plan-json';
export { bundleFacts, certificateFacts } from './certificate-facts';
export type { CertificateFacts } from './certificate-facts';
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
