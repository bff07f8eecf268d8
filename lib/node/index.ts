// Node-side verification (package entry "cdktf-platform-trust/node"). Imports nothing from cdktf. Re-exports only:
// the public API of the entry is this list (api/node.api.md).

/** Wire formats shared with the constructs: format ids, bundle v1 and v2 shapes, envelopes, default paths. */
export {
  BUNDLE_KEYS_FORMAT_V1,
  BUNDLE_KEY_PIN_PREFIX,
  BUNDLE_PAYLOAD_TYPE,
  BUNDLE_PAYLOAD_TYPE_V2,
  BUNDLE_SCHEMA_V1,
  BUNDLE_SCHEMA_V2,
  DEFAULT_PATHS,
  MAX_REFRESH_HINT_SECONDS,
  PUBKEYS_FORMAT_V1,
} from './formats';
/**
 * The bundle's wire shape. Not the `BootstrapBundle` construct of the main entry: this entry has no constructs.
 */
export type {
  BootstrapBundle,
  BootstrapBundleV1,
  BootstrapBundleV2,
  BundleFreshness,
  BundleKeySetV1,
  BundleRevocations,
  DsseEnvelope,
  RootState,
  SignedEnvelope,
  TrustRoot,
  VerifierEntry,
  VerifierSetV1,
  VerifierState,
} from './formats';
/** The error thrown by the parsers, with a stable code per failure family. */
export { NodeTrustError, NodeTrustErrorCode } from './errors';
/** Choice of the Ed25519 engine (node:crypto or noble). */
export type { Ed25519Engine, Ed25519Options } from './ed25519';
/** Strict Ed25519 verification, identical on both engines. */
export { checkEd25519, verifyEd25519, resolveEd25519Engine } from './ed25519';
/** Why strict Ed25519 refused a key or signature. */
export type { Ed25519Refusal, Ed25519Verdict } from './ed25519-rules';
/** The small-order point encodings refused as keys and nonces. */
export { SMALL_ORDER_ENCODINGS } from './ed25519-rules';
/** Whether the runtime's node:crypto verifies Ed25519 correctly. */
export { nodeEd25519Available } from './ed25519-node';
/** Key ids and bundle key pins, from one digest over the public_key text. */
export { bundleKeyPin, computeKid } from './key-id';
/** The two kinds of key set: task verifiers and bundle keys. */
export type { KeySetKind } from './verifier-set';
/** Task verifier sets and bundle key sets: limits, strict parsing, validation and canonical rendering. */
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
/** JSON as Terraform's jsonencode renders it (keys sorted, compact, HTML characters escaped). */
export { jsonencodeCanonical } from './canonical-json';
/** A parsed Vault transit signature. */
export type { VaultSignature } from './vault-signature';
/** Vault transit signature strings (`vault:v<N>:<base64>`). */
export { formatVaultSignature, parseVaultSignature } from './vault-signature';
/** Outcomes of one signature check, and why a transit or DSSE signature was refused. */
export type {
  DsseSignatureRejectReason,
  SignatureAccepted,
  SignatureRejectReason,
  SignatureRejected,
} from './signature-check';
/** Outcomes of task verification, alone or with the bundle a node holds. */
export type {
  TaskRejectReason,
  TaskVerification,
  TaskWithBundleRejectReason,
  TaskWithBundleVerification,
} from './verify-task';
/** Task verification under task verifiers only (verifyTaskWithBundle names a bundle-key-signed task). */
export { verifyTask, verifyTaskWithBundle } from './verify-task';
/** An envelope whose shape has been checked. */
export type { ParsedEnvelope } from './dsse';
/** DSSE pre-authentication encoding and strict envelope parsing. */
export { pae, parseEnvelope } from './dsse';
/** A control-plane root's SPKI pin and state; when a bundle v2 expires and how often to refresh it. */
export type { BundleFreshnessInfo, RootPin } from './bundle';
/** Bundle limits, validation (v1 and v2), the canonical payload and a bundle's freshness for the refresh loop. */
export { MAX_NODE_CERT_PEMS, MAX_ROOTS, bundleFreshness, renderBundlePayload, validateBundle } from './bundle';
/** The secret scan every rendered bundle passes. */
export { findSecretMaterial } from './secret-scan';
/** Outcomes of bundle envelope verification. */
export type {
  BundleAccepted,
  BundleRejectReason,
  BundleSigner,
  BundleSignerKind,
  BundleVerification,
} from './verify-bundle';
/** Bundle envelope verification under a key set the caller trusts. */
export { verifyBundle } from './verify-bundle';
/** What a node holds, and the outcomes of a bundle update. */
export type {
  BundleUpdateAccepted,
  BundleUpdateOptions,
  BundleUpdateRejectReason,
  BundleUpdateResult,
  CurrentTrust,
} from './bundle-update';
/** The node's rule for replacing its bundle. */
export { acceptBundleUpdate } from './bundle-update';
/** Outcomes of enrolment. */
export type { FirstBundleRejectReason, FirstBundleResult } from './first-bundle';
/** Enrolment: the first bundle under a bundle key pin. */
export { acceptFirstBundle } from './first-bundle';
/**
 * SPKI pins of control-plane roots (`sha256:<hex>`). The main entry's `spkiPin` is this same function: one meaning
 * in both entries.
 */
export { pinMatchesAny, spkiPin } from './spki-pin';
/** The files a bundle is written to. */
export type { MaterializedBundle } from './materialize';
/** Writes a bundle's three trust files. */
export { TRUST_FILE_MODE, materializeBundle } from './materialize';
/** The agent's options, state, events and what it keeps across restarts. */
export type {
  AgentEnrolment,
  BundleAgentEvent,
  BundleAgentEvents,
  BundleAgentOptions,
  BundleAgentPhase,
  BundleAgentStatus,
} from './agent';
/** The bundle loop a node agent embeds. */
export { BundleAgent, DEFAULT_AGENT_BUNDLE_PATH, isTlsFailure } from './agent';
/** The agent's state file. */
export type { AgentState } from './agent-state';
export { AGENT_STATE_FILE, AGENT_STATE_FORMAT_V1, readAgentState, writeAgentState } from './agent-state';
