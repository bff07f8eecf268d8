import { Fn, ITerraformDependable, Op, TerraformLocal, Token, Tokenization, propertyAccess, ref } from 'cdktf';
import { Construct } from 'constructs';
import { DataVaultTransitSign } from '@cdktf/provider-vault/lib/data-vault-transit-sign';
import { KvSecretV2 } from '@cdktf/provider-vault/lib/kv-secret-v2';
import { invalidProp } from '../core/errors';
import { Grant, IGrantable } from '../core/grant';
import { joinPath } from '../core/naming';
import { Capability } from '../core/policy-document';
import {
  isToken,
  validateDistinctMountPaths,
  validateMountPath,
  validateName,
  validateVersion,
} from '../core/validation';
import { BUNDLE_PAYLOAD_TYPE, BootstrapBundleV1, VerifierSetV1 } from '../node/formats';
import { IControlPlaneTrust, INodeCertTrust } from '../pki/types';
import { ITaskSigningKey } from '../signing/types';
import { BundlePaths, buildBundle, bundleInputsDigest, checkBundleLiteral, validateSequence } from './bundle-model';
import { sameTrustSource } from './errors';

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
  /** The task signing key: its verifier set goes into the bundle and its active version signs the bundle. */
  readonly signingKey: ITaskSigningKey;
  /**
   * File paths on the node; the three must differ.
   * @default - DEFAULT_PATHS from lib/node/formats.ts
   */
  readonly paths?: Partial<BundlePaths>;
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

/**
 * The node bootstrap bundle (format v1), rendered by Terraform, signed through Vault transit by the task
 * signing key's active version, and published as a KV v2 secret that the control plane serves to nodes.
 * It carries no Vault address, token, AppRole id or secret, and no private key.
 *
 * Elements (construct ids): locals `BundleJson` and `EnvelopeJson`, data source `Signature`
 * (`vault_transit_sign`), resource `Secret` (`vault_kv_secret_v2`).
 */
export class BootstrapBundle extends Construct {
  /** The bundle object as rendered (values are tokens where they come from Vault). */
  public readonly bundle: BootstrapBundleV1;
  public readonly paths: BundlePaths;
  public readonly sequence: number;
  /** Compact JSON of the bundle (the signed payload bytes). A token: add it to a plan output for review. */
  public readonly bundleJson: string;
  /** Standard base64 of `bundleJson` (the envelope payload). A token. */
  public readonly payload: string;
  /** Vault transit signature over the DSSE PAE of the payload (`vault:v<N>:<base64>`). A token. */
  public readonly signature: string;
  /** JSON of the signed envelope (`SignedEnvelope`). A token: add it to a plan output for review. */
  public readonly envelopeJson: string;
  public readonly kvMountPath: string;
  public readonly secretName: string;
  /** API path the control plane reads: `<kv mount>/data/<secret name>`. */
  public readonly secretDataPath: string;
  /** The published secret (main resource). */
  public readonly secret: KvSecretV2;
  /** The transit sign data source. */
  public readonly signer: DataVaultTransitSign;
  /**
   * SHA-256 over what the code says the bundle holds (literals, and names in place of tokens), published next to
   * the envelope as `inputs_sha256` so the plan-time guard sees changes whose payload is unknown until apply.
   */
  public readonly inputsDigest: string;

  constructor(scope: Construct, id: string, props: BootstrapBundleProps) {
    super(scope, id);
    this.kvMountPath = validateMountPath('bundle KV mount path', props.kvMountPath);
    this.secretName = validateMountPath('bundle secret name', props.secretName ?? 'bootstrap/bundle');
    this.secretDataPath = joinPath(this.kvMountPath, 'data', this.secretName);
    this.sequence = validateSequence(props.sequence);
    const key = props.signingKey;
    validateName('signing key name', key.keyName);
    validateMountPath('signing key transit mount path', key.mountPath);
    validateVersion('signing key activeVersion', key.activeVersion);
    if (!isToken(key.pubkeysJson)) {
      // cdktf renders string literals inside an HCL expression without escaping double quotes.
      throw invalidProp(
        'The signing key must supply pubkeysJson as a token (a Terraform reference), not as literal JSON text.',
        key.pubkeysJson,
        'pass the TaskSigningKey construct; in tests, wrap literal JSON in a TerraformLocal.',
      );
    }
    checkBundleLiteral('signing key activeKid', key.activeKid);
    checkSeparateSources(props.publicHttpsTrust, props.nodeCertTrust, this.kvMountPath);

    this.bundle = buildBundle({
      environment: props.environment,
      sequence: this.sequence,
      controlPlaneUrl: props.controlPlaneUrl,
      publicHttpsRoots: props.publicHttpsTrust.roots,
      nodeCertPems: props.nodeCertTrust.caPems,
      // The set is decoded by Terraform from the key's JSON and re-encoded inside the bundle.
      verifierSet: Fn.jsondecode(key.pubkeysJson) as unknown as VerifierSetV1,
      pubkeysJson: key.pubkeysJson,
      paths: props.paths,
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
    const pae = `DSSEv1 ${BUNDLE_PAYLOAD_TYPE.length} ${BUNDLE_PAYLOAD_TYPE} ${Token.asString(Fn.lengthOf(this.bundleJson))} ${this.bundleJson}`;
    this.signer = new DataVaultTransitSign(this, 'Signature', {
      path: key.mountPath,
      name: key.keyName,
      keyVersion: key.activeVersion,
      input: Fn.base64encode(pae),
      dependsOn: key.signingDependables,
    });
    this.signature = this.signer.signature;

    const envelopeLocal = new TerraformLocal(
      this,
      'EnvelopeJson',
      Fn.jsonencode({
        payloadType: BUNDLE_PAYLOAD_TYPE,
        payload: this.payload,
        signatures: [{ keyid: key.activeKid, sig: this.signature }],
      }),
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
      signingKey: { keyName: key.keyName, mountPath: key.mountPath, activeVersion: key.activeVersion },
    });

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
        },
      },
      dependsOn: props.kvMount ? [props.kvMount] : undefined,
      lifecycle: guard ? { postcondition: this.publishedMetadataConditions() } : undefined,
    });
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
      if (m === httpsMount || m.startsWith(`${httpsMount}/`) || httpsMount.startsWith(`${m}/`)) {
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
