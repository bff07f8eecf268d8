/**
 * What the plan explainer finds in a plan: plain data (JSON-serialisable), rendered by `renderMarkdown`.
 */
import type { CertificateFacts } from './certificate-facts';
import type { ActionKind } from './plan-json';
import type { PolicyPathDiff } from '../core/policy-hcl';

/** Counts as the engine prints them: a replacement counts once in add and once in destroy. */
export interface PlanSummary {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  readonly forget: number;
  /** `Plan: N to add, M to change, K to destroy.` (plus `, F to forget` when any). */
  readonly text: string;
}

/** Why a warning is raised. */
export enum WarningKind {
  /** A managed resource is deleted. */
  DELETE = 'delete',
  /** A managed resource is deleted and created again (a new Vault object). */
  REPLACE = 'replace',
  /** A rotation resource is destroyed: the key version in code went down. */
  ROTATION_DESTROYED = 'rotation-destroyed',
  /** A Vault floor (`min_decryption_version`, `min_encryption_version`) goes down. */
  FLOOR_DOWN = 'floor-down',
  /** The bootstrap bundle sequence goes down. */
  SEQUENCE_DOWN = 'sequence-down',
  /** A key version keeps its number but gets another public key. */
  PUBLIC_KEY_CHANGED = 'public-key-changed',
  /**
   * Something was signed while planning: a `vault_transit_sign` data source was read during the plan, or the new
   * envelope is already known, with its signatures, in the plan. Listed under "Signing during a plan".
   */
  SIGNED_IN_PLAN = 'signed-in-plan',
  /**
   * The configuration signs through a `vault_transit_sign` data source: read at apply in this plan only because
   * its input is unknown, it signs during any plan whose input is known. Listed under "Signing during a plan".
   */
  SIGNING_DATA_SOURCE = 'signing-data-source',
}

export interface PlanWarning {
  readonly kind: WarningKind;
  /** Resource or output the warning is about. */
  readonly subject: string;
  readonly message: string;
}

/** Vault's version floors of a transit key. */
export interface Floors {
  readonly minDecryptionVersion: number;
  readonly minEncryptionVersion: number;
}

export interface RotationStep {
  readonly address: string;
  readonly action: ActionKind;
  /** The version the step creates (from the stack manifest, else from a `RotateToV<n>` id), when it can be read. */
  readonly version?: number;
  /**
   * True when the create adopts a version Vault already has (an apply killed before saving state, or a
   * rotation by hand): it writes nothing to the key's config and rotates nothing.
   */
  readonly adopts?: boolean;
}

/** What happens to one transit signing key. */
export interface KeyRotation {
  /** `<mount>/keys/<name>`. */
  readonly keyPath: string;
  readonly mount: string;
  readonly key: string;
  /** Action on the transit key resource itself, when it is in the plan. */
  readonly keyAction?: ActionKind;
  /** Latest version before: Vault's `latest_version` from the refreshed state when present. */
  readonly latestBefore?: number;
  /** Latest version the configuration declares (1 plus one per rotation resource). */
  readonly latestAfter?: number;
  /** Rotation resources that change (created, destroyed, replaced). */
  readonly rotations: readonly RotationStep[];
  readonly floors?: {
    readonly address: string;
    readonly action: ActionKind;
    readonly before?: Floors;
    /** Undefined when unknown until apply or deleted. */
    readonly after?: Floors;
  };
  /** `key_version` the policies allow on `<mount>/sign/<name>` (the version the control plane signs with). */
  readonly signing?: { readonly before: readonly number[]; readonly after: readonly number[] };
}

/** One version in a verifier set as the reviewer sees it. */
export interface VerifierView {
  readonly version: number;
  readonly state: string;
  readonly until?: string;
  readonly kid?: string;
  /** True when the entry is derived and its end date is only known after apply. */
  readonly untilUnknown?: boolean;
}

export interface VerifierSetChange {
  /** Output name. */
  readonly output: string;
  readonly key?: string;
  readonly action: ActionKind;
  /** Undefined when the output did not exist. */
  readonly before?: readonly VerifierView[];
  /** Undefined when unknown and it could not be derived, or when the output is removed. */
  readonly after?: readonly VerifierView[];
  /** Where `after` comes from: the output itself, a schedule output, or the floors and rotations. */
  readonly afterSource: 'output' | 'schedule' | 'derived' | 'none';
  /** Floors and latest version the derivation used. */
  readonly derivedFrom?: { readonly floors: Floors; readonly latest: number };
}

export interface IssuerChange {
  readonly address: string;
  readonly action: ActionKind;
  readonly backend?: string;
  readonly issuerName?: string;
  readonly commonName?: string;
  readonly keyType?: string;
  /** Facts of the certificate after the change, when known (roots generated in Vault are known after apply). */
  readonly after?: CertificateFacts;
  readonly before?: CertificateFacts;
}

export interface DefaultIssuerChange {
  readonly address: string;
  readonly action: ActionKind;
  readonly backend?: string;
  /** Issuer name when it can be resolved, else the issuer id. */
  readonly before?: string;
  /** Undefined when unknown until apply and not resolvable. */
  readonly after?: string;
}

/** One public HTTPS root in the bundle. */
export interface RootView {
  readonly state: string;
  readonly until?: string;
  readonly facts?: CertificateFacts;
}

export interface BundleRootsChange {
  readonly output: string;
  readonly before?: readonly RootView[];
  /** Undefined when unknown until apply. */
  readonly after?: readonly RootView[];
  /** Node-cert CA chain pins, when they change. */
  readonly nodeCertPins?: { readonly before: readonly string[]; readonly after?: readonly string[] };
  /** What the plan's resources say about `after` when it is unknown. */
  readonly expected: readonly string[];
}

export interface CaChanges {
  readonly issuers: readonly IssuerChange[];
  readonly defaultIssuers: readonly DefaultIssuerChange[];
  readonly bundleRoots: readonly BundleRootsChange[];
}

export interface PolicyChange {
  readonly address: string;
  readonly name?: string;
  /** The name before, when the change renames the policy. */
  readonly previousName?: string;
  readonly action: ActionKind;
  readonly paths: readonly PolicyPathDiff[];
  /** Why the paths could not be compared (text unknown until apply, or unreadable). */
  readonly problem?: string;
}

export interface BundleChange {
  /** The KV secret resource or the output the sequence is read from. */
  readonly subject: string;
  readonly action: ActionKind;
  readonly sequenceBefore?: number;
  /** Undefined when unknown until apply. */
  readonly sequenceAfter?: number;
  /** `true`/`false` when the rendered bundle is known on both sides; `unknown` otherwise. */
  readonly contentChanged: boolean | 'unknown';
}

export interface ResourceLine {
  readonly address: string;
  readonly type: string;
  readonly action: ActionKind;
  /** Human reason (from `action_reason` and `replace_paths`). */
  readonly why?: string;
}

export interface OutputLine {
  readonly name: string;
  readonly action: ActionKind;
  readonly afterKnown: boolean;
}

/** A certificate of the node-cert CA chain. */
export interface ChainCertificate {
  /** SPKI pin, or `?` when the PEM is not a readable certificate. */
  readonly pin: string;
  readonly subject: string;
  readonly notAfter?: string;
}

/** A bundle field shown as text (URL, environment, paths, env values, fields this explainer does not know). */
export interface BundleFieldChange {
  /** Dotted path in the bundle, for example `control_plane.url` or `env.GPUAAS_CA_BUNDLE_PATH`. */
  readonly field: string;
  /** Undefined when the field is absent on that side. */
  readonly before?: string;
  readonly after?: string;
}

/** A key set carried in the bundle: the task verifiers, or the bundle keys (format v2). */
export interface BundleKeySetChange {
  /** Transit key name before and after. */
  readonly keyBefore?: string;
  readonly keyAfter?: string;
  readonly before?: readonly VerifierView[];
  /** Undefined when known only after apply and it could not be derived. */
  readonly after?: readonly VerifierView[];
  /** Where `after` comes from when the bundle is unknown: the verifier set output or schedule, or the key's floors. */
  readonly afterFrom?: 'bundle' | 'output' | 'schedule' | 'derived';
}

/** What changes inside one bundle output, field by field. */
export interface BundleContentChange {
  readonly output: string;
  readonly action: ActionKind;
  /** False when the new bundle is known only after apply. */
  readonly afterKnown: boolean;
  /** Bundle format (`v1`, `v2`, or the schema id) before and after, when it changes. */
  readonly format?: { readonly before?: string; readonly after?: string };
  /** Fields shown as text that change (the sequence is in `bundles`). */
  readonly fields: readonly BundleFieldChange[];
  /** Public HTTPS roots, when they change (rendered with the overlap under the CA section). */
  readonly roots?: { readonly before?: readonly RootView[]; readonly after?: readonly RootView[] };
  /** The node-cert CA chain, when it changes. */
  readonly nodeCertChain?: {
    readonly before?: readonly ChainCertificate[];
    readonly after?: readonly ChainCertificate[];
  };
  readonly taskVerifiers?: BundleKeySetChange;
  readonly bundleKeys?: BundleKeySetChange;
  /** When the new bundle is unknown: what the configuration (the planned resources) says about it. */
  readonly knownFromConfig: readonly string[];
}

/** What a trust change is about. */
export enum TrustChangeKind {
  CONTROL_PLANE_URL = 'control-plane-url',
  PUBLIC_HTTPS_ROOTS = 'public-https-roots',
  NODE_CERT_CA_CHAIN = 'node-cert-ca-chain',
  BUNDLE_KEYS = 'bundle-keys',
  BUNDLE_FORMAT = 'bundle-format',
  /** The bundle is known only after apply and the code changed what it states: nothing above can be ruled out. */
  BUNDLE_INPUTS = 'bundle-inputs',
  /** The bundle's `freshness` changes: its expiry or its refresh hint. */
  FRESHNESS = 'freshness',
  /** The bundle revokes a task key version, a bundle key version or a root pin (see "Emergency"), or stops listing one. */
  REVOCATION = 'revocation',
  /** The code skips the rollout window (`freshness.rolloutOverride`), with the reason it gives. */
  ROLLOUT_OVERRIDE = 'rollout-override',
}

/** A change to what nodes trust. */
export interface TrustChange {
  readonly kind: TrustChangeKind;
  /** The output or resource it is read from. */
  readonly subject: string;
  /** Before and after, in words; values are in backticks. */
  readonly message: string;
  /**
   * True when the plan shows the change (in the bundle, or in the resources when the bundle is unknown); false
   * when it cannot be ruled out until apply.
   */
  readonly confirmed: boolean;
}

/** The signed envelope output. */
export interface EnvelopeChange {
  readonly output: string;
  readonly action: ActionKind;
  /** `apply`: unknown in the plan, signed during apply; `plan`: the new envelope is in the plan; `removed`. */
  readonly signed: 'apply' | 'plan' | 'removed';
}

/**
 * An apply-time signature resource: a `vault_generic_endpoint` that writes `<mount>/sign/<key>` during apply and
 * never deletes anything in Vault (`disable_delete`). It is replaced whenever what it signs changes: that is the
 * signature being made again during apply, not a destructive change.
 */
export interface ApplyTimeSignatureChange {
  readonly address: string;
  readonly action: ActionKind;
  /** `<mount>/keys/<key>` of the signing key. */
  readonly keyPath: string;
}

export interface SigningReview {
  readonly envelopes: readonly EnvelopeChange[];
  /** Apply-time signature resources that change. */
  readonly signatures: readonly ApplyTimeSignatureChange[];
  /** Loud warnings: signing during a plan (SIGNED_IN_PLAN, SIGNING_DATA_SOURCE). */
  readonly alerts: readonly PlanWarning[];
}

/** One thing a bundle newly revokes. */
export interface RevokedItem {
  /** A task key version (nodes refuse tasks it signs), a bundle key version (bundles it signs), or a root (TLS). */
  readonly kind: 'task-key' | 'bundle-key' | 'root';
  /** The key name, for a key version. */
  readonly key?: string;
  readonly version?: number;
  /** The SPKI pin, for a root. */
  readonly pin?: string;
  /** The root's subject, when the old bundle carries the certificate. */
  readonly subject?: string;
}

/**
 * A plan whose bundle revokes what the published bundle does not: what nodes refuse after their next refresh, how
 * long that takes at most for a node that is online, and how long a node that does not refresh still accepts it.
 */
export interface EmergencyReview {
  /** The bundle output. */
  readonly output: string;
  /** Where the revocations are read: the new bundle, or the stack manifest when the bundle is known only after apply. */
  readonly from: 'bundle' | 'manifest';
  /** What is revoked now and was not in the published bundle. */
  readonly revoked: readonly RevokedItem[];
  /** The new bundle's refresh hint: every online node has refused the revoked items this long after the publish. */
  readonly refreshHintSeconds?: number;
  /** The expiry of the published bundle: a node that takes no update accepts the revoked items until then. */
  readonly heldBundleExpires?: string;
}

/** Everything the explainer found. `renderMarkdown` turns it into a PR comment. */
export interface Explanation {
  readonly formatVersion?: string;
  readonly engineVersion?: string;
  readonly summary: PlanSummary;
  /** Non-empty means the "Destructive changes" section is shown (and `--fail-on-destructive` exits 3). */
  readonly warnings: readonly PlanWarning[];
  readonly keys: readonly KeyRotation[];
  readonly verifierSets: readonly VerifierSetChange[];
  readonly ca: CaChanges;
  readonly policies: readonly PolicyChange[];
  readonly bundles: readonly BundleChange[];
  /** Bundle outputs that change, field by field. */
  readonly bundleContents: readonly BundleContentChange[];
  /**
   * Changes to what nodes trust (control-plane URL, public HTTPS roots, node-cert CA chain, bundle keys, bundle
   * format), confirmed first. Non-empty means the "Trust changes" section is shown (and `--fail-on-trust-change`
   * exits 4).
   */
  readonly trustChanges: readonly TrustChange[];
  /**
   * Bundles that revoke what the published bundle does not. Non-empty means the "Emergency" section comes first in
   * the comment; each revocation is also a trust change (`--fail-on-trust-change` exits 4).
   */
  readonly emergencies: readonly EmergencyReview[];
  /** The envelope, and anything signed while planning. */
  readonly signing: SigningReview;
  /** Managed resources that change, and data sources read at apply, sorted by address. */
  readonly resources: readonly ResourceLine[];
  readonly outputs: readonly OutputLine[];
}
