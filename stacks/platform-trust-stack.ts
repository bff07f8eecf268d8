import {
  Aspects,
  Lazy,
  LocalBackend,
  TerraformDataSource,
  TerraformElement,
  TerraformOutput,
  TerraformResource,
  TerraformStack,
  Token,
} from 'cdktf';
import { Mount } from '@cdktf/provider-vault/lib/mount';
import { PkiSecretBackendConfigIssuers } from '@cdktf/provider-vault/lib/pki-secret-backend-config-issuers';
import { PkiSecretBackendIntermediateCertRequest } from '@cdktf/provider-vault/lib/pki-secret-backend-intermediate-cert-request';
import { PkiSecretBackendIntermediateSetSigned } from '@cdktf/provider-vault/lib/pki-secret-backend-intermediate-set-signed';
import { PkiSecretBackendRole } from '@cdktf/provider-vault/lib/pki-secret-backend-role';
import { PkiSecretBackendRootCert } from '@cdktf/provider-vault/lib/pki-secret-backend-root-cert';
import { PkiSecretBackendRootSignIntermediate } from '@cdktf/provider-vault/lib/pki-secret-backend-root-sign-intermediate';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { Construct, IConstruct } from 'constructs';
import { BootstrapBundle } from '../lib/bootstrap/bootstrap-bundle';
import { PlatformTrustChecks } from '../lib/checks/platform-trust-checks';
import { BundleSignatureRole } from '../lib/core/declarations';
import { conflictingConfig, missingConfig } from '../lib/core/errors';
import { VaultPolicy } from '../lib/core/grant';
import { acceptVaultProvider5x } from '../lib/core/providers';
import {
  validateDistinctMountPaths,
  validateHttpsUrl,
  validateMountPath,
  validateName,
  validateSeconds,
} from '../lib/core/validation';
import { ControlPlaneTrust } from '../lib/pki/control-plane-trust';
import { NodeCertAuthority } from '../lib/pki/node-cert-authority';
import { IControlPlaneTrust } from '../lib/pki/types';
import {
  ElementRole,
  MANIFEST_FORMAT_V1,
  MANIFEST_OUTPUT,
  ManifestEntry,
  OutputRole,
  STACK_OUTPUT_NAMES,
  SigningKeyKind,
  StackManifest,
  TrustKind,
} from '../lib/review/manifest';
import { AppRoleConsumer } from '../lib/secrets/approle-consumer';
import { AuditDeviceType } from '../lib/secrets/audit';
import { SecretPath } from '../lib/secrets/kv-layout';
import { PlatformSecrets } from '../lib/secrets/platform-secrets';
import { BundleSigningKey } from '../lib/signing/bundle-signing-key';
import { TaskSigningKey } from '../lib/signing/task-signing-key';
import { TransitMount } from '../lib/signing/transit-mount';
import { StateEncryption } from '../lib/state/state-encryption';
import { EnvironmentConfig, MountPaths, resolveMounts } from './environment';

/** Props of {@link PlatformTrustStack}. */
export interface PlatformTrustStackProps {
  /** The environment this stack declares. */
  readonly environment: EnvironmentConfig;
  /**
   * Configures the state backend. Called once with the stack; create any cdktf backend in it
   * (for example `(stack) => new S3Backend(stack, {...})`).
   * @default - a local backend at `terraform.<env>.tfstate` in the stack's working directory
   */
  readonly backend?: (stack: TerraformStack) => void;
  /**
   * Run the PlatformTrustChecks guardrail pack over this stack (error findings fail synth).
   * @default true
   */
  readonly checks?: boolean;
  /**
   * OpenTofu state and plan encryption, written into the stack's `terraform` block (for example
   * `StateEncryption.openBao({ key: stateKeyStack.key })`). OpenTofu only: Terraform refuses the block.
   * @default - none: state and plans are written as the backend stores them
   */
  readonly stateEncryption?: StateEncryption;
}

/**
 * One environment of the platform's security lifecycle, composed from the library's constructs:
 * platform secrets (KV v2, AppRole for the control plane, audit), the node task signing key, the bundle
 * signing key, the node-cert CA, the control-plane trust root and the signed bootstrap bundle (format v2).
 *
 * The Vault provider reads its address and token from `VAULT_ADDR` and `VAULT_TOKEN` at plan time:
 * no address or token is ever synthesized. Outputs carry what the control plane and reviewers need,
 * nothing secret.
 */
export class PlatformTrustStack extends TerraformStack {
  /** The environment config the stack was built from, as given. */
  public readonly environment: EnvironmentConfig;
  /** Mount paths with defaults applied. */
  public readonly mounts: Required<MountPaths>;
  /** The Vault provider (address and token from the runner's `VAULT_ADDR` and `VAULT_TOKEN`). */
  public readonly vaultProvider: VaultProvider;
  /** The KV v2 mount, AppRole auth and audit of the environment (construct id `Secrets`). */
  public readonly secrets: PlatformSecrets;
  /** The control plane's AppRole and policy (construct id `ControlPlane`). */
  public readonly controlPlane: AppRoleConsumer;
  /** The task signing key (construct id `TaskSigningKey`). Default name: `node-task-signer`. */
  public readonly taskSigningKey: TaskSigningKey;
  /** The bundle signing key (construct id `BundleSigningKey`). Default name: `bundle-signer`. */
  public readonly bundleSigningKey: BundleSigningKey;
  /** The node-certificate CA (construct id `NodeCertAuthority`). */
  public readonly nodeCertAuthority: NodeCertAuthority;
  /** The control plane's public HTTPS trust: a platform CA or an existing CA, per `controlPlaneTrust`. */
  public readonly controlPlaneTrust: IControlPlaneTrust;
  /** The signed bootstrap bundle and its publication (construct id `BootstrapBundle`). */
  public readonly bootstrapBundle: BootstrapBundle;

  constructor(scope: Construct, props: PlatformTrustStackProps) {
    const env = props.environment;
    validateName('environment name', env.name, 'prod');
    super(scope, env.name);
    this.environment = env;
    validateHttpsUrl('control-plane URL', env.controlPlaneUrl);
    this.mounts = resolveMounts(env);
    for (const [kind, path] of Object.entries(this.mounts)) validateMountPath(`${kind} mount path`, path);
    validateDistinctMountPaths(Object.entries(this.mounts).map(([kind, path]) => ({ kind: `${kind} mount`, path })));
    if (env.vault?.maxLeaseTtlSeconds !== undefined) {
      validateSeconds('vault.maxLeaseTtlSeconds', env.vault.maxLeaseTtlSeconds, 60, 86400);
    }
    if (!env.taskSigning) {
      throw missingConfig(
        `Environment "${env.name}" has no taskSigning schedule.`,
        env.taskSigning,
        'add taskSigning: { version: 1 } to the environment config.',
      );
    }
    if (!env.bundle) {
      throw missingConfig(
        `Environment "${env.name}" has no bundle sequence.`,
        env.bundle,
        'add bundle: { sequence: 1 } to the environment config and bump it with every trust change.',
      );
    }
    const protect = env.protectFromDestroy ?? true;

    if (props.backend) {
      props.backend(this);
    } else {
      new LocalBackend(this, { path: `terraform.${env.name}.tfstate` });
    }
    props.stateEncryption?.applyTo(this);

    // No address, no token: the provider reads VAULT_ADDR and VAULT_TOKEN from the runner's environment.
    this.vaultProvider = new VaultProvider(this, 'vault', {
      skipChildToken: env.vault?.skipChildToken ?? false,
      maxLeaseTtlSeconds: env.vault?.maxLeaseTtlSeconds ?? 1200,
    });
    acceptVaultProvider5x(this);

    // Platform secrets and the control plane's identity.
    this.secrets = new PlatformSecrets(this, 'Secrets', {
      mountPath: this.mounts.kv,
      appRoleMountPath: this.mounts.approle,
      audit: env.auditFilePath
        ? { auditDevice: { type: AuditDeviceType.FILE, path: env.auditFilePath }, createApiDevice: true }
        : undefined,
    });
    this.controlPlane = new AppRoleConsumer(this, 'ControlPlane', {
      roleName: env.controlPlane?.roleName ?? `${env.name}-control-plane`,
      backend: this.secrets.appRoleBackend,
      boundCidrs: env.controlPlane?.boundCidrs ? [...env.controlPlane.boundCidrs] : undefined,
    });

    // Node task signing key.
    const transit = new TransitMount(this, 'Transit', { path: this.mounts.transit });
    this.taskSigningKey = new TaskSigningKey(this, 'TaskSigningKey', {
      mount: transit,
      name: env.taskSigning.keyName ?? 'node-task-signer',
      version: env.taskSigning.version,
      activeVersion: env.taskSigning.activeVersion,
      grace: env.taskSigning.grace,
      compromised: env.taskSigning.compromised,
    });
    const signingMetadata = this.secrets.writeSigningMetadata(this.taskSigningKey);

    // Bundle signing key: a separate key in the same mount; only the apply identity signs with it, during apply.
    const bundleSigning = env.bundleSigning ?? { version: 1 };
    this.bundleSigningKey = new BundleSigningKey(this, 'BundleSigningKey', {
      mount: transit,
      name: bundleSigning.keyName ?? 'bundle-signer',
      version: bundleSigning.version,
      activeVersion: bundleSigning.activeVersion,
      grace: bundleSigning.grace,
      compromised: bundleSigning.compromised,
    });

    // Node-cert CA and control-plane trust: two PKIs, never mixed.
    this.nodeCertAuthority = new NodeCertAuthority(this, 'NodeCertAuthority', {
      mountPath: this.mounts.nodePki,
      nodeDomain: env.nodeDomain ?? `nodes.${env.name}.internal`,
      protectFromDestroy: protect,
    });
    this.controlPlaneTrust = this.buildControlPlaneTrust(env, protect);

    this.bootstrapBundle = new BootstrapBundle(this, 'BootstrapBundle', {
      environment: env.name,
      sequence: env.bundle.sequence,
      controlPlaneUrl: env.controlPlaneUrl,
      publicHttpsTrust: this.controlPlaneTrust,
      nodeCertTrust: this.nodeCertAuthority,
      signingKey: this.taskSigningKey,
      bundleSigningKey: this.bundleSigningKey,
      migrateFromV1: env.bundle.migrateFromV1,
      paths: env.bundle.paths,
      freshness: env.bundle.freshness,
      revokedRootPins: env.bundle.revokedRootPins,
      kvMountPath: this.secrets.mountPath,
      kvMount: this.secrets.mount,
    });

    // What the control plane may do, and nothing more. It gets no right on the bundle signing key.
    this.taskSigningKey.grantSign(this.controlPlane);
    this.secrets.grantRead(this.controlPlane, SecretPath.signing(this.taskSigningKey.keyName));
    this.secrets.grantRead(this.controlPlane, SecretPath.registry('node-images'));
    const ownFolder = this.secrets.grantRead(this.controlPlane, SecretPath.appFolder('control-plane'), {
      subtree: true,
    });
    this.nodeCertAuthority.grantIssue(this.controlPlane);
    this.controlPlaneTrust.grantIssueServerCert(this.controlPlane);
    this.bootstrapBundle.grantReadBundle(this.controlPlane);

    // Outputs: what the control plane's configuration and reviewers need. Nothing secret.
    const out = (id: string, value: string, description: string) =>
      new TerraformOutput(this, id, { value, description, staticId: true });
    out('control_plane_approle_mount', this.secrets.appRoleBackend.path, 'AppRole mount the control plane logs in to.');
    out(
      'control_plane_role_id',
      this.controlPlane.roleId,
      'AppRole role id of the control plane (not a secret; the secret id is minted by deploy tooling).',
    );
    out('control_plane_policy', this.controlPlane.policyName, 'Vault policy bound to the control plane.');
    out(
      'task_signing_key',
      `${this.taskSigningKey.mountPath}/keys/${this.taskSigningKey.keyName}`,
      'Transit key the control plane signs node tasks with.',
    );
    out(
      STACK_OUTPUT_NAMES[OutputRole.TASK_ACTIVE_VERSION],
      String(this.taskSigningKey.activeVersion),
      'key_version the control plane must send to transit sign.',
    );
    out(
      STACK_OUTPUT_NAMES[OutputRole.TASK_VERIFIERS],
      this.taskSigningKey.pubkeysJson,
      'GPUAAS_TASK_SIGNING_PUBKEYS: the verifier set nodes accept.',
    );
    out(
      'task_signing_schedule',
      JSON.stringify({ key: this.taskSigningKey.keyName, versions: this.taskSigningKey.plan.versions }),
      'The verifier schedule from code (versions, states, grace end dates): known at plan time, for reviewers.',
    );
    out(
      'signing_metadata_path',
      `${this.secrets.mountPath}/data/${SecretPath.signing(this.taskSigningKey.keyName)}`,
      'KV path with the signing key metadata the control plane reads.',
    );
    out(
      STACK_OUTPUT_NAMES[OutputRole.BUNDLE_KEYS],
      this.bundleSigningKey.keySetJson,
      'The bundle key set (cdktf-platform-trust/bundle-keys/v1): the keys nodes verify bundles with.',
    );
    out(
      STACK_OUTPUT_NAMES[OutputRole.BUNDLE_KEY_ACTIVE_VERSION],
      String(this.bundleSigningKey.activeVersion),
      'Version of the bundle signing key that signs the bundle (during apply).',
    );
    out(
      'bundle_key_pin',
      this.bootstrapBundle.bundleKeyPin,
      'Pin of the active bundle key version (sha256: + 64 hex): what a node enrols with, out of band.',
    );
    out(
      STACK_OUTPUT_NAMES[OutputRole.BUNDLE],
      this.bootstrapBundle.bundleJson,
      'Bootstrap bundle (format v2) as rendered for nodes.',
    );
    out(
      STACK_OUTPUT_NAMES[OutputRole.ENVELOPE],
      this.bootstrapBundle.envelopeJson,
      'Signed DSSE envelope the control plane serves to nodes (signed by the bundle key during apply).',
    );
    out(
      'bootstrap_bundle_kv_path',
      this.bootstrapBundle.secretDataPath,
      'KV path the control plane reads the envelope from.',
    );
    out(
      'node_cert_ca_bundle',
      this.nodeCertAuthority.caChainPem,
      'GPUAAS_NODE_CERT_CA_BUNDLE_PATH content: the node-cert CA chain.',
    );
    out(
      'server_audit_stanza',
      this.secrets.serverAuditStanza,
      'Server configuration stanza for the file audit device.',
    );
    out(
      MANIFEST_OUTPUT,
      // Resolved at synth, after every construct is in place: an overridden logical id is honoured.
      Lazy.stringValue({ produce: () => JSON.stringify(this.manifest()) }),
      'What each resource of this stack is for (role, key, version, bundle field) and the outputs the plan explainer reads: known at plan time, nothing secret.',
    );
    void signingMetadata;

    if (props.checks ?? true) {
      Aspects.of(this).add(new PlatformTrustChecks());
      // Only the finding on the control plane's own folder: any other glob in its policy is still reported.
      for (const glob of ownFolder.paths.filter((p) => p.endsWith('*'))) {
        PlatformTrustChecks.suppress(
          this.controlPlane,
          'PlatformTrust-PolicyKvGlob',
          'the control plane reads its own folder apps/control-plane/ by design',
          { elementPath: this.controlPlane.policy.resource.node.path, detail: `path ${JSON.stringify(glob)}` },
        );
      }
      if (!protect) {
        const reason = `environment "${env.name}" sets protectFromDestroy: false (throw-away server)`;
        PlatformTrustChecks.suppress(this.nodeCertAuthority, 'PlatformTrust-CaRootPreventDestroy', reason);
        // Only a trust whose roots are Vault resources (in its own mount) has roots to protect.
        if (this.controlPlaneTrust.mountPath !== undefined) {
          PlatformTrustChecks.suppress(this.controlPlaneTrust, 'PlatformTrust-CaRootPreventDestroy', reason);
        }
      }
    }
  }

  /** The stack manifest (see lib/review/manifest.ts): every element the plan explainer looks for, by address. */
  private manifest(): StackManifest {
    const resources: Record<string, ManifestEntry> = {};
    const add = (element: TerraformElement, entry: ManifestEntry) => {
      resources[addressOf(element)] = entry;
    };
    const keys = [
      [SigningKeyKind.TASK, this.taskSigningKey, 'task_verifiers.set'],
      [SigningKeyKind.BUNDLE, this.bundleSigningKey, 'bundle_keys.set'],
    ] as const;
    for (const [key, k, field] of keys) {
      const base = { key, mount: k.mountPath, name: k.keyName, bundle_field: field };
      add(k.key, { role: ElementRole.TRANSIT_KEY, ...base });
      // `rotations` is documented as one resource per version above 1, oldest first.
      k.rotations.forEach((r, i) => add(r, { role: ElementRole.KEY_ROTATION, ...base, version: i + 2 }));
      add(k.floors, { role: ElementRole.KEY_FLOORS, ...base });
      add(k.publicKeys, { role: ElementRole.KEY_PUBLIC_KEYS, ...base });
    }
    const b = this.bootstrapBundle;
    add(b.secret, { role: ElementRole.BUNDLE_SECRET, mount: b.kvMountPath, path: b.secretName });
    const signatures = [
      [b.bundleKeySignature, BundleSignatureRole.BUNDLE_KEY, SigningKeyKind.BUNDLE, this.bundleSigningKey],
      [b.taskKeySignature, BundleSignatureRole.MIGRATION_FROM_V1, SigningKeyKind.TASK, this.taskSigningKey],
    ] as const;
    for (const [sig, signature, key, k] of signatures) {
      if (!sig) continue;
      const base = { key, mount: k.mountPath, name: k.keyName, version: k.activeVersion, signature: `${signature}` };
      add(sig.resource, { role: ElementRole.BUNDLE_SIGNATURE, ...base });
      add(sig.signedInput, { role: ElementRole.BUNDLE_SIGNED_INPUT, ...base });
    }
    const published = new Set(this.controlPlaneTrust.rootNames ?? []);
    pkiEntries(this.controlPlaneTrust, TrustKind.CONTROL_PLANE, (name) => published.has(name), add);
    pkiEntries(this.nodeCertAuthority, TrustKind.NODE_CERT, () => true, add);
    for (const p of this.node.findAll().filter((c): c is VaultPolicy => c instanceof VaultPolicy)) {
      add(p.resource, { role: ElementRole.POLICY, name: p.policyName });
    }
    const sorted = Object.fromEntries(Object.entries(resources).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
    // For the plan explainer: what the code says about the bundle that a plan shows nowhere else while the bundle is
    // known only after apply (an emergency rotates a key). Only when something is revoked or the rollout is overridden.
    const revoked = { ...b.bundle.revoked, root_pins: b.bundle.revoked.root_pins.filter((p) => literal(p)) };
    const override = b.freshness.rolloutOverrideReason;
    const revokes = revoked.task_key_versions.length + revoked.bundle_key_versions.length + revoked.root_pins.length;
    const bundle =
      revokes > 0 || override !== undefined
        ? {
            refresh_hint_seconds: b.freshness.refreshHintSeconds,
            revoked,
            ...(override !== undefined ? { rollout_override: override } : {}),
          }
        : undefined;
    return {
      format: MANIFEST_FORMAT_V1,
      outputs: STACK_OUTPUT_NAMES,
      resources: sorted,
      ...(bundle ? { bundle } : {}),
    };
  }

  private buildControlPlaneTrust(env: EnvironmentConfig, protect: boolean): IControlPlaneTrust {
    const cfg = env.controlPlaneTrust;
    if (cfg?.platformCa && cfg.existingCa) {
      throw conflictingConfig(
        `Environment "${env.name}" declares both a platform CA and an existing CA for control-plane trust.`,
        Object.keys(cfg),
        'choose one: controlPlaneTrust.platformCa (a CA in its own Vault PKI mount) or controlPlaneTrust.existingCa (a PEM given in code).',
      );
    }
    if (cfg?.existingCa) {
      return ControlPlaneTrust.fromCertificatePem(this, 'ControlPlaneTrust', {
        current: cfg.existingCa.current,
        rotation: cfg.existingCa.rotation,
        asOf: cfg.existingCa.asOf,
      });
    }
    const ca = cfg?.platformCa ?? { root: { issuerName: `${env.name}-control-plane-root` } };
    return new ControlPlaneTrust(this, 'ControlPlaneTrust', {
      mountPath: this.mounts.controlPlanePki,
      root: ca.root,
      rotation: ca.rotation,
      retiredRoots: ca.retiredRoots,
      asOf: ca.asOf,
      serverNames: [new URL(env.controlPlaneUrl).hostname],
      protectFromDestroy: protect,
    });
  }
}

/** The plan address of an element: `<type>.<logical id>`, or `data.<type>.<logical id>` for a data source. */
function addressOf(element: TerraformElement): string {
  const type = (element as TerraformResource | TerraformDataSource).terraformResourceType;
  return `${TerraformDataSource.isTerraformDataSource(element) ? 'data.' : ''}${type}.${element.friendlyUniqueId}`;
}

const literal = (v: string | undefined) => (v !== undefined && !Token.isUnresolved(v) ? v : undefined);

/** The PKI resources under `scope`, by type: mounts, roots (in the bundle or not), intermediates, issuers, roles. */
function pkiEntries(
  scope: IConstruct,
  trust: TrustKind,
  inBundle: (rootName: string) => boolean,
  add: (element: TerraformElement, entry: ManifestEntry) => void,
): void {
  const field = trust === TrustKind.CONTROL_PLANE ? 'public_https_trust.roots' : 'node_cert_trust.pems';
  for (const c of scope.node.findAll()) {
    if (!TerraformResource.isTerraformResource(c)) continue;
    const named = (role: ElementRole, name: string | undefined, extra: Partial<ManifestEntry> = {}) =>
      add(c, { role, trust, ...(literal(name) !== undefined ? { name } : {}), ...extra });
    switch (c.terraformResourceType) {
      case Mount.tfResourceType: {
        const mount = literal((c as Mount).pathInput);
        add(c, { role: ElementRole.PKI_MOUNT, trust, ...(mount !== undefined ? { mount } : {}) });
        break;
      }
      case PkiSecretBackendRootCert.tfResourceType: {
        const name = literal((c as PkiSecretBackendRootCert).issuerNameInput);
        named(ElementRole.PKI_ROOT, name, name !== undefined && inBundle(name) ? { bundle_field: field } : {});
        break;
      }
      case PkiSecretBackendIntermediateCertRequest.tfResourceType:
      case PkiSecretBackendRootSignIntermediate.tfResourceType:
      case PkiSecretBackendIntermediateSetSigned.tfResourceType:
        add(c, { role: ElementRole.PKI_INTERMEDIATE, trust, bundle_field: field });
        break;
      case PkiSecretBackendConfigIssuers.tfResourceType:
        add(c, { role: ElementRole.PKI_DEFAULT_ISSUER, trust });
        break;
      case PkiSecretBackendRole.tfResourceType:
        named(ElementRole.PKI_ROLE, (c as PkiSecretBackendRole).nameInput);
        break;
    }
  }
}
