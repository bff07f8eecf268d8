/**
 * What the plan explainer finds in a plan: plain data (JSON-serialisable), rendered by `renderMarkdown`.
 */
import type { CertificateFacts } from './certificate-facts';
import type { ActionKind } from './plan-json';
import type { PolicyPathDiff } from '../core/policy-hcl';

/** Counts as the engine prints them: a replacement counts once in add and once in destroy. */
export interface PlanSummary {
  /** Resources created, replacements included. */
  readonly add: number;
  /** Resources updated in place. */
  readonly change: number;
  /** Resources destroyed, replacements included. */
  readonly destroy: number;
  /** Resources removed from state without being destroyed. */
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

/**
 * A change a reviewer should look at twice: listed under "Destructive changes", or under "Signing during a plan".
 */
export interface PlanWarning {
  /** Why the warning is raised. */
  readonly kind: WarningKind;
  /** Resource or output the warning is about. */
  readonly subject: string;
  /** What happens and why it matters, in one line (values in backticks). */
  readonly message: string;
}

/** Vault's version floors of a transit key. */
export interface Floors {
  /** `min_decryption_version`: versions below it no longer decrypt or verify. */
  readonly minDecryptionVersion: number;
  /** `min_encryption_version`: versions below it no longer encrypt or sign (0 means the latest). */
  readonly minEncryptionVersion: number;
}

/**
 * A rotation resource that changes: the `vault_generic_endpoint` that creates one version of a transit key.
 */
export interface RotationStep {
  /** Plan address of the rotation resource. */
  readonly address: string;
  /** What the plan does to it. */
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
  /** Transit mount path. */
  readonly mount: string;
  /** Transit key name. */
  readonly key: string;
  /** Action on the transit key resource itself, when it is in the plan. */
  readonly keyAction?: ActionKind;
  /** Latest version before: Vault's `latest_version` from the refreshed state when present. */
  readonly latestBefore?: number;
  /** Latest version the configuration declares (1 plus one per rotation resource). */
  readonly latestAfter?: number;
  /** Rotation resources that change (created, destroyed, replaced). */
  readonly rotations: readonly RotationStep[];
  /** The floors resource (`<mount>/keys/<name>/config`), when it changes. */
  readonly floors?: {
    /** Plan address of the floors resource. */
    readonly address: string;
    /** What the plan does to it. */
    readonly action: ActionKind;
    /** Undefined when it did not exist. */
    readonly before?: Floors;
    /** Undefined when unknown until apply or deleted. */
    readonly after?: Floors;
  };
  /** `key_version` the policies allow on `<mount>/sign/<name>` (the version the control plane signs with). */
  readonly signing?: {
    /** Versions allowed before the change. */
    readonly before: readonly number[];
    /** Versions allowed after the change. */
    readonly after: readonly number[];
  };
}

/** One version in a verifier set as the reviewer sees it. */
export interface VerifierView {
  /** Transit key version. */
  readonly version: number;
  /** `next`, `active` or `grace`. */
  readonly state: string;
  /** End of acceptance (ISO 8601 UTC) of a `grace` entry. */
  readonly until?: string;
  /** Key id (`<key>:v<version>:<16 hex>`), when known. */
  readonly kid?: string;
  /** True when the entry is derived and its end date is only known after apply. */
  readonly untilUnknown?: boolean;
}

/** A task verifier set output that changes. */
export interface VerifierSetChange {
  /** Output name. */
  readonly output: string;
  /** Transit key name the set belongs to, when known. */
  readonly key?: string;
  /** What the plan does to the output. */
  readonly action: ActionKind;
  /** Undefined when the output did not exist. */
  readonly before?: readonly VerifierView[];
  /** Undefined when unknown and it could not be derived, or when the output is removed. */
  readonly after?: readonly VerifierView[];
  /** Where `after` comes from: the output itself, a schedule output, or the floors and rotations. */
  readonly afterSource: 'output' | 'schedule' | 'derived' | 'none';
  /** Floors and latest version the derivation used. */
  readonly derivedFrom?: {
    /** The key's floors after the plan. */
    readonly floors: Floors;
    /** The key's latest version after the plan. */
    readonly latest: number;
  };
}

/** A root issuer (`vault_pki_secret_backend_root_cert`) that the plan changes. */
export interface IssuerChange {
  /** Plan address of the root issuer. */
  readonly address: string;
  /** What the plan does to it. */
  readonly action: ActionKind;
  /** PKI mount path. */
  readonly backend?: string;
  /** Vault issuer name. */
  readonly issuerName?: string;
  /** Common name of the root certificate. */
  readonly commonName?: string;
  /** Key type and bits, for example `ec-256` or `rsa-4096`. */
  readonly keyType?: string;
  /** Facts of the certificate after the change, when known (roots generated in Vault are known after apply). */
  readonly after?: CertificateFacts;
  /** Facts of the certificate before the change, when it existed. */
  readonly before?: CertificateFacts;
}

/** A change of a PKI mount's default issuer (`vault_pki_secret_backend_config_issuers`). */
export interface DefaultIssuerChange {
  /** Plan address of the default-issuer resource. */
  readonly address: string;
  /** What the plan does to it. */
  readonly action: ActionKind;
  /** PKI mount path. */
  readonly backend?: string;
  /** Issuer name when it can be resolved, else the issuer id. */
  readonly before?: string;
  /** Undefined when unknown until apply and not resolvable. */
  readonly after?: string;
}

/** One public HTTPS root in the bundle. */
export interface RootView {
  /** `current`, `next` or `previous` (`?` when the bundle gives none). */
  readonly state: string;
  /** End of the overlap (ISO 8601 UTC), when the bundle gives one. */
  readonly until?: string;
  /** Facts of the root certificate, when its PEM is readable. */
  readonly facts?: CertificateFacts;
}

/** The public HTTPS roots (and node-cert CA pins) of one bundle output, before and after. */
export interface BundleRootsChange {
  /** Output name. */
  readonly output: string;
  /** Roots before; undefined when the output did not exist or held none. */
  readonly before?: readonly RootView[];
  /** Undefined when unknown until apply. */
  readonly after?: readonly RootView[];
  /** Node-cert CA chain pins, when they change. */
  readonly nodeCertPins?: {
    /** SPKI pins before. */
    readonly before: readonly string[];
    /** SPKI pins after; undefined when unknown until apply. */
    readonly after?: readonly string[];
  };
  /** What the plan's resources say about `after` when it is unknown. */
  readonly expected: readonly string[];
}

/** Changes to the PKIs: root issuers, default issuers and the roots carried in bundles. */
export interface CaChanges {
  /** Root issuers that change. */
  readonly issuers: readonly IssuerChange[];
  /** Default issuers that change. */
  readonly defaultIssuers: readonly DefaultIssuerChange[];
  /** Bundle outputs whose roots or node-cert CA pins change. */
  readonly bundleRoots: readonly BundleRootsChange[];
}

/** A Vault policy (`vault_policy`) that changes. */
export interface PolicyChange {
  /** Plan address of the policy. */
  readonly address: string;
  /** Policy name (after the change, or before a delete). */
  readonly name?: string;
  /** The name before, when the change renames the policy. */
  readonly previousName?: string;
  /** What the plan does to it. */
  readonly action: ActionKind;
  /** Capabilities added and removed, path by path. */
  readonly paths: readonly PolicyPathDiff[];
  /** Why the paths could not be compared (text unknown until apply, or unreadable). */
  readonly problem?: string;
}

/** A bootstrap bundle's sequence, before and after. */
export interface BundleChange {
  /** The KV secret resource or the output the sequence is read from. */
  readonly subject: string;
  /** What the plan does to the subject. */
  readonly action: ActionKind;
  /** Sequence before; undefined when there was no bundle or no readable sequence. */
  readonly sequenceBefore?: number;
  /** Undefined when unknown until apply. */
  readonly sequenceAfter?: number;
  /** `true`/`false` when the rendered bundle is known on both sides; `unknown` otherwise. */
  readonly contentChanged: boolean | 'unknown';
}

/** A managed resource that changes, or a data source read at apply. */
export interface ResourceLine {
  /** Plan address. */
  readonly address: string;
  /** Resource type, for example `vault_policy`. */
  readonly type: string;
  /** What the plan does to it (`read` for a data source). */
  readonly action: ActionKind;
  /** Human reason (from `action_reason` and `replace_paths`). */
  readonly why?: string;
}

/** A root module output that changes. */
export interface OutputLine {
  /** Output name. */
  readonly name: string;
  /** What the plan does to it. */
  readonly action: ActionKind;
  /** False when the new value is known only after apply. */
  readonly afterKnown: boolean;
}

/** A certificate of the node-cert CA chain. */
export interface ChainCertificate {
  /** SPKI pin, or `?` when the PEM is not a readable certificate. */
  readonly pin: string;
  /** Subject DN on one line (`unreadable certificate` when the PEM is not a readable certificate). */
  readonly subject: string;
  /** End of validity (ISO 8601 UTC), when the certificate is readable. */
  readonly notAfter?: string;
}

/** A bundle field shown as text (URL, environment, paths, env values, fields this explainer does not know). */
export interface BundleFieldChange {
  /** Dotted path in the bundle, for example `control_plane.url` or `env.GPUAAS_CA_BUNDLE_PATH`. */
  readonly field: string;
  /** Undefined when the field is absent on that side. */
  readonly before?: string;
  /** The field's value after, as text; undefined when the field is absent on that side. */
  readonly after?: string;
}

/** A key set carried in the bundle: the task verifiers, or the bundle keys (format v2). */
export interface BundleKeySetChange {
  /** Transit key name before and after. */
  readonly keyBefore?: string;
  /** Transit key name after. */
  readonly keyAfter?: string;
  /** Entries before; undefined when the bundle did not carry the set. */
  readonly before?: readonly VerifierView[];
  /** Undefined when known only after apply and it could not be derived. */
  readonly after?: readonly VerifierView[];
  /** Where `after` comes from when the bundle is unknown: the verifier set output or schedule, or the key's floors. */
  readonly afterFrom?: 'bundle' | 'output' | 'schedule' | 'derived';
}

/** What changes inside one bundle output, field by field. */
export interface BundleContentChange {
  /** Output name. */
  readonly output: string;
  /** What the plan does to the output. */
  readonly action: ActionKind;
  /** False when the new bundle is known only after apply. */
  readonly afterKnown: boolean;
  /** Bundle format (`v1`, `v2`, or the schema id) before and after, when it changes. */
  readonly format?: {
    /** Format before; undefined when there was no bundle. */
    readonly before?: string;
    /** Format after; undefined when the bundle is removed. */
    readonly after?: string;
  };
  /** Fields shown as text that change (the sequence is in `bundles`). */
  readonly fields: readonly BundleFieldChange[];
  /** Public HTTPS roots, when they change (rendered with the overlap under the CA section). */
  readonly roots?: {
    /** Roots before; undefined when absent on that side. */
    readonly before?: readonly RootView[];
    /** Roots after; undefined when absent on that side. */
    readonly after?: readonly RootView[];
  };
  /** The node-cert CA chain, when it changes. */
  readonly nodeCertChain?: {
    /** Chain before; undefined when absent on that side. */
    readonly before?: readonly ChainCertificate[];
    /** Chain after; undefined when absent on that side. */
    readonly after?: readonly ChainCertificate[];
  };
  /** The task verifier set, when it changes. */
  readonly taskVerifiers?: BundleKeySetChange;
  /** The bundle key set (format v2), when it changes. */
  readonly bundleKeys?: BundleKeySetChange;
  /** When the new bundle is unknown: what the configuration (the planned resources) says about it. */
  readonly knownFromConfig: readonly string[];
}

/** What a trust change is about. */
export enum TrustChangeKind {
  /** The control-plane URL (`control_plane.url`). */
  CONTROL_PLANE_URL = 'control-plane-url',
  /** The public HTTPS roots (`public_https_trust.roots`). */
  PUBLIC_HTTPS_ROOTS = 'public-https-roots',
  /** The node-cert CA chain (`node_cert_trust.pems`). */
  NODE_CERT_CA_CHAIN = 'node-cert-ca-chain',
  /** The bundle key set (`bundle_keys.set`): who may sign the next bundle. */
  BUNDLE_KEYS = 'bundle-keys',
  /** The bundle format (v1 to v2, or a schema id). */
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
  /** What the change is about. */
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
  /** Output name. */
  readonly output: string;
  /** What the plan does to the output. */
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
  /** Plan address of the signature resource. */
  readonly address: string;
  /** What the plan does to it (a replacement is a new signature, not a loss). */
  readonly action: ActionKind;
  /** `<mount>/keys/<key>` of the signing key. */
  readonly keyPath: string;
}

/**
 * How the bundle gets signed: the envelope outputs, apply-time signatures and anything signed while planning.
 */
export interface SigningReview {
  /** Envelope outputs that change. */
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
  /** The key version, for a key version. */
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
  /** Version of the JSON plan format (`format_version`), when the plan gives it. */
  readonly formatVersion?: string;
  /** Version of the engine that wrote the plan (`terraform_version`), when the plan gives it. */
  readonly engineVersion?: string;
  /** Resource counts, as the engine prints them. */
  readonly summary: PlanSummary;
  /** Non-empty means the "Destructive changes" section is shown (and `--fail-on-destructive` exits 3). */
  readonly warnings: readonly PlanWarning[];
  /** Transit signing keys whose versions, floors or signing versions change. */
  readonly keys: readonly KeyRotation[];
  /** Task verifier set outputs that change. */
  readonly verifierSets: readonly VerifierSetChange[];
  /** Root issuers, default issuers and bundle roots that change. */
  readonly ca: CaChanges;
  /** Vault policies that change, with their capabilities path by path. */
  readonly policies: readonly PolicyChange[];
  /** Bootstrap bundle sequences, before and after. */
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
  /** Root module outputs that change. */
  readonly outputs: readonly OutputLine[];
}
