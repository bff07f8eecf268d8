import { Fn, ITerraformDependable, Op, TerraformLocal, Token, Tokenization, propertyAccess, ref } from 'cdktf';
import { Construct } from 'constructs';
import { DataVaultKvSecretV2 } from '@cdktf/provider-vault/lib/data-vault-kv-secret-v2';
import { KvSecretV2 } from '@cdktf/provider-vault/lib/kv-secret-v2';
import { BundleSignatureRole } from '../core/declarations';
import { expectedReference, invalidFreshnessSetting, invalidRevocation, missingConfig } from '../core/errors';
import { PlanClock } from '../core/plan-clock';
import {
  DEFAULT_EXPIRY_MARGIN_DAYS,
  DEFAULT_MAX_VALIDITY_DAYS,
  DEFAULT_REFRESH_HINT_SECONDS,
  DEFAULT_ROLLOUT_REFRESHES,
} from '../kernel/freshness';
import { Grant, IGrantable } from '../core/grant';
import { joinPath } from '../core/naming';
import { Capability, PolicyRule } from '../core/policy-document';
import {
  isToken,
  validateDistinctMountPaths,
  validateMountPath,
  validateName,
  validateVersion,
} from '../core/validation';
import { BUNDLE_PAYLOAD_TYPE_V2, BootstrapBundleV2, BundleKeySetV1, VerifierSetV1 } from '../node/formats';
import { IControlPlaneTrust, INodeCertTrust } from '../pki/types';
import { signRule } from '../signing/grants';
import { IBundleSigningKey, ITaskSigningKey } from '../signing/types';
import {
  BundlePaths,
  EnvelopeSignature,
  buildBundleV2,
  buildEnvelopeV2,
  bundleInputsDigest,
  checkFreshness,
  checkBundleLiteral,
  checkSeparateSigningKeys,
  dssePaeParts,
  validateSequence,
} from './bundle-model';
import { sameTrustSource } from './private/errors';
import { ApplyTimeSignature, signAtApply } from './apply-time-signature';
import {
  checkFreshnessSettings,
  declareRevocationRecords,
  declareRollout,
  declareRootRollout,
  expiryConditions,
  retentionConditions,
} from './freshness';
import type { ResolvedFreshness } from '../kernel/freshness';

export type { ApplyTimeSignature } from './apply-time-signature';
import { mountPathsOverlap } from '../kernel/paths';

/** Props of {@link BootstrapBundle}. */
export interface BootstrapBundleProps {
  /** Environment name (dev, staging, prod); carried in the bundle. */
  readonly environment: string;
  /**
   * Bundle sequence, set in code. Bump it by one whenever the bundle changes; a node refuses a bundle whose
   * sequence is not above the one it holds. The plan fails when it is lowered or when the bundle changes
   * without a bump (see `sequenceGuard`).
   */
  readonly sequence: number;
  /** https URL nodes use to reach the control plane. */
  readonly controlPlaneUrl: string;
  /** Public HTTPS trust (GPUAAS_CA_BUNDLE_PATH): a `ControlPlaneTrust` or `ControlPlaneTrust.fromCertificatePem`. */
  readonly publicHttpsTrust: IControlPlaneTrust;
  /** Node-cert CA (GPUAAS_NODE_CERT_CA_BUNDLE_PATH): a `NodeCertAuthority`. */
  readonly nodeCertTrust: INodeCertTrust;
  /**
   * The task signing key: its verifier set goes into the bundle. It signs the bundle only with `migrateFromV1`.
   */
  readonly signingKey: ITaskSigningKey;
  /**
   * The bundle signing key: its key set goes into the bundle (`bundle_keys`) and its active version signs the
   * envelope during apply. It must be another transit key than `signingKey`.
   */
  readonly bundleSigningKey: IBundleSigningKey;
  /**
   * Also sign the envelope with the task key's active version, so that nodes still holding a bundle of format v1
   * (which only know task keys) accept the first bundle of format v2; nodes holding a v2 bundle ignore that
   * signature. Turn it on for the move from v1, and off once every node holds a v2 bundle.
   * @default false
   */
  readonly migrateFromV1?: boolean;
  /**
   * File paths on the node; the three must differ.
   * @default - DEFAULT_PATHS from lib/node/formats.ts
   */
  readonly paths?: Partial<BundlePaths>;
  /** Expiry, refresh hint and the plan-time bounds around them. */
  readonly freshness: BundleFreshnessProps;
  /**
   * SPKI pins (`sha256:` and 64 hex digits) of control-plane roots to revoke: nodes drop them at once, even inside
   * an overlap. Revoked task and bundle key versions come from the keys' `compromised` lists.
   * @default - none
   */
  readonly revokedRootPins?: readonly string[];
  /** Path of the platform-owned KV v2 mount the signed bundle is published to. */
  readonly kvMountPath: string;
  /**
   * The KV v2 mount resource, when it is declared in the same stack: publishing waits for it.
   * @default - no explicit dependency
   */
  readonly kvMount?: ITerraformDependable;
  /**
   * Name of the KV v2 secret inside the mount.
   * @default "bootstrap/bundle"
   */
  readonly secretName?: string;
  /**
   * Fail the plan when `sequence` is below the published one, or equal to it while the bundle changed.
   * It compares with the secret's custom metadata as Vault holds it, read by the plan's refresh; the first
   * publish (or a secret published without that metadata) has nothing to compare with and passes.
   * @default true
   */
  readonly sequenceGuard?: boolean;
}

/** Freshness of the bundle and the rollout window of new key versions. */
export interface BundleFreshnessProps {
  /**
   * End of the bundle's validity, ISO 8601 UTC, written in code (never computed from a clock). Nodes refuse the
   * bundle, and every task while they hold it, from then on. Move it forward with a sequence bump before it comes
   * within `expiryMarginDays` of a plan (`rotation-status` reports it).
   */
  readonly expires: string;
  /**
   * Seconds between a node's checks for a newer bundle (carried in the bundle; the control plane's handler turns it
   * into Cache-Control).
   * @default 3600
   */
  readonly refreshHintSeconds?: number;
  /**
   * The plan fails when the bundle expires within this many days of the plan's time (`plan_time`).
   * @default 5
   */
  readonly expiryMarginDays?: number;
  /**
   * The plan fails when the bundle expires more than this many days after the plan's time.
   * @default 90
   */
  readonly maxValidityDays?: number;
  /**
   * Refresh hints a new key version must have been published for before the control plane signs with it (or the
   * bundle key signs with it). Checked at plan time against Vault's `created_time` of the version's publication
   * record.
   * @default 3
   */
  readonly rolloutRefreshes?: number;
  /**
   * Extra seconds on top of the rollout window, for nodes that are offline for maintenance.
   * @default 0
   */
  readonly rolloutExtraSeconds?: number;
  /**
   * Skip the rollout window check for this plan, with the reason (at least 20 characters) that the plan shows.
   * Prefer `compromised` for an emergency: it revokes the old version too.
   * @default - the window is checked
   */
  readonly rolloutOverride?: {
    /** Why the window is skipped (at least 20 characters); the plan review shows it. */
    readonly reason: string;
  };
}

/**
 * The node bootstrap bundle (format v2), rendered by Terraform, signed during apply through Vault transit by the
 * bundle signing key's active version (never by the task key, never during a plan), and published as a KV v2
 * secret that the control plane serves to nodes. It carries no Vault address, token, AppRole id or secret, and no
 * private key.
 *
 * Signing: a `vault_generic_endpoint` writes `<mount>/sign/<bundle key>` during apply with the DSSE
 * pre-authentication encoding of the payload and `key_version` (a string) and keeps the returned `signature`. A
 * plan reads nothing from it and needs no sign right. Whenever what is signed changes, a `terraform_data` holding
 * SHA-256 over the path, the key version and the input changes too, and `replace_triggered_by` replaces the sign
 * resource: the plan shows the new signature as known after apply, never the old one over a new payload (the
 * provider would otherwise plan an in-place update that keeps the previous `write_data`).
 *
 * Elements (construct ids): locals `BundleJson` and `EnvelopeJson`; `SignedInput` (`terraform_data`) and
 * `BundleSignature` (`vault_generic_endpoint`); with `migrateFromV1`, `TaskKeySignedInput` (`terraform_data`) and
 * `TaskKeySignature` (`vault_generic_endpoint`); resource `Secret` (`vault_kv_secret_v2`).
 */
export class BootstrapBundle extends Construct {
  /** The bundle object as rendered (values are tokens where they come from Vault). */
  public readonly bundle: BootstrapBundleV2;
  /** The three file paths on the node, defaults applied. */
  public readonly paths: BundlePaths;
  /** The bundle sequence as given in props. */
  public readonly sequence: number;
  /** Compact JSON of the bundle (the signed payload bytes). A token: add it to a plan output for review. */
  public readonly bundleJson: string;
  /** Standard base64 of `bundleJson` (the envelope payload). A token. */
  public readonly payload: string;
  /** Standard base64 of the bundle key's raw Ed25519 signature over the DSSE PAE of the payload. A token. */
  public readonly signature: string;
  /** JSON of the signed DSSE envelope (`DsseEnvelope`). A token: add it to a plan output for review. */
  public readonly envelopeJson: string;
  /** Pin of the bundle key's active version (`sha256:` + 64 hex): what a node enrols with. A token. */
  public readonly bundleKeyPin: string;
  /** Path of the KV v2 mount the bundle is published to. */
  public readonly kvMountPath: string;
  /** Name of the KV v2 secret inside the mount. Default: `bootstrap/bundle`. */
  public readonly secretName: string;
  /** API path the control plane reads: `<kv mount>/data/<secret name>`. */
  public readonly secretDataPath: string;
  /** The published secret (main resource). */
  public readonly secret: KvSecretV2;
  /** The signature by the bundle key (construct ids `BundleSignature` and `SignedInput`). */
  public readonly bundleKeySignature: ApplyTimeSignature;
  /**
   * During an emergency rotation of the bundle key, the signature by the compromised version that nodes still hold
   * (`HandoverSignature`, `HandoverSignedInput`).
   */
  public readonly handoverSignature?: ApplyTimeSignature;
  /** With `migrateFromV1`, the signature by the task key (`TaskKeySignature`, `TaskKeySignedInput`). */
  public readonly taskKeySignature?: ApplyTimeSignature;
  /** Whether the envelope also carries the task key's migration signature (`migrateFromV1`, default false). */
  public readonly migrateFromV1: boolean;
  /**
   * SHA-256 over what the code says the bundle holds (literals, and names in place of tokens), published next to
   * the envelope as `inputs_sha256` so the plan-time guard sees changes whose payload is unknown until apply.
   */
  public readonly inputsDigest: string;
  /** Freshness settings with defaults applied. */
  public readonly freshness: ResolvedFreshness;
  /** The stack's plan clock (the `plan_time` variable) that the expiry and rollout conditions use. */
  public readonly planClock: PlanClock;
  /** KV name prefix of the publication records: `<prefix>/<key name>/v<n>`. */
  public readonly recordPrefix: string;
  /**
   * One publication record per version of each key and per control-plane root (construct ids `PublishedTaskKeyV<n>`,
   * `PublishedBundleKeyV<n>`, `PublishedRoot-<name>`).
   */
  public readonly publicationRecords: KvSecretV2[];
  /**
   * One revocation record per revoked item, written once before the bundle that revokes it (construct ids
   * `Revoked-task-key-v<n>`, `Revoked-bundle-key-v<n>`, `Revoked-root-<pin>`): its created_time starts the item's
   * retention, which the published bundle's custom metadata carries as `revoked:<item>`.
   */
  public readonly revocationRecords: KvSecretV2[];
  /** The plan-time rollout checks (`RolloutTaskKey`, `RolloutBundleKey`, `RolloutRoot`), when declared. */
  public readonly rolloutChecks: DataVaultKvSecretV2[];
  private readonly taskKey: ITaskSigningKey;
  private readonly bundleKey: IBundleSigningKey;

  constructor(scope: Construct, id: string, props: BootstrapBundleProps) {
    super(scope, id);
    this.kvMountPath = validateMountPath('bundle KV mount path', props.kvMountPath);
    this.secretName = validateMountPath('bundle secret name', props.secretName ?? 'bootstrap/bundle');
    this.secretDataPath = joinPath(this.kvMountPath, 'data', this.secretName);
    this.sequence = validateSequence(props.sequence);
    this.migrateFromV1 = props.migrateFromV1 ?? false;
    const key = props.signingKey;
    validateName('signing key name', key.keyName);
    validateMountPath('signing key transit mount path', key.mountPath);
    validateVersion('signing key activeVersion', key.activeVersion);
    if (!isToken(key.pubkeysJson)) {
      // cdktf renders string literals inside an HCL expression without escaping double quotes.
      throw expectedReference(
        'The signing key must supply pubkeysJson as a token (a Terraform reference), not as literal JSON text.',
        key.pubkeysJson,
        'pass the TaskSigningKey construct; in tests, wrap literal JSON in a TerraformLocal.',
      );
    }
    checkBundleLiteral('signing key activeKid', key.activeKid);
    const bundleKey = props.bundleSigningKey;
    if (!bundleKey) {
      throw missingConfig(
        'A bootstrap bundle of format v2 is signed by a bundle signing key, and none was given.',
        bundleKey,
        'create a BundleSigningKey (another transit key than the task key) and pass it as bundleSigningKey.',
      );
    }
    validateName('bundle signing key name', bundleKey.keyName, 'bundle-signer');
    validateMountPath('bundle signing key transit mount path', bundleKey.mountPath);
    validateVersion('bundle signing key activeVersion', bundleKey.activeVersion);
    if (!isToken(bundleKey.keySetJson)) {
      throw expectedReference(
        'The bundle signing key must supply keySetJson as a token (a Terraform reference), not as literal JSON text.',
        bundleKey.keySetJson,
        'pass the BundleSigningKey construct; in tests, wrap literal JSON in a TerraformLocal.',
      );
    }
    checkBundleLiteral('bundle signing key activeKid', bundleKey.activeKid);
    checkSeparateSigningKeys(key, bundleKey);
    checkSeparateSources(props.publicHttpsTrust, props.nodeCertTrust, this.kvMountPath);
    this.taskKey = key;
    this.bundleKey = bundleKey;

    if (props.freshness && isToken(props.freshness.expires)) {
      throw invalidFreshnessSetting(
        'freshness.expires must be a literal date in code, not a Terraform reference: reviewers read it in the plan and the plan checks it.',
        props.freshness.expires,
        'write the date, for example expires: "2027-03-01T00:00:00Z".',
      );
    }
    // The model's rules for expires and the refresh hint (a missing expiry is explained there).
    const wire = checkFreshness(
      props.freshness && {
        expires: props.freshness.expires,
        refresh_hint_seconds: props.freshness.refreshHintSeconds ?? DEFAULT_REFRESH_HINT_SECONDS,
      },
    );
    this.freshness = checkFreshnessSettings({
      expires: wire.expires,
      refreshHintSeconds: wire.refresh_hint_seconds,
      expiryMarginDays: props.freshness?.expiryMarginDays ?? DEFAULT_EXPIRY_MARGIN_DAYS,
      maxValidityDays: props.freshness?.maxValidityDays ?? DEFAULT_MAX_VALIDITY_DAYS,
      rolloutRefreshes: props.freshness?.rolloutRefreshes ?? DEFAULT_ROLLOUT_REFRESHES,
      rolloutExtraSeconds: props.freshness?.rolloutExtraSeconds ?? 0,
      rolloutOverrideReason: props.freshness?.rolloutOverride?.reason,
    });
    const tokenPin = (props.revokedRootPins ?? []).find((p) => isToken(p));
    if (tokenPin !== undefined) {
      throw invalidRevocation(
        'revokedRootPins must be literal pins, not Terraform references: a revocation is reviewed in code, and its retention is tracked by pin.',
        tokenPin,
        'write the pin ("sha256:" and 64 hex digits), for example from spkiPin() of the root certificate.',
      );
    }
    const revokedPins = [...(props.revokedRootPins ?? [])].map((p) => p.toLowerCase()).sort();

    this.bundle = buildBundleV2({
      environment: props.environment,
      sequence: this.sequence,
      controlPlaneUrl: props.controlPlaneUrl,
      publicHttpsRoots: props.publicHttpsTrust.roots,
      nodeCertPems: props.nodeCertTrust.caPems,
      // The sets are decoded by Terraform from the keys' JSON and re-encoded inside the bundle.
      verifierSet: Fn.jsondecode(key.pubkeysJson) as unknown as VerifierSetV1,
      pubkeysJson: key.pubkeysJson,
      bundleKeySet: Fn.jsondecode(bundleKey.keySetJson) as unknown as BundleKeySetV1,
      paths: props.paths,
      freshness: wire,
      revoked: {
        task_key_versions: key.plan?.compromised ?? [],
        bundle_key_versions: bundleKey.plan?.compromised ?? [],
        root_pins: revokedPins,
      },
    });
    this.paths = {
      publicHttpsBundle: this.bundle.public_https_trust.path,
      nodeCertBundle: this.bundle.node_cert_trust.path,
      taskVerifiers: this.bundle.task_verifiers.path,
    };

    const bundleLocal = new TerraformLocal(this, 'BundleJson', Fn.jsonencode(this.bundle));
    this.bundleJson = bundleLocal.asString;
    this.payload = Fn.base64encode(this.bundleJson);
    // DSSE PAE; Terraform's length() counts characters, equal to bytes because every bundle value is ASCII.
    // join() rather than a template string: the input is nested in jsonencode() and sha256() below.
    const signedInput = Fn.base64encode(
      Fn.join('', dssePaeParts(BUNDLE_PAYLOAD_TYPE_V2, this.bundleJson, Fn.tostring(Fn.lengthOf(this.bundleJson)))),
    );
    this.bundleKeySignature = signAtApply(
      this,
      'BundleSignature',
      'SignedInput',
      bundleKey,
      signedInput,
      BundleSignatureRole.BUNDLE_KEY,
    );
    this.signature = this.bundleKeySignature.sig;
    if (bundleKey.handover) {
      // Emergency rotation of the bundle key: nodes hold only the compromised version, so it signs this bundle (which
      // revokes it) once more, next to the new version; nodes that took the bundle ignore its signature.
      this.handoverSignature = signAtApply(
        this,
        'HandoverSignature',
        'HandoverSignedInput',
        {
          keyName: bundleKey.keyName,
          mountPath: bundleKey.mountPath,
          activeVersion: bundleKey.handover.version,
          activeKid: bundleKey.handover.kid,
          signingDependables: bundleKey.signingDependables,
        },
        signedInput,
        BundleSignatureRole.BUNDLE_KEY,
      );
    }
    if (this.migrateFromV1) {
      this.taskKeySignature = signAtApply(
        this,
        'TaskKeySignature',
        'TaskKeySignedInput',
        key,
        signedInput,
        BundleSignatureRole.MIGRATION_FROM_V1,
      );
    }
    this.bundleKeyPin = bundleKey.activePin;

    const signatures: EnvelopeSignature[] = [this.bundleKeySignature, this.handoverSignature, this.taskKeySignature]
      .filter((s): s is ApplyTimeSignature => s !== undefined)
      .map((s) => ({ keyid: s.keyid, sig: s.sig }));
    const envelopeLocal = new TerraformLocal(
      this,
      'EnvelopeJson',
      Fn.jsonencode(buildEnvelopeV2(this.payload, signatures)),
    );
    this.envelopeJson = envelopeLocal.asString;

    this.inputsDigest = bundleInputsDigest({
      environment: this.bundle.environment,
      controlPlaneUrl: this.bundle.control_plane.url,
      paths: this.paths,
      publicHttpsRoots: this.bundle.public_https_trust.roots.map((r, i) => ({
        ...r,
        name: props.publicHttpsTrust.rootNames?.[i],
      })),
      nodeCertPems: this.bundle.node_cert_trust.pems,
      signingKey: {
        keyName: key.keyName,
        mountPath: key.mountPath,
        activeVersion: key.activeVersion,
        versions: key.plan?.versions,
      },
      bundleKey: {
        keyName: bundleKey.keyName,
        mountPath: bundleKey.mountPath,
        activeVersion: bundleKey.activeVersion,
        versions: bundleKey.plan?.versions,
      },
      migrateFromV1: this.migrateFromV1,
      freshness: this.bundle.freshness,
      revoked: this.bundle.revoked,
    });

    // Revocation records, written before the bundle that revokes (their created_time starts each retention).
    const recordPrefix = `${this.secretName}-published`;
    this.recordPrefix = recordPrefix;
    const revocations = declareRevocationRecords(
      this,
      {
        taskKeyVersions: this.bundle.revoked.task_key_versions,
        bundleKeyVersions: this.bundle.revoked.bundle_key_versions,
        rootPins: revokedPins,
      },
      {
        kvMountPath: this.kvMountPath,
        recordPrefix,
        after: props.kvMount ? [props.kvMount] : undefined,
        freshness: this.freshness,
      },
    );
    this.revocationRecords = revocations.records;

    const guard = props.sequenceGuard ?? true;
    this.secret = new KvSecretV2(this, 'Secret', {
      mount: this.kvMountPath,
      name: this.secretName,
      dataJson: Fn.jsonencode({
        envelope: Fn.jsondecode(this.envelopeJson),
        sequence: this.sequence,
        inputs_sha256: this.inputsDigest,
      }),
      // What the plan-time guard compares with: Vault returns custom metadata with every read of the secret, and
      // the provider keeps it in the computed `metadata` attribute (it no longer fills `data` on read).
      customMetadata: {
        data: {
          sequence: isToken(this.sequence) ? Tokenization.stringifyNumber(this.sequence) : String(this.sequence),
          inputs_sha256: this.inputsDigest,
          payload_sha256: Fn.sha256(this.payload),
          ...revocations.metadata,
        },
      },
      dependsOn: props.kvMount ? [props.kvMount] : undefined,
      lifecycle: {
        precondition: expiryConditions(this.freshness),
        postcondition: [...(guard ? this.publishedMetadataConditions() : []), ...retentionConditions()],
      },
    });
    this.planClock = PlanClock.of(this);

    // Rollout safety: a record per key version, written once after the bundle that lists it is published, and a
    // plan-time check that a newly used version was published at least the rollout window ago.
    const rolloutOpts = {
      kvMountPath: this.kvMountPath,
      recordPrefix,
      after: [this.secret],
      freshness: this.freshness,
    };
    const task = declareRollout(
      this,
      'TaskKey',
      { label: 'task key', keyName: key.keyName, plan: key.plan },
      rolloutOpts,
    );
    const bundleSide = declareRollout(
      this,
      'BundleKey',
      { label: 'bundle key', keyName: bundleKey.keyName, plan: bundleKey.plan },
      rolloutOpts,
    );
    const rootSide = declareRootRollout(
      this,
      this.bundle.public_https_trust.roots.map((r, i) => ({
        name: props.publicHttpsTrust.rootNames?.[i] as string,
        state: r.state,
        until: r.until,
      })),
      props.publicHttpsTrust.knownRootNames ?? props.publicHttpsTrust.rootNames ?? [],
      rolloutOpts,
    );
    this.publicationRecords = [...task.records, ...bundleSide.records, ...rootSide.records];
    this.rolloutChecks = [task.check, bundleSide.check, rootSide.check].filter(
      (c): c is DataVaultKvSecretV2 => c !== undefined,
    );
  }

  /**
   * What the apply identity needs to publish this bundle, and nothing more:
   * - sign with the bundle key's active version (`update` on `<mount>/sign/<bundle key>`, `key_version` required
   *   and pinned as a string, the input allowed, nothing else);
   * - with `migrateFromV1`, the same on the task key's active version;
   * - write and read the published secret: `create`, `read`, `update` on `<kv mount>/data/<name>` (the envelope)
   *   and `<kv mount>/metadata/<name>` (the custom metadata the sequence guard compares with).
   * Grant it to the identity that also holds `BundleSigningKey.grantRotate` (the apply identity): the check
   * PlatformTrust-BundleKeySignApplyOnly refuses a bundle key sign right anywhere else. The plan identity gets
   * none of it: a plan signs nothing (it needs only the reads its refresh makes).
   */
  public grantPublish(grantee: IGrantable): Grant {
    const rules: PolicyRule[] = [
      signRule(this.bundleKey.mountPath, this.bundleKey.keyName, this.bundleKey.activeVersion),
      ...(this.bundleKey.handover
        ? [signRule(this.bundleKey.mountPath, this.bundleKey.keyName, this.bundleKey.handover.version)]
        : []),
      ...(this.migrateFromV1
        ? [signRule(this.taskKey.mountPath, this.taskKey.keyName, this.taskKey.activeVersion)]
        : []),
      {
        path: this.secretDataPath,
        capabilities: [Capability.CREATE, Capability.READ, Capability.UPDATE],
      },
      {
        path: joinPath(this.kvMountPath, 'metadata', this.secretName),
        capabilities: [Capability.CREATE, Capability.READ, Capability.UPDATE],
      },
      // Publication records: written once per key version, read by the rollout checks.
      {
        path: joinPath(this.kvMountPath, 'data', this.recordPrefix, '*'),
        capabilities: [Capability.CREATE, Capability.READ, Capability.UPDATE],
        allowGlob: true,
      },
      {
        path: joinPath(this.kvMountPath, 'metadata', this.recordPrefix, '*'),
        capabilities: [Capability.CREATE, Capability.READ, Capability.UPDATE],
        allowGlob: true,
      },
      // Revocation records are deleted when the code drops a revocation whose retention has ended.
      {
        path: joinPath(this.kvMountPath, 'data', this.recordPrefix, 'revoked', '*'),
        capabilities: [Capability.CREATE, Capability.READ, Capability.UPDATE, Capability.DELETE],
        allowGlob: true,
      },
    ];
    return Grant.addToPolicy(grantee, 'BootstrapBundle.grantPublish', rules);
  }

  /** Lets the grantee (the control plane) read the published bundle: `read` on `<kv mount>/data/<name>` only. */
  public grantReadBundle(grantee: IGrantable): Grant {
    return Grant.addToPolicy(grantee, 'BootstrapBundle.grantReadBundle', [
      { path: this.secretDataPath, capabilities: [Capability.READ] },
    ]);
  }

  /**
   * The plan-time sequence guard: postconditions over `self.metadata.custom_metadata`, the custom metadata of the
   * secret as Vault holds it. At plan time a computed attribute keeps its refreshed value in an in-place update,
   * so `self.metadata` is what Vault has now; after the write it is what was just written, and the checks pass.
   * - the new sequence must not be below the published one;
   * - at the published sequence, the inputs digest (known at plan time) must not change;
   * - at the published sequence, the payload must not change (checked at plan time when the payload is known).
   * Each is its own condition so that an unknown payload never hides a known failure. On create, and for a secret
   * published without this metadata, the published sequence reads as 0 and the checks pass.
   */
  private publishedMetadataConditions() {
    const published = Fn.try([
      Fn.jsondecode(Token.asString(propertyAccess(ref('self.metadata'), ['custom_metadata']))),
      {},
    ]);
    const publishedSequence = Fn.try([Fn.tonumber(propertyAccess(published, ['sequence'])), 0]);
    const publishedDigest = Fn.try([propertyAccess(published, ['inputs_sha256']), '']);
    const publishedPayloadSha = Fn.try([propertyAccess(published, ['payload_sha256']), '']);
    const seq = this.sequence;
    const label = isToken(seq) ? 'The bootstrap bundle sequence' : `Bootstrap bundle sequence ${seq}`;
    const fix =
      'Set sequence to the published sequence plus one (nodes refuse a bundle whose sequence does not go up).';
    return [
      {
        condition: Op.lte(publishedSequence, seq),
        errorMessage: `${label} is below the published sequence ${Token.asString(publishedSequence)}. ${fix}`,
      },
      {
        condition: Op.or(Op.neq(publishedSequence, seq), Op.eq(publishedDigest, this.inputsDigest)),
        errorMessage: `${label} is the published sequence, but the bundle changed (its inputs digest differs from the published one). ${fix}`,
      },
      {
        condition: Op.or(Op.neq(publishedSequence, seq), Op.eq(publishedPayloadSha, Fn.sha256(this.payload))),
        errorMessage: `${label} is the published sequence, but the bundle changed (its payload differs from the published one). ${fix}`,
      },
    ];
  }
}

function checkSeparateSources(https: IControlPlaneTrust, nodes: INodeCertTrust, kvMountPath: string): void {
  const nodeMounts = (nodes.mountPaths ?? []).filter((p) => !isToken(p));
  const httpsMount = https.mountPath;
  if (httpsMount !== undefined && !isToken(httpsMount)) {
    for (const m of nodeMounts) {
      if (mountPathsOverlap(m, httpsMount)) {
        throw sameTrustSource([httpsMount, m], 'both use the same or nested PKI mounts');
      }
    }
  }
  // The published bundle lives apart from both PKIs.
  const pkiMounts = [...(httpsMount !== undefined ? [httpsMount] : []), ...nodeMounts];
  for (const path of pkiMounts) {
    validateDistinctMountPaths([
      { kind: 'bundle KV mount', path: kvMountPath },
      { kind: 'PKI mount', path },
    ]);
  }
}
