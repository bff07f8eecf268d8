// Node-side verification (package entry "cdktf-platform-trust/node"). Imports nothing from cdktf. Re-exports only.
export * from './formats';
export { NodeTrustError, NodeTrustErrorCode } from './errors';
export type { Ed25519Engine, Ed25519Options } from './ed25519';
export { checkEd25519, verifyEd25519, resolveEd25519Engine } from './ed25519';
export type { Ed25519Refusal, Ed25519Verdict } from './ed25519-rules';
export { SMALL_ORDER_ENCODINGS } from './ed25519-rules';
export { nodeEd25519Available } from './ed25519-node';
export { bundleKeyPin, computeKid } from './key-id';
export type { KeySetKind } from './verifier-set';
export {
  MAX_KEY_VERSION,
  MAX_VERIFIER_ENTRIES,
  MAX_VERIFIER_SET_LENGTH,
  parseBundleKeySet,
  parseVerifierSet,
  renderBundleKeySet,
  renderVerifierSet,
  validateBundleKeySet,
  validateVerifierSet,
} from './verifier-set';
export { jsonencodeCanonical } from './canonical-json';
export type { VaultSignature } from './vault-signature';
export { formatVaultSignature, parseVaultSignature } from './vault-signature';
export type {
  DsseSignatureRejectReason,
  SignatureAccepted,
  SignatureRejectReason,
  SignatureRejected,
} from './signature-check';
export type {
  TaskRejectReason,
  TaskVerification,
  TaskWithBundleRejectReason,
  TaskWithBundleVerification,
} from './verify-task';
export { verifyTask, verifyTaskWithBundle } from './verify-task';
export type { ParsedEnvelope } from './dsse';
export { pae, parseEnvelope } from './dsse';
export type { RootPin } from './bundle';
export { MAX_NODE_CERT_PEMS, MAX_ROOTS, renderBundlePayload, validateBundle } from './bundle';
export { findSecretMaterial } from './secret-scan';
export type {
  BundleAccepted,
  BundleRejectReason,
  BundleSigner,
  BundleSignerKind,
  BundleVerification,
} from './verify-bundle';
export { verifyBundle } from './verify-bundle';
export type {
  BundleUpdateAccepted,
  BundleUpdateOptions,
  BundleUpdateRejectReason,
  BundleUpdateResult,
  CurrentTrust,
} from './bundle-update';
export { acceptBundleUpdate } from './bundle-update';
export type { FirstBundleRejectReason, FirstBundleResult } from './first-bundle';
export { acceptFirstBundle } from './first-bundle';
export { pinMatchesAny, spkiPin } from './spki-pin';
export type { MaterializedBundle } from './materialize';
export { TRUST_FILE_MODE, materializeBundle } from './materialize';
